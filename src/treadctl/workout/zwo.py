"""Import Zwift ``.zwo`` run workouts as forward segments.

A run workout states each step's target as a fraction (``Power="0.8"``) of one of the
runner's paces; the step's ``pace`` attribute says which: 0 the one-mile pace, 1 the 5 km
pace, 2 the 10 km, 3 the half marathon, 4 the marathon. treadctl takes each pace as a
speed (km/h) from the user's settings (:class:`ZwoReference`), so ``Power="0.8"`` of a
10 km/h pace is 8 km/h. A step without ``pace`` uses the one reference speed
(``--reference-speed`` or the ``zwo_reference_speed_kmh`` setting), and so does every
step when ``--reference-speed`` is given.

What each element becomes:

* ``SteadyState``: one segment at ``Power`` (or the middle of ``PowerLow``/``PowerHigh``).
* ``Warmup``, ``Cooldown``, ``Ramp``: steps from ``PowerLow`` (the start) to ``PowerHigh``
  (the end), each at the ramp's value at its middle brought onto the treadmill's speed
  grid, at least :data:`MIN_RAMP_STEP_S` long and at least one speed step apart.
* ``IntervalsT``: a repeat of an on and an off segment (``OnPower``/``OffPower``,
  ``OnDuration``/``OffDuration``, ``Repeat``).
* ``FreeRide``: a segment at :data:`FREE_RIDE_FRACTION` of the reference, an easy pace.
* ``textevent`` (``timeoffset`` seconds, or ``distoffset`` metres, into its element,
  ``message``): a cue.

Every speed is brought onto the treadmill's speed grid (0.1 km/h until the treadmill says
otherwise). ``Duration`` is seconds, or metres in a distance workout
(``<durationType>distance</durationType>``, or the user's say-so for a file that means
metres without saying it); metres become seconds at each step's speed. Cadence and zone
attributes are ignored; elements with no speed to follow (``MaxEffort``) and unknown
elements are refused, naming the element. Every problem in a file is reported at once.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from treadctl.config import Settings, env_var
from treadctl.ftms.ranges import SupportedRange
from treadctl.workout.loader import display_path, profile_from_data
from treadctl.workout.profile import MAX_REPEAT_TIMES, MAX_WORKOUT_S, Profile, ProfileError

if TYPE_CHECKING:  # the XML parser loads with the first .zwo file (start-up)
    import xml.etree.ElementTree as ET

#: A ramp's steps are at least this long: each is a segment, shown and announced.
MIN_RAMP_STEP_S = 30.0
#: FreeRide has no target; an easy forward pace, as a fraction of the reference speed.
FREE_RIDE_FRACTION = 0.6
#: The speed step of a treadmill that has not said its own (most have this one).
DEFAULT_INCREMENT_KMH = 0.1

#: Zwift's pace zones, by the number in a step's ``pace`` attribute.
PaceZone = Literal["1mile", "5k", "10k", "half_marathon", "marathon"]
PACE_ZONES: tuple[PaceZone, ...] = ("1mile", "5k", "10k", "half_marathon", "marathon")
PACE_NAMES: dict[PaceZone, str] = {
    "1mile": "one-mile pace",
    "5k": "5 km pace",
    "10k": "10 km pace",
    "half_marathon": "half-marathon pace",
    "marathon": "marathon pace",
}
#: How a file's ``Duration`` numbers are read: seconds, or metres.
DurationKind = Literal["time", "distance"]
DURATION_KINDS: tuple[DurationKind, ...] = ("time", "distance")

_RAMPS = ("Warmup", "Cooldown", "Ramp")
_IGNORED = {"textevent", "TextEvent", "gameplayevent", "TextNotification"}


def pace_setting(zone: PaceZone) -> str:
    """The settings key holding the speed for ``zone``: ``zwo_pace_5k_kmh``."""
    return f"zwo_pace_{zone}_kmh"


@dataclass(frozen=True)
class ZwoReference:
    """What a ``.zwo`` file's fractions are fractions of, and how to read its durations.

    ``speed_kmh`` is for steps without a ``pace`` attribute (and for a zone with no speed
    of its own); ``paces_kmh`` holds the speed for each of Zwift's pace zones the user
    has set. ``origins`` says where each came from (``speed`` and the zones), for the
    profile's sources and for messages. ``durations`` overrides the file's
    ``durationType``. Speeds are brought onto the grid ``grid_origin_kmh + n *
    increment_kmh``: the treadmill's, once it is known.
    """

    speed_kmh: float | None = None
    paces_kmh: Mapping[PaceZone, float] = field(default_factory=dict)
    durations: DurationKind | None = None
    origins: Mapping[str, str] = field(default_factory=dict)
    increment_kmh: float = DEFAULT_INCREMENT_KMH
    grid_origin_kmh: float = 0.0
    config_path: Path | None = None

    @classmethod
    def given(cls, speed_kmh: float, **options: Any) -> ZwoReference:
        """One speed for every step, whatever its pace zone (``--reference-speed``): no
        zone has a speed of its own."""
        return cls(speed_kmh=speed_kmh, origins={"speed": "--reference-speed"}, **options)

    def on_grid_of(self, speed_range: SupportedRange | None) -> ZwoReference:
        """The same reference, with speeds on this treadmill's grid."""
        if speed_range is None or speed_range.increment <= 0:
            return self
        return replace(
            self, increment_kmh=speed_range.increment, grid_origin_kmh=speed_range.minimum
        )

    def on_grid(self, speed_kmh: float) -> float:
        """``speed_kmh`` rounded to the nearest speed the treadmill can be set to."""
        steps = math.floor((speed_kmh - self.grid_origin_kmh) / self.increment_kmh + 0.5 + 1e-9)
        return round(self.grid_origin_kmh + steps * self.increment_kmh, 2)


