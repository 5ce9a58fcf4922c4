"""From profile to timeline: the steps the runner executes, safety steps included.

The compiler inserts a turnaround at every direction change (H1: slow to the turn
speed, turn, then speed up), a ramp at every speed change (H3: bounded rate, gentler
when facing backward), clamps every backward segment to the ceilings (H2), and, once
the machine's ranges are known, brings every speed onto them (H4). Segment durations
are time at the segment's speed: ramps and turnarounds come on top.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any, ClassVar

from treadctl.config import Settings
from treadctl.ftms.ranges import SupportedRange
from treadctl.workout.profile import (
    CEILINGS,
    Direction,
    FlatSegment,
    ProfileError,
    format_number,
    limit_amount,
    limit_name,
)

#: Speeds closer than this are the same speed.
SPEED_EPSILON_KMH = 1e-6
#: A workout that begins backward starts facing forward for this long: nobody starts a
#: belt with their back to the console, and its first seconds show whether it obeys.
LEAD_IN_S = 10.0


class MachineTooFast(ProfileError):
    """The treadmill cannot go as slow as a ceiling of the workout requires (H2)."""


class StepKind(StrEnum):
    START = "start"
    RAMP = "ramp"
    SEGMENT = "segment"
    TURN = "turn"
    FINISH = "finish"


def _default(name: str) -> Any:
    """The default of setting ``name``: the settings are the one place defaults are written."""
    return Settings.model_fields[name].default


@dataclass(frozen=True)
class LimitOrigin:
    """Whose a ceiling is and where it is set, for messages: the user's (``where``: the
    config file or environment variable) or the profile's own (its file and field)."""

    profile: bool
    where: str


def speed_key(facing: Direction) -> str:
    """The setting (and profile limit) that caps the speed facing ``facing``."""
    return "max_backward_speed_kmh" if facing == "backward" else "max_forward_speed_kmh"


@dataclass(frozen=True)
class PlanLimits:
    """The numbers the compiler and runner need: the user's settings, tightened by the
    profile (:func:`treadctl.workout.plan.plan_limits` is the one place that does it).

    Each field is the setting of the same name; its default is the setting's default.
    ``origins`` says, for messages, whose each ceiling is; it never changes a number.
    """

    max_backward_speed_kmh: float = _default("max_backward_speed_kmh")
    max_backward_incline_pct: float = _default("max_backward_incline_pct")
    max_forward_speed_kmh: float = _default("max_forward_speed_kmh")
    ramp_rate_forward_kmh_per_s: float = _default("ramp_rate_forward_kmh_per_s")
    ramp_rate_backward_kmh_per_s: float = _default("ramp_rate_backward_kmh_per_s")
    turn_speed_kmh: float = _default("turn_speed_kmh")
    turn_hold_s: float = _default("turn_hold_s")
    turn_confirm: bool = _default("turn_confirm")
    turn_warning_s: float = _default("turn_warning_s")
    max_heart_rate_bpm: int | None = _default("max_heart_rate_bpm")
    heart_rate_over_s: float = _default("heart_rate_over_s")
    origins: Mapping[str, LimitOrigin] = field(default_factory=dict, compare=False)

    @classmethod
    def from_settings(cls, settings: Settings) -> PlanLimits:
        """The user's settings as they are (no profile to tighten them)."""
        values = {f.name: getattr(settings, f.name) for f in fields(cls) if f.name != "origins"}
        origins = {key: LimitOrigin(False, settings.origin(key)) for key in CEILINGS}
        return cls(**values, origins=origins)

    def describe(self, key: str, value: float | None = None) -> str:
        """The ceiling ``key`` (at ``value``, else its own) as messages name it, with where
        it is set: ``this profile's own backward speed limit of 1.0 km/h
        (limits.max_backward_speed_kmh in my.toml)``, ``your backward speed ceiling of
        3.0 km/h (max_backward_speed_kmh, the default)``."""
        amount = limit_amount(key, getattr(self, key) if value is None else value)
        origin = self.origins.get(key)
        if origin is None:
            return f"the {CEILINGS[key][0]} of {amount}"
        return f"{limit_name(key, profile=origin.profile)} of {amount} ({origin.where})"

    def ramp_rate(self, facing: Direction) -> float:
        if facing == "backward":
            return self.ramp_rate_backward_kmh_per_s
        return self.ramp_rate_forward_kmh_per_s

    def speed_ceiling(self, facing: Direction) -> float:
        if facing == "backward":
            return self.max_backward_speed_kmh
        return self.max_forward_speed_kmh

    def incline_ceiling(self, facing: Direction) -> float | None:
        return self.max_backward_incline_pct if facing == "backward" else None


