"""Import Zwift ``.zwo`` run workouts as forward segments.

Zwift states run targets as fractions of a reference pace; here they are fractions of a
reference *speed* the user gives (``reference_speed_kmh``), so ``Power="0.8"`` with a
reference of 10 km/h is 8 km/h. What each element becomes:

* ``SteadyState``: one segment at ``Power`` (or the middle of ``PowerLow``/``PowerHigh``).
* ``Warmup``, ``Cooldown``, ``Ramp``: steps of about :data:`RAMP_STEP_S` from ``PowerLow``
  (the start) to ``PowerHigh`` (the end), each step at the ramp's value at its middle.
* ``IntervalsT``: a repeat of an on and an off segment (``OnPower``/``OffPower``,
  ``OnDuration``/``OffDuration``, ``Repeat``).
* ``FreeRide``: a segment at :data:`FREE_RIDE_FRACTION` of the reference, an easy pace.
* ``textevent`` (``timeoffset`` seconds into its element, ``message``): a cue.

Workouts measured in distance (``<durationType>distance</durationType>``) have their
metres turned into seconds at each segment's speed. Other attributes (cadence, zone,
``pace`` zone choice) are ignored; elements with no speed to follow (``MaxEffort``) and
unknown elements are refused, naming the element.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from treadctl.workout.loader import display_path, profile_from_data
from treadctl.workout.profile import MAX_REPEAT_TIMES, MAX_WORKOUT_S, Profile, ProfileError

#: Ramps are split into steps of about this length; a treadmill changes speed in steps.
RAMP_STEP_S = 30.0
#: FreeRide has no target; an easy forward pace, as a fraction of the reference speed.
FREE_RIDE_FRACTION = 0.6
#: Speeds are rounded to this (km/h); finer than any treadmill's increment.
SPEED_DECIMALS = 2

_RAMPS = ("Warmup", "Cooldown", "Ramp")
_IGNORED = {"textevent", "TextEvent", "gameplayevent", "TextNotification"}


def load_zwo(path: Path | str, *, reference_speed_kmh: float) -> Profile:
    """The run workout in a ``.zwo`` file, as forward segments."""
    file = Path(path)
    source = display_path(file)
    try:
        text = file.read_bytes()
    except FileNotFoundError:
        raise ProfileError(source, "no such file") from None
    except OSError as exc:
        raise ProfileError(source, f"cannot read the file: {exc}") from None
    return parse_zwo(text, source=source, name=file.stem, reference_speed_kmh=reference_speed_kmh)


def parse_zwo(text: str | bytes, *, source: str, name: str, reference_speed_kmh: float) -> Profile:
    """The run workout in ``.zwo`` XML ``text``; ``source`` names it in messages."""
    if not (math.isfinite(reference_speed_kmh) and reference_speed_kmh > 0):
        raise ProfileError(source, f"reference speed {reference_speed_kmh!r} km/h is not above 0")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        line, column = exc.position
        raise ProfileError(
            source, f"line {line}, column {column}: not valid XML: {exc.msg}"
        ) from None
    if root.tag != "workout_file":
        raise ProfileError(source, f"the root element is <{root.tag}>, not <workout_file>")
    sport = _text(root, "sportType").lower()
    if sport and sport != "run":
        raise ProfileError(source, f"a {sport} workout; only run workouts can be imported")
    workout = root.find("workout")
    if workout is None:
        raise ProfileError(source, "no <workout> element")
    importer = _Importer(source, reference_speed_kmh, _text(root, "durationType") == "distance")
    segments = [
        item
        for number, element in enumerate(workout, 1)
        for item in importer.element(number, element)
    ]
    if not segments:
        raise ProfileError(source, "the <workout> element has no steps")
    title = _text(root, "name") or name
    author = _text(root, "author")
    data: dict[str, Any] = {
        "name": name,
        "title": title,
        "description": _text(root, "description"),
        "who_for": "Imported from a Zwift workout file; all segments are forward.",
        "sources": [
            f"{source}{f' by {author}' if author else ''}: speeds are the file's fractions "
            f"of the reference speed {reference_speed_kmh:g} km/h",
        ],
        "segments": segments,
    }
    return profile_from_data(data, source=source)


def _text(root: ET.Element, tag: str) -> str:
    found = root.find(tag)
    return (found.text or "").strip() if found is not None else ""


class _Importer:
    def __init__(self, source: str, reference_kmh: float, distance: bool) -> None:
        self.source = source
        self.reference_kmh = reference_kmh
        self.distance = distance

    def fail(self, number: int, element: ET.Element, problem: str) -> ProfileError:
        return ProfileError(self.source, f"workout step {number} <{element.tag}>: {problem}")

    def number(self, number: int, element: ET.Element, *names: str) -> float:
        """The first of ``names`` present as an attribute, as a number."""
        for attribute in names:
            raw = element.get(attribute)
            if raw is None:
                continue
            try:
                value = float(raw)
            except ValueError:
                raise self.fail(number, element, f"{attribute}={raw!r} is not a number") from None
            if not math.isfinite(value) or value < 0:
                raise self.fail(number, element, f"{attribute}={raw!r} is not a usable number")
            return value
        raise self.fail(number, element, f"needs the attribute {' or '.join(names)}")

    def speed(self, number: int, element: ET.Element, fraction: float) -> float:
        speed = round(fraction * self.reference_kmh, SPEED_DECIMALS)
        if speed <= 0:
            raise self.fail(number, element, f"a target of {fraction:g} gives no speed")
        return speed

    def duration(self, number: int, element: ET.Element, seconds: float) -> float:
        """``seconds`` if a workout can hold it (a huge step is refused, not expanded)."""
        if seconds > MAX_WORKOUT_S:
            raise self.fail(
                number,
                element,
                f"lasts {seconds / 3600:,.0f} hours: a workout lasts at most "
                f"{MAX_WORKOUT_S / 3600:g} hours",
            )
        return seconds

    def seconds(self, amount: float, speed_kmh: float) -> float:
        """``amount`` is seconds, or metres in a distance workout."""
        return amount / (speed_kmh / 3.6) if self.distance else amount

    def element(self, number: int, element: ET.Element) -> Iterator[dict[str, Any]]:
        tag = element.tag
        if tag in _IGNORED:
            return
        label = f"{tag} {number}"
        if tag == "SteadyState":
            fraction = (
                self.number(number, element, "Power")
                if element.get("Power") is not None
                else (
                    self.number(number, element, "PowerLow")
                    + self.number(number, element, "PowerHigh")
                )
                / 2
            )
            speed = self.speed(number, element, fraction)
            amount = self.number(number, element, "Duration")
            seconds = self.duration(number, element, self.seconds(amount, speed))
            yield self.segment(speed, seconds, label, self.cues(element))
        elif tag in _RAMPS:
            yield from self.ramp(number, element, label)
        elif tag == "IntervalsT":
            yield self.intervals(number, element, label)
        elif tag == "FreeRide":
            speed = self.speed(number, element, FREE_RIDE_FRACTION)
            amount = self.number(number, element, "Duration")
            seconds = self.duration(number, element, self.seconds(amount, speed))
            yield self.segment(speed, seconds, label, self.cues(element))
        elif tag == "MaxEffort":
            raise self.fail(number, element, "has no target speed; replace it with SteadyState")
        else:
            raise self.fail(number, element, "is not a workout step this importer knows")

    def ramp(self, number: int, element: ET.Element, label: str) -> Iterator[dict[str, Any]]:
        start = self.number(number, element, "PowerLow", "Power")
        end = self.number(number, element, "PowerHigh", "Power")
        amount = self.number(number, element, "Duration")
        average_speed = self.speed(number, element, (start + end) / 2)
        total_s = self.duration(number, element, self.seconds(amount, average_speed))
        steps = max(1, round(total_s / RAMP_STEP_S))
        step_s = total_s / steps
        cues = self.cues(element)
        for step in range(steps):
            fraction = start + (end - start) * (step + 0.5) / steps
            begin = step * step_s
            mine = [
                {"at": cue["at"] - begin, "text": cue["text"]}
                for cue in cues
                if begin <= cue["at"] < begin + step_s or (step == steps - 1 and cue["at"] >= begin)
            ]
            step_label = f"{label} step {step + 1}/{steps}" if steps > 1 else label
            yield self.segment(self.speed(number, element, fraction), step_s, step_label, mine)

    def intervals(self, number: int, element: ET.Element, label: str) -> dict[str, Any]:
        times = round(self.number(number, element, "Repeat")) if element.get("Repeat") else 1
        if times > MAX_REPEAT_TIMES:
            raise self.fail(
                number, element, f"Repeat={times:,} is more than {MAX_REPEAT_TIMES} repeats"
            )
        on_fraction = self.number(number, element, "OnPower", "PowerOnHigh")
        off_fraction = self.number(number, element, "OffPower", "PowerOffHigh")
        on_speed = self.speed(number, element, on_fraction)
        off_speed = self.speed(number, element, off_fraction)
        on = (on_speed, self.seconds(self.number(number, element, "OnDuration"), on_speed))
        off = (off_speed, self.seconds(self.number(number, element, "OffDuration"), off_speed))
        cues = self.cues(element)
        cycle_s = on[1] + off[1]
        self.duration(number, element, cycle_s * max(times, 1))
        if any(cue["at"] >= cycle_s for cue in cues):
            # Cues for a later pass: spell the passes out so each cue keeps its place.
            segments = []
            for done in range(max(times, 1)):
                begin = done * cycle_s
                mine = [
                    {"at": c["at"] - begin, "text": c["text"]}
                    for c in cues
                    if begin <= c["at"] < begin + cycle_s
                ]
                segments += self.on_off(on, off, label, mine)
            return {"times": 1, "label": label, "segments": segments}
        return {
            "times": max(times, 1),
            "label": label,
            "segments": self.on_off(on, off, label, cues),
        }

    def on_off(
        self,
        on: tuple[float, float],
        off: tuple[float, float],
        label: str,
        cues: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        """The on and the off segment of an interval; ``on``/``off`` are (km/h, seconds)."""
        on_cues = [c for c in cues if c["at"] < on[1]]
        off_cues = [{"at": c["at"] - on[1], "text": c["text"]} for c in cues if c["at"] >= on[1]]
        return [
            self.segment(on[0], on[1], f"{label} on", on_cues),
            self.segment(off[0], off[1], f"{label} off", off_cues),
        ]

    def segment(
        self, speed_kmh: float, duration_s: float, label: str, cues: list[dict[str, Any]]
    ) -> dict[str, Any]:
        duration_s = round(duration_s, 1)
        # Zwift shows a late message at the end of its step; keep it inside the segment.
        last_s = max(duration_s - 1.0, 0.0)
        return {
            "direction": "forward",
            "speed_kmh": speed_kmh,
            "duration_s": duration_s,
            "label": label,
            "cues": [{"at": min(c["at"], last_s), "text": c["text"]} for c in cues],
        }

    def cues(self, element: ET.Element) -> list[dict[str, Any]]:
        found = []
        for event in element:
            if event.tag.lower() != "textevent":
                continue
            offset = event.get("timeoffset", event.get("timeOffset", "0"))
            message = (event.get("message") or "").strip()
            try:
                at = float(offset)
            except ValueError:
                raise ProfileError(
                    self.source, f"<textevent> timeoffset={offset!r} is not a number"
                ) from None
            if message:
                found.append({"at": max(at, 0.0), "text": message})
        return sorted(found, key=lambda cue: float(cue["at"]))