def zwo_reference(
    settings: Settings,
    *,
    speed_kmh: float | None = None,
    durations: DurationKind | None = None,
) -> ZwoReference:
    """The reference for ``.zwo`` files: ``speed_kmh`` (``--reference-speed``) for every
    step if given, else the speeds in the settings."""
    if speed_kmh is not None:
        return ZwoReference.given(speed_kmh, durations=durations, config_path=settings.config_path)
    paces: dict[PaceZone, float] = {}
    origins: dict[str, str] = {}
    for zone in PACE_ZONES:
        value = getattr(settings, pace_setting(zone))
        if value is not None:
            paces[zone] = value
            origins[zone] = settings.origin(pace_setting(zone))
    if settings.zwo_reference_speed_kmh is not None:
        origins["speed"] = settings.origin("zwo_reference_speed_kmh")
    return ZwoReference(
        speed_kmh=settings.zwo_reference_speed_kmh,
        paces_kmh=paces,
        durations=durations,
        origins=origins,
        config_path=settings.config_path,
    )


def load_zwo(path: Path | str, reference: ZwoReference) -> Profile:
    """The run workout in a ``.zwo`` file, as forward segments."""
    file = Path(path)
    source = display_path(file)
    try:
        text = file.read_bytes()
    except FileNotFoundError:
        raise ProfileError(source, "no such file") from None
    except OSError as exc:
        raise ProfileError(source, f"cannot read the file: {exc}") from None
    return parse_zwo(text, source=source, name=file.stem, reference=reference)


def parse_zwo(text: str | bytes, *, source: str, name: str, reference: ZwoReference) -> Profile:
    """The run workout in ``.zwo`` XML ``text``; ``source`` names it in messages."""
    import xml.etree.ElementTree as ET  # noqa: PLC0415 (see TYPE_CHECKING above)

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
    stated = _text(root, "durationType").lower()
    if stated and stated not in DURATION_KINDS:
        raise ProfileError(source, f"<durationType> {stated!r} is neither 'time' nor 'distance'")
    durations = reference.durations or ("distance" if stated == "distance" else "time")
    importer = _Importer(source, reference, distance=durations == "distance")
    segments: list[dict[str, Any]] = []
    problems: list[str] = []
    for number, element in enumerate(workout, 1):
        try:
            segments += importer.element(number, element)
        except ProfileError as exc:
            problems += exc.problems
    problems += importer.missing_references()
    if problems:
        raise ProfileError(source, problems)
    if not segments:
        raise ProfileError(source, "the <workout> element has no steps")
    author = _text(root, "author")
    data: dict[str, Any] = {
        "name": name,
        "title": _text(root, "name") or name,
        "description": _text(root, "description"),
        "who_for": "Imported from a Zwift workout file; all segments are forward.",
        "sources": [
            f"{source}{f' by {author}' if author else ''}: speeds are the file's fractions "
            f"of {importer.used_references()}",
            _durations_note(stated, durations, reference),
        ],
        "segments": segments,
    }
    return profile_from_data(data, source=source)


def _durations_note(stated: str, durations: DurationKind, reference: ZwoReference) -> str:
    unit = "metres, run at each step's speed" if durations == "distance" else "seconds"
    if reference.durations is None:
        return f"Durations are {unit}, as the file says."
    said = f"the file says {stated!r}" if stated else "the file does not say"
    return f"Durations are {unit}, as asked ({said})."


def _text(root: ET.Element, tag: str) -> str:
    found = root.find(tag)
    return (found.text or "").strip() if found is not None else ""