@dataclass(frozen=True, kw_only=True)
class _StepBase:
    """What every step has. Speeds km/h, inclines %, times s on the workout clock.

    ``speed_kmh`` is where the belt is at the end of the step; a step starts facing
    ``facing`` (a turn ends facing ``to_facing``).
    """

    kind: ClassVar[StepKind]
    start_s: float
    duration_s: float
    facing: Direction
    speed_kmh: float
    incline_pct: float
    label: str = ""

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s

    @property
    def ends_facing(self) -> Direction:
        return self.facing


@dataclass(frozen=True, kw_only=True)
class StartStep(_StepBase):
    """Start the belt at its slowest speed (and, for a workout that begins backward,
    stay facing forward for the lead-in)."""

    kind: ClassVar[StepKind] = StepKind.START

    def describe(self) -> str:
        return f"start the belt at {self.speed_kmh:.1f} km/h, facing {self.facing}"


@dataclass(frozen=True, kw_only=True)
class RampStep(_StepBase):
    """Change speed from ``from_speed_kmh`` at ``rate_kmh_per_s`` (H3)."""

    kind: ClassVar[StepKind] = StepKind.RAMP
    from_speed_kmh: float
    rate_kmh_per_s: float

    def describe(self) -> str:
        return (
            f"ramp {self.from_speed_kmh:.1f} -> {self.speed_kmh:.1f} km/h "
            f"at {self.rate_kmh_per_s:g} km/h/s"
        )


@dataclass(frozen=True, kw_only=True)
class SegmentStep(_StepBase):
    """A profile's segment, at its speed and incline."""

    kind: ClassVar[StepKind] = StepKind.SEGMENT
    segment: FlatSegment

    def describe(self) -> str:
        return self.label or "segment"


@dataclass(frozen=True, kw_only=True)
class TurnStep(_StepBase):
    """A turnaround (H1): from ``facing`` to ``to_facing``, held ``duration_s``."""

    kind: ClassVar[StepKind] = StepKind.TURN
    to_facing: Direction
    confirm: bool = False

    @property
    def ends_facing(self) -> Direction:
        return self.to_facing

    def describe(self) -> str:
        how = "belt paused" if self.speed_kmh == 0 else f"at {self.speed_kmh:.1f} km/h"
        wait = ", wait for confirmation" if self.confirm else ""
        return f"turn around to face {self.to_facing} ({how}{wait})"


@dataclass(frozen=True, kw_only=True)
class FinishStep(_StepBase):
    """Stop the belt."""

    kind: ClassVar[StepKind] = StepKind.FINISH

    def describe(self) -> str:
        return "stop the belt"


#: One thing the runner does: each kind a class of its own, with only its own fields.
Step = StartStep | RampStep | SegmentStep | TurnStep | FinishStep


@dataclass(frozen=True)
class Timeline:
    steps: tuple[Step, ...]
    limits: PlanLimits
    adjustments: tuple[str, ...] = field(default=())
    """What the compiler changed and why (ceilings, machine ranges): shown once to the user."""

    @property
    def total_s(self) -> float:
        return self.steps[-1].end_s if self.steps else 0.0

    @property
    def backward_s(self) -> float:
        """Time at segment speed facing backward."""
        return sum(
            s.duration_s
            for s in self.steps
            if isinstance(s, SegmentStep) and s.facing == "backward"
        )

    @property
    def has_backward(self) -> bool:
        return any(s.ends_facing == "backward" for s in self.steps)

    def segments(self) -> list[SegmentStep]:
        return [s for s in self.steps if isinstance(s, SegmentStep)]

    def next_turn_after(self, index: int) -> TurnStep | None:
        """The turn that follows step ``index`` before the next segment, if any."""
        for step in self.steps[index + 1 :]:
            if isinstance(step, TurnStep):
                return step
            if isinstance(step, SegmentStep):
                return None
        return None


class _Builder:
    def __init__(self, limits: PlanLimits) -> None:
        self.limits = limits
        self.steps: list[Step] = []
        self.t_s = 0.0
        self.speed_kmh = 0.0
        self.incline_pct = 0.0

    def add(self, step: Step) -> None:
        self.steps.append(step)
        self.t_s += step.duration_s
        self.speed_kmh = step.speed_kmh
        self.incline_pct = step.incline_pct

    def ramp(self, to_kmh: float, facing: Direction, incline_pct: float) -> None:
        if abs(to_kmh - self.speed_kmh) <= SPEED_EPSILON_KMH:
            return
        rate = self.limits.ramp_rate(facing)
        self.add(
            RampStep(
                start_s=self.t_s,
                duration_s=abs(to_kmh - self.speed_kmh) / rate,
                facing=facing,
                speed_kmh=to_kmh,
                from_speed_kmh=self.speed_kmh,
                incline_pct=incline_pct,
                rate_kmh_per_s=rate,
            )
        )


