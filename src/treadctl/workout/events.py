"""What the runner tells its front ends and sinks. It never prints: it emits these.

Every event is a frozen dataclass with a ``type`` used as the JSONL ``type`` field;
:func:`event_to_dict` gives its JSON form (the session log, MQTT, replays).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from treadctl.workout.profile import Direction

Hazard = Literal["H1", "H2", "H3", "H4", "H5", "H6", "H7", "H8", "H9", "H10", "H11", "H12"]
TurnPhase = Literal["warning", "slowing", "turn_now", "waiting_for_confirm", "speeding_up", "done"]


@dataclass(frozen=True)
class WorkoutStarted:
    type: ClassVar[str] = "workout_started"
    profile: str
    title: str
    total_s: float
    backward_s: float
    steps: int
    source: str | None = None
    adjustments: tuple[str, ...] = ()


@dataclass(frozen=True)
class SegmentStarted:
    type: ClassVar[str] = "segment_started"
    index: int
    label: str
    facing: Direction
    speed_kmh: float
    incline_pct: float
    duration_s: float


@dataclass(frozen=True)
class SegmentEnded:
    type: ClassVar[str] = "segment_ended"
    index: int
    label: str


@dataclass(frozen=True)
class CueEvent:
    type: ClassVar[str] = "cue"
    text: str
    segment: int | None = None


@dataclass(frozen=True)
class Countdown:
    """Seconds until something happens (a turn, the end of a segment)."""

    type: ClassVar[str] = "countdown"
    what: str
    seconds_left: int


@dataclass(frozen=True)
class Turnaround:
    type: ClassVar[str] = "turnaround"
    phase: TurnPhase
    from_facing: Direction
    to_facing: Direction
    speed_kmh: float
    message: str = ""


@dataclass(frozen=True)
class Advice:
    """Advisory mode: what to set at the treadmill's console now (treadctl cannot).

    ``speed_kmh`` 0 means pause or stop the belt; None: no speed change (an incline only).
    """

    type: ClassVar[str] = "advice"
    text: str
    speed_kmh: float | None = None
    incline_pct: float | None = None


@dataclass(frozen=True)
class SafetyAlert:
    """Something the person must know about now. ``needs_ack`` alerts stay until acknowledged."""

    type: ClassVar[str] = "safety"
    hazard: Hazard
    kind: str
    message: str
    needs_ack: bool = False


@dataclass(frozen=True)
class Sample:
    """About once a second: what the belt does and which way the person faces."""

    type: ClassVar[str] = "sample"
    speed_kmh: float | None
    incline_pct: float | None
    distance_m: float | None
    facing: Direction
    workout_s: float
    segment_left_s: float | None
    energy_kcal: float | None = None
    heart_rate_bpm: int | None = None
    """The rate acted on (the strap's before the treadmill's); None: unknown or none."""
    connected: bool = True
    step: int = 0
    steps: int | None = None
    """The treadmill's step count since the start, where it reports one (cadence)."""
    heart_rate_source: Literal["strap", "treadmill"] | None = None
    """Where ``heart_rate_bpm`` comes from; None: nothing reports a heart rate."""


@dataclass(frozen=True)
class Paused:
    type: ClassVar[str] = "paused"
    reason: str
    needs_confirm: bool = False


@dataclass(frozen=True)
class Resumed:
    type: ClassVar[str] = "resumed"


@dataclass(frozen=True)
class Command:
    """A command sent to the treadmill (speed and incline as sent, after clamping)."""

    type: ClassVar[str] = "command"
    name: str
    value: float | None = None
    ok: bool = True
    error: str | None = None


@dataclass(frozen=True)
class UserAction:
    """Something the user did; recorded so a replay can do it again at the same time."""

    type: ClassVar[str] = "user"
    action: str
    value: float | None = None


@dataclass(frozen=True)
class Summary:
    duration_s: float
    workout_s: float
    distance_m: float
    backward_s: float
    backward_distance_m: float
    energy_kcal: float | None
    safety_events: int
    completed: bool
    reason: str


@dataclass(frozen=True)
class Finished:
    type: ClassVar[str] = "finished"
    summary: Summary


WorkoutEvent = (
    WorkoutStarted
    | SegmentStarted
    | SegmentEnded
    | CueEvent
    | Countdown
    | Turnaround
    | Advice
    | SafetyAlert
    | Sample
    | Paused
    | Resumed
    | Command
    | UserAction
    | Finished
)

EVENT_TYPES: dict[str, type[Any]] = {
    cls.type: cls
    for cls in (
        WorkoutStarted,
        SegmentStarted,
        SegmentEnded,
        CueEvent,
        Countdown,
        Turnaround,
        Advice,
        SafetyAlert,
        Sample,
        Paused,
        Resumed,
        Command,
        UserAction,
        Finished,
    )
}


#: Each event type's field names, looked up once (a replay writes thousands of events).
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def event_to_dict(event: WorkoutEvent) -> dict[str, Any]:
    names = _FIELD_NAMES.get(type(event))
    if names is None:
        names = _FIELD_NAMES[type(event)] = tuple(f.name for f in dataclasses.fields(event))
    out: dict[str, Any] = {"type": event.type}
    for name in names:
        value = getattr(event, name)
        if isinstance(value, Summary):
            value = dataclasses.asdict(value)
        elif isinstance(value, tuple):
            value = list(value)
        out[name] = value
    return out


def summary_from_dict(data: dict[str, Any]) -> Summary:
    return Summary(**{f.name: data[f.name] for f in dataclasses.fields(Summary)})