class _Importer:
    def __init__(self, source: str, reference: ZwoReference, *, distance: bool) -> None:
        self.source = source
        self.reference = reference
        self.distance = distance
        #: Steps that need a speed the user has not given: by what they need.
        self._missing: dict[PaceZone | None, list[int]] = {}
        self._used: dict[PaceZone | None, float] = {}

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

    # -- reference speeds ------------------------------------------------------------

    def zone(self, number: int, element: ET.Element) -> PaceZone | None:
        """The pace zone the element's ``pace`` attribute names (None: no attribute)."""
        raw = element.get("pace")
        if raw is None:
            return None
        try:
            index = float(raw)
        except ValueError:
            index = -1.0
        if index not in range(len(PACE_ZONES)):
            zones = ", ".join(f"{i} {PACE_NAMES[z]}" for i, z in enumerate(PACE_ZONES))
            raise self.fail(number, element, f"pace={raw!r} is not one of Zwift's ({zones})")
        return PACE_ZONES[int(index)]

    def reference_kmh(self, number: int, element: ET.Element) -> float:
        """The speed the element's fractions are fractions of."""
        reference = self.reference
        zone = self.zone(number, element)
        if zone is not None and zone in reference.paces_kmh:
            speed = reference.paces_kmh[zone]
            self._used[zone] = speed
            return speed
        if reference.speed_kmh is not None:
            self._used[None] = reference.speed_kmh
            return reference.speed_kmh
        self._missing.setdefault(zone, []).append(number)
        return 10.0  # a stand-in, so that the rest of the file is checked too

    def missing_references(self) -> list[str]:
        """One line for each speed the user has yet to give, naming the steps needing it."""
        lines = []
        where = f" in {self.reference.config_path}" if self.reference.config_path else ""
        for zone, numbers in self._missing.items():
            one = len(numbers) == 1
            steps = f"workout step{'' if one else 's'} {_numbers(numbers)}"
            if zone is None:
                need = (
                    f"{'has' if one else 'have'} no pace attribute and "
                    f"{'needs' if one else 'need'} a reference speed"
                )
                keys = ["zwo_reference_speed_kmh"]
            else:
                index = PACE_ZONES.index(zone)
                need = f'{"asks" if one else "ask"} for your {PACE_NAMES[zone]} (pace="{index}")'
                keys = [pace_setting(zone), "zwo_reference_speed_kmh"]
            settings = " or ".join(f"{key}{where} ({env_var(key)})" for key in keys)
            lines.append(f"{steps} {need}: give --reference-speed KMH, or set {settings}")
        return lines

    def used_references(self) -> str:
        """The speeds used, with where each came from: for the profile's sources."""
        parts = []
        for zone, speed in self._used.items():
            what = "the reference speed" if zone is None else f"your {PACE_NAMES[zone]}"
            origin = self.reference.origins.get("speed" if zone is None else zone)
            parts.append(f"{what} {speed:g} km/h" + (f" ({origin})" if origin else ""))
        return ", ".join(parts) or "no speed"

    def speed(self, number: int, element: ET.Element, fraction: float, reference: float) -> float:
        speed = self.reference.on_grid(fraction * reference)
        if speed <= 0:
            raise self.fail(number, element, f"a target of {fraction:g} gives no speed")
        return speed

    # -- durations --------------------------------------------------------------------

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

    # -- elements ---------------------------------------------------------------------

    def element(self, number: int, element: ET.Element) -> list[dict[str, Any]]:
        tag = element.tag
        if tag in _IGNORED:
            return []
        label = f"{tag} {number}"
        if tag in ("SteadyState", "FreeRide"):
            reference = self.reference_kmh(number, element)
            if tag == "FreeRide":
                fraction = FREE_RIDE_FRACTION
            elif element.get("Power") is not None:
                fraction = self.number(number, element, "Power")
            else:
                low = self.number(number, element, "PowerLow")
                fraction = (low + self.number(number, element, "PowerHigh")) / 2
            speed = self.speed(number, element, fraction, reference)
            amount = self.number(number, element, "Duration")
            seconds = self.duration(number, element, self.seconds(amount, speed))
            return [self.segment(speed, seconds, label, self.cues(number, element, speed))]
        if tag in _RAMPS:
            return list(self.ramp(number, element, label))
        if tag == "IntervalsT":
            return [self.intervals(number, element, label)]
        if tag == "MaxEffort":
            raise self.fail(number, element, "has no target speed; replace it with SteadyState")
        raise self.fail(number, element, "is not a workout step this importer knows")

    def ramp(self, number: int, element: ET.Element, label: str) -> Iterator[dict[str, Any]]:
        reference = self.reference_kmh(number, element)
        start = self.number(number, element, "PowerLow", "Power") * reference
        end = self.number(number, element, "PowerHigh", "Power") * reference
        amount = self.number(number, element, "Duration")
        average = self.speed(number, element, (start + end) / 2 / reference, reference)
        total_s = self.duration(number, element, self.seconds(amount, average))
        steps = ramp_steps(start, end, total_s, self.reference)
        if any(speed <= 0 for speed, _ in steps):
            raise self.fail(number, element, "starts or ends at a target that gives no speed")
        if self.distance:  # each step covers its share of the metres, at its own speed
            share = amount / sum(weight for _, weight in steps)
            steps = [(speed, weight * share / (speed / 3.6)) for speed, weight in steps]
        cues = self.cues(number, element, average)
        begin = 0.0
        for index, (speed, step_s) in enumerate(steps):
            last = index == len(steps) - 1
            mine = [
                {"at": cue["at"] - begin, "text": cue["text"]}
                for cue in cues
                if begin <= cue["at"] < begin + step_s or (last and cue["at"] >= begin)
            ]
            step_label = f"{label} step {index + 1}/{len(steps)}" if len(steps) > 1 else label
            yield self.segment(speed, step_s, step_label, mine)
            begin += step_s

    def intervals(self, number: int, element: ET.Element, label: str) -> dict[str, Any]:
        times = round(self.number(number, element, "Repeat")) if element.get("Repeat") else 1
        if times > MAX_REPEAT_TIMES:
            raise self.fail(
                number, element, f"Repeat={times:,} is more than {MAX_REPEAT_TIMES} repeats"
            )
        reference = self.reference_kmh(number, element)
        on_fraction = self.number(number, element, "OnPower", "PowerOnHigh")
        off_fraction = self.number(number, element, "OffPower", "PowerOffHigh")
        on_speed = self.speed(number, element, on_fraction, reference)
        off_speed = self.speed(number, element, off_fraction, reference)
        on = (on_speed, self.seconds(self.number(number, element, "OnDuration"), on_speed))
        off = (off_speed, self.seconds(self.number(number, element, "OffDuration"), off_speed))
        cycle_s = on[1] + off[1]
        # Metres into the element (distoffset) are taken at the cycle's average speed.
        cycle_kmh = (on[1] * on_speed + off[1] * off_speed) / cycle_s if cycle_s else on_speed
        cues = self.cues(number, element, cycle_kmh)
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

    def cues(self, number: int, element: ET.Element, speed_kmh: float) -> list[dict[str, Any]]:
        """The element's text events, at seconds into it: ``timeoffset`` seconds, or
        ``distoffset`` metres run at ``speed_kmh``."""
        found = []
        for event in element:
            if event.tag.lower() != "textevent":
                continue
            message = (event.get("message") or "").strip()
            seconds = event.get("timeoffset", event.get("timeOffset"))
            metres = event.get("distoffset")
            name, raw = (
                ("distoffset", metres)
                if seconds is None and metres is not None
                else ("timeoffset", seconds or "0")
            )
            try:
                at = float(raw)
            except ValueError:
                raise self.fail(
                    number, element, f"<textevent> {name}={raw!r} is not a number"
                ) from None
            if name == "distoffset":
                at /= speed_kmh / 3.6
            if message:
                found.append({"at": max(at, 0.0), "text": message})
        return sorted(found, key=lambda cue: float(cue["at"]))


