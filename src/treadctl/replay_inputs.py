"""What a session log tells a replay: the profile, the limits, the machine, the actions.

A log can be damaged (a crash, an editor, a disk): every field is checked, and what is
wrong is either skipped with a warning (a damaged action, an unknown quirk) or refused
with an error naming the file, the line and the field (limits that cannot be used).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

from treadctl.sessions import Session, SessionFileError
from treadctl.sim import Quirk
from treadctl.units import SpeedUnit
from treadctl.workout.timeline import LimitOrigin, PlanLimits

#: The actions a replay knows how to do again.
ACTIONS = frozenset({"confirm", "pause", "resume", "adjust_speed", "adjust_incline", "stop"})


@dataclass
class ReplayInputs:
    profile: str
    limits: PlanLimits | None
    quirks: frozenset[Quirk]
    speed_unit: SpeedUnit
    actions: list[tuple[float, str, float | None]]
    warnings: list[str] = field(default_factory=list)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def replay_inputs(session: Session) -> ReplayInputs:
    """Check and take what a replay needs from ``session``.

    Raises:
        SessionFileError: the header cannot be used (no profile, unusable limits).
    """
    path, header = session.path, session.header
    warnings: list[str] = []
    if session.damaged_lines:
        shown = ", ".join(map(str, session.damaged_at[:5]))
        warnings.append(f"{path}: {session.damaged_lines} damaged line(s) skipped ({shown})")
    profile = header.get("source") or header.get("profile")
    if not isinstance(profile, str) or not profile:
        raise SessionFileError(f"{path}: line 1: the header names no profile to replay")
    limits = _limits(session, warnings)
    treadmill = header.get("treadmill", {})
    if not isinstance(treadmill, dict):
        warnings.append(f"{path}: line 1: 'treadmill' is not an object: a plain simulator is used")
        treadmill = {}
    known = {str(q) for q in Quirk}
    raw_quirks = treadmill.get("quirks", [])
    raw_quirks = raw_quirks if isinstance(raw_quirks, list) else []
    quirks = frozenset(Quirk(q) for q in raw_quirks if q in known)
    unknown = [q for q in raw_quirks if q not in known]
    if unknown:
        warnings.append(f"{path}: line 1: unknown quirks ignored: {unknown!r}")
    unit = treadmill.get("speed_unit", "kmh")
    speed_unit: SpeedUnit = "mph" if unit == "mph" else "kmh"
    return ReplayInputs(profile, limits, quirks, speed_unit, _actions(session, warnings), warnings)


def _limits(session: Session, warnings: list[str]) -> PlanLimits | None:
    raw = session.header.get("limits")
    if raw is None:
        return None
    path = session.path
    if not isinstance(raw, dict):
        raise SessionFileError(f"{path}: line 1: 'limits' is not an object")
    fields = {f.name: f for f in dataclasses.fields(PlanLimits)}
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        warnings.append(f"{path}: line 1: unknown limits ignored: {', '.join(unknown)}")
    values: dict[str, Any] = {}
    for name, value in raw.items():
        if name not in fields:
            continue
        if name == "origins":
            values[name] = _origins(value, f"{path}: line 1: limits.origins", warnings)
        elif name == "turn_confirm":
            if not isinstance(value, bool):
                raise SessionFileError(
                    f"{path}: line 1: limits.{name}: {value!r} is not true or false"
                )
            values[name] = value
        elif name == "max_heart_rate_bpm" and value is None:
            values[name] = None
        else:
            number = _number(value)
            if number is None or number < 0:
                raise SessionFileError(f"{path}: line 1: limits.{name}: {value!r} is not a number")
            values[name] = int(number) if name == "max_heart_rate_bpm" else number
    return PlanLimits(**values)


def _origins(raw: Any, where: str, warnings: list[str]) -> dict[str, LimitOrigin]:
    """Whose each recorded ceiling was (for messages only: a bad entry is left out)."""
    origins: dict[str, LimitOrigin] = {}
    items = raw.items() if isinstance(raw, dict) else ()
    for key, value in items:
        profile = value.get("profile") if isinstance(value, dict) else None
        place = value.get("where") if isinstance(value, dict) else None
        if isinstance(profile, bool) and isinstance(place, str):
            origins[key] = LimitOrigin(profile, place)
        else:
            warnings.append(f"{where}.{key}: {value!r} is not a limit's origin; left out")
    if not isinstance(raw, dict):
        warnings.append(f"{where}: {raw!r} is not an object; left out")
    return origins


def _actions(session: Session, warnings: list[str]) -> list[tuple[float, str, float | None]]:
    actions: list[tuple[float, str, float | None]] = []
    bad = 0
    for event in session.of_type("user"):
        t_s, action, value = _number(event.get("t")), event.get("action"), event.get("value")
        if t_s is None or t_s < 0 or action not in ACTIONS:
            bad += 1
            continue
        number = _number(value)
        if action in ("adjust_speed", "adjust_incline") and number is None:
            bad += 1
            continue
        actions.append((t_s, str(action), number))
    if bad:
        warnings.append(f"{session.path}: {bad} damaged person action(s) skipped")
    return actions
