"""What a treadmill's ``state`` and ``event`` messages say, read defensively. Pure, no I/O.

Anyone who may publish under ``treadctl/`` can send anything, so every payload is read
as untrusted: not JSON, not an object, a number that is not finite, a field of the wrong
type, or a payload over :data:`MAX_PAYLOAD_BYTES` raises :class:`PayloadError` (the
fleet counts it and goes on). Text is cut to a length a tile can show and stripped of
control characters, so no payload can move the cursor or ring the terminal's bell.
Missing fields are ``None``: states from an older treadctl lack the newest ones.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any, Final, Literal

from treadctl.errors import TreadctlError

#: A state is a few hundred bytes; anything this big is not one.
MAX_PAYLOAD_BYTES: Final = 16 * 1024
#: Labels (profile, segment, name) and messages are cut to these lengths.
MAX_LABEL_CHARS: Final = 60
MAX_MESSAGE_CHARS: Final = 200

#: The values of ``workout_state`` (the publisher's ``WORKOUT_STATES``).
WORKOUT_STATES: Final = ("idle", "running", "turning", "paused", "finished", "aborted")
#: A workout in one of these is over: its treadmill needs no watching.
ENDED_STATES: Final = ("finished", "aborted")

Facing = Literal["forward", "backward"]
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


class PayloadError(TreadctlError, ValueError):
    """A message that cannot be a treadctl state or event; the text says why."""


def clean_text(value: object, limit: int = MAX_LABEL_CHARS) -> str:
    """``value`` as one printable line of at most ``limit`` characters."""
    text = _CONTROL.sub(" ", str(value)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _load(payload: bytes) -> dict[str, Any]:
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise PayloadError(f"{len(payload)} bytes is too big")
    try:
        data = json.loads(payload)
    except (ValueError, UnicodeDecodeError) as exc:
        raise PayloadError(f"not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise PayloadError(f"not a JSON object but {type(data).__name__}")
    return data


def _number(data: dict[str, Any], key: str) -> float | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PayloadError(f"{key} is not a number: {value!r:.40}")
    if not math.isfinite(value):
        raise PayloadError(f"{key} is not finite")
    return float(value)


def _whole(data: dict[str, Any], key: str) -> int | None:
    value = _number(data, key)
    return None if value is None else round(value)


def _flag(data: dict[str, Any], key: str) -> bool | None:
    value = data.get(key)
    if value is None or isinstance(value, bool):
        return value
    raise PayloadError(f"{key} is not true or false: {value!r:.40}")


def _text(data: dict[str, Any], key: str, limit: int = MAX_LABEL_CHARS) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise PayloadError(f"{key} is not text: {value!r:.40}")
    return clean_text(value, limit)


@dataclass(frozen=True)
class Alert:
    """A safety alert as the treadmill reported it; ``ts`` in Unix seconds."""

    hazard: str
    kind: str
    message: str
    needs_ack: bool = False
    ts: float | None = None


def alert_from(data: object) -> Alert:
    if not isinstance(data, dict):
        raise PayloadError("an alert is not a JSON object")
    return Alert(
        hazard=_text(data, "hazard", 8) or "?",
        kind=_text(data, "kind", 40) or "?",
        message=_text(data, "message", MAX_MESSAGE_CHARS) or "",
        needs_ack=bool(_flag(data, "needs_ack")),
        ts=_number(data, "ts"),
    )


@dataclass(frozen=True)
class TreadmillStatus:
    """One ``state`` message (docs/mqtt.md, "State"). Units in the names."""

    ts: float | None
    seq: int | None
    workout_state: str
    """One of :data:`WORKOUT_STATES`, or ``unknown`` for anything else."""
    profile: str | None = None
    segment: str | None = None
    facing: Facing | None = None
    speed_kmh: float | None = None
    incline_pct: float | None = None
    distance_m: float | None = None
    elapsed_s: float | None = None
    segment_left_s: float | None = None
    energy_kcal: float | None = None
    heart_rate_bpm: int | None = None
    backward_s: float | None = None
    link_connected: bool | None = None
    paused_reason: str | None = None
    safety_alerts: int = 0
    name: str | None = None
    awaiting_confirm: bool = False
    last_alert: Alert | None = None

    @property
    def ended(self) -> bool:
        return self.workout_state in ENDED_STATES

    @property
    def held(self) -> bool:
        """Paused and waiting for the person on the belt (link back, speed, heart rate)."""
        return self.workout_state == "paused" and self.awaiting_confirm


def parse_state(payload: bytes) -> TreadmillStatus:
    """The state in ``payload``.

    Raises:
        PayloadError: it is not a state (see the module's docstring).
    """
    data = _load(payload)
    state = _text(data, "workout_state", 20)
    facing = _text(data, "facing", 20)
    if facing not in (None, "forward", "backward"):
        raise PayloadError(f"facing is neither forward nor backward: {facing!r}")
    raw_alert = data.get("last_alert")
    return TreadmillStatus(
        ts=_number(data, "ts"),
        seq=_whole(data, "seq"),
        workout_state=state if state in WORKOUT_STATES else "unknown",
        profile=_text(data, "profile"),
        segment=_text(data, "segment"),
        facing=facing,  # type: ignore[arg-type]
        speed_kmh=_number(data, "speed_kmh"),
        incline_pct=_number(data, "incline_pct"),
        distance_m=_number(data, "distance_m"),
        elapsed_s=_number(data, "elapsed_s"),
        segment_left_s=_number(data, "segment_left_s"),
        energy_kcal=_number(data, "energy_kcal"),
        heart_rate_bpm=_whole(data, "heart_rate_bpm"),
        backward_s=_number(data, "backward_s"),
        link_connected=_flag(data, "link_connected"),
        paused_reason=_text(data, "paused_reason", MAX_MESSAGE_CHARS),
        safety_alerts=_whole(data, "safety_alerts") or 0,
        name=_text(data, "name"),
        awaiting_confirm=bool(_flag(data, "awaiting_confirm")),
        last_alert=None if raw_alert is None else alert_from(raw_alert),
    )


@dataclass(frozen=True)
class WatchEvent:
    """One ``event`` message: its ``type``, its time, and a line that says it in words."""

    type: str
    ts: float | None
    text: str
    alert: Alert | None = None
    command: str | None = None
    """For ``remote_command``: the command the treadmill answered."""
    accepted: bool | None = None


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    whole = max(0, round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def _describe(kind: str, data: dict[str, Any]) -> str:
    match kind:
        case "workout_started":
            title = _text(data, "title") or _text(data, "profile") or "?"
            return (
                f"Started {title} ({_clock(_number(data, 'total_s'))}, "
                f"{_clock(_number(data, 'backward_s'))} backward)"
            )
        case "segment_started":
            label = _text(data, "label") or "?"
            speed = _number(data, "speed_kmh")
            speed_text = "" if speed is None else f" at {speed:.1f} km/h"
            return (
                f"Segment: {label}, {_text(data, 'facing', 10) or '?'}{speed_text} "
                f"for {_clock(_number(data, 'duration_s'))}"
            )
        case "turnaround":
            message = _text(data, "message", MAX_MESSAGE_CHARS)
            phase = _text(data, "phase", 30) or "?"
            return f"Turn ({phase.replace('_', ' ')}): {message}" if message else f"Turn: {phase}"
        case "cue":
            return f"Cue: {_text(data, 'text', MAX_MESSAGE_CHARS) or ''}"
        case "paused":
            return f"Paused: {_text(data, 'reason', MAX_MESSAGE_CHARS) or '?'}"
        case "resumed":
            return "Resumed"
        case "finished":
            summary = data.get("summary")
            if not isinstance(summary, dict):
                return "Finished"
            how = "completed" if summary.get("completed") is True else "ended early"
            reason = _text(summary, "reason", 80)
            distance = _number(summary, "distance_m")
            far = "" if distance is None else f", {distance / 1000:.2f} km"
            why = f" ({reason})" if reason and how != "completed" else ""
            return f"Finished: {how}{why}{far}"
        case _:
            return kind.replace("_", " ")


def parse_event(payload: bytes) -> WatchEvent:
    """The event in ``payload``, with a line of text for people.

    Raises:
        PayloadError: not a JSON object with a ``type``, or a field of the wrong type.
    """
    data = _load(payload)
    kind = _text(data, "type", 30)
    if not kind:
        raise PayloadError("an event without a type")
    ts = _number(data, "ts")
    if kind == "safety":
        alert = alert_from(data)
        text = f"⚠ {alert.hazard} {alert.kind.replace('_', ' ')}: {alert.message}"
        return WatchEvent(kind, ts, text, alert=alert)
    if kind == "remote_command":
        name = _text(data, "name", 40) or "?"
        accepted = bool(_flag(data, "accepted"))
        reason = _text(data, "reason", MAX_MESSAGE_CHARS) or ""
        verdict = "accepted" if accepted else "refused"
        return WatchEvent(
            kind,
            ts,
            f"Remote {name}: {verdict} ({reason})",
            command=name,
            accepted=accepted,
        )
    return WatchEvent(kind, ts, clean_text(_describe(kind, data), MAX_MESSAGE_CHARS))