def compile_timeline(
    segments: Sequence[FlatSegment],
    limits: PlanLimits,
    *,
    speed_range: SupportedRange | None = None,
    incline_range: SupportedRange | None = None,
    source: str | None = None,
) -> Timeline:
    """The steps for ``segments`` under ``limits``, on the machine's ranges if known.

    Raises:
        MachineTooFast: backward segments, and the machine's slowest speed is above the
            backward ceiling.
    """
    if not segments:
        raise ValueError("a timeline needs at least one segment")
    notes: list[str] = []
    ceiling_back = limits.max_backward_speed_kmh
    if (
        speed_range is not None
        and any(seg.direction == "backward" for seg in segments)
        and speed_range.minimum > ceiling_back + 1e-9
    ):
        raise MachineTooFast(
            source,
            f"this treadmill's slowest speed is {format_number(speed_range.minimum)} km/h, "
            f"above {limits.describe('max_backward_speed_kmh')}: this workout's backward "
            "segments cannot run on this treadmill",
            hint="Choose a workout without backward segments, or a treadmill that goes slower.",
        )
    # A turn is never faster than either facing's ceiling.
    turn_speed = min(limits.turn_speed_kmh, ceiling_back, limits.max_forward_speed_kmh)
    if speed_range is not None and 0 < turn_speed < speed_range.minimum:
        notes.append(
            f"the treadmill's slowest speed is {speed_range.minimum:g} km/h, above the turn "
            f"speed {turn_speed:g} km/h: the belt is paused for every turn instead"
        )
        turn_speed = 0.0

    def speed_for(seg: FlatSegment) -> float:
        wanted = seg.speed_kmh
        ceiling = limits.speed_ceiling(seg.direction)
        speed = min(wanted, ceiling)
        if speed < wanted:
            notes.append(
                f"{seg.path}: {wanted:g} km/h {seg.direction} is above "
                f"{limits.describe(speed_key(seg.direction))}; held at {ceiling:g} km/h"
            )
        if speed_range is not None:
            snapped = speed_range.snap(speed)
            if snapped.value > speed and seg.direction == "backward":
                # Rounding up would exceed what was asked facing backward: round down.
                lower = round(snapped.value - speed_range.increment, 2)
                if lower >= speed_range.minimum:
                    snapped = speed_range.snap(lower)
            if snapped.changed:
                notes.append(
                    f"{seg.path}: {speed:g} km/h is {snapped.value:g} km/h on this treadmill"
                )
            speed = snapped.value
        return speed

    def incline_for(seg: FlatSegment) -> float:
        incline = seg.incline_pct
        ceiling = limits.incline_ceiling(seg.direction)
        if ceiling is not None and incline > ceiling:
            notes.append(
                f"{seg.path}: {incline:g} % {seg.direction} is above "
                f"{limits.describe('max_backward_incline_pct')}; held at {ceiling:g} %"
            )
            incline = ceiling
        if incline_range is not None:
            snapped = incline_range.snap(incline)
            if snapped.changed:
                notes.append(f"{seg.path}: {incline:g} % is {snapped.value:g} % on this treadmill")
            incline = snapped.value
        return incline

    b = _Builder(limits)
    facing: Direction = "forward"
    slowest = speed_range.minimum if speed_range is not None else 0.5
    start_kmh = max(slowest, min(turn_speed or slowest, speed_for(segments[0])))
    lead_in_s = LEAD_IN_S if segments[0].direction == "backward" else 0.0
    b.add(
        StartStep(
            start_s=0.0,
            duration_s=lead_in_s,
            facing=facing,
            speed_kmh=start_kmh,
            incline_pct=0.0,
            label="start",
        )
    )
    for seg in segments:
        speed, incline = speed_for(seg), incline_for(seg)
        if seg.direction != facing:
            b.ramp(min(b.speed_kmh, turn_speed) if turn_speed else 0.0, facing, b.incline_pct)
            b.add(
                TurnStep(
                    start_s=b.t_s,
                    duration_s=limits.turn_hold_s,
                    facing=facing,
                    speed_kmh=b.speed_kmh,
                    incline_pct=incline,
                    to_facing=seg.direction,
                    confirm=limits.turn_confirm,
                    label="turn around",
                )
            )
            facing = seg.direction
        b.ramp(speed, facing, incline)
        b.add(
            SegmentStep(
                start_s=b.t_s,
                duration_s=seg.duration_s,
                facing=facing,
                speed_kmh=speed,
                incline_pct=incline,
                label=seg.display_label,
                segment=seg,
            )
        )
    b.ramp(0.0, facing, b.incline_pct)
    b.add(
        FinishStep(
            start_s=b.t_s,
            duration_s=0.0,
            facing=facing,
            speed_kmh=0.0,
            incline_pct=b.incline_pct,
            label="finish",
        )
    )
    return Timeline(tuple(b.steps), limits, tuple(dict.fromkeys(notes)))