def ramp_steps(
    start_kmh: float, end_kmh: float, total_s: float, reference: ZwoReference
) -> list[tuple[float, float]]:
    """A ramp from ``start_kmh`` to ``end_kmh`` over ``total_s`` as ``(km/h, seconds)``
    steps the treadmill can take: each on its speed grid, each at least
    :data:`MIN_RAMP_STEP_S` long (a shorter ramp is one step), neighbours at different
    speeds. Each step is at the ramp's value at its middle."""
    by_time = max(1, math.floor(total_s / MIN_RAMP_STEP_S + 1e-9))
    by_grid = max(1, math.floor(abs(end_kmh - start_kmh) / reference.increment_kmh + 1e-9))
    count = min(by_time, by_grid)
    step_s = total_s / count
    steps: list[tuple[float, float]] = []
    for index in range(count):
        speed = reference.on_grid(start_kmh + (end_kmh - start_kmh) * (index + 0.5) / count)
        if steps and math.isclose(steps[-1][0], speed):
            steps[-1] = (speed, steps[-1][1] + step_s)
        else:
            steps.append((speed, step_s))
    return steps


def _numbers(numbers: list[int]) -> str:
    shown = [str(n) for n in numbers[:6]]
    more = f" and {len(numbers) - 6} more" if len(numbers) > 6 else ""
    return ", ".join(shown) + more
