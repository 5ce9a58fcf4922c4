"""What the workout screen shows, worked out from the runner: plain functions, no Textual.

Kept apart from the widgets so the arithmetic (what comes next, how far along the
timeline we are, units) is tested without a screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from treadctl.formatting import clock_text
from treadctl.units import KMH_PER_MPH
from treadctl.workout.holds import RunState
from treadctl.workout.profile import Direction
from treadctl.workout.status import RunnerStatus
from treadctl.workout.timeline import FinishStep, SegmentStep, Step, Timeline, TurnStep

Units = Literal["kmh", "mph"]

#: Shown under every backward bout, whatever the profile's own cues say.

NextKind = Literal["cue", "turn", "segment", "finish", "hold", "confirm", "start"]


def speed_value(speed_kmh: float | None, units: Units = "kmh") -> str:
    """A speed as digits for a big number: ``2.5``; ``--`` when unknown."""
    if speed_kmh is None:
        return "-.-"
    value = speed_kmh / KMH_PER_MPH if units == "mph" else speed_kmh
    return f"{value:.1f}"


def speed_unit(units: Units = "kmh") -> str:
    return "mph" if units == "mph" else "km/h"


def speed_label(speed_kmh: float, units: Units = "kmh") -> str:
    return f"{speed_value(speed_kmh, units)} {speed_unit(units)}"


def distance_value(distance_m: float | None, units: Units = "kmh") -> str:
    if distance_m is None:
        return "-.--"
    km = distance_m / 1000
    value = km / KMH_PER_MPH if units == "mph" else km
    return f"{value:.2f}"


def distance_unit(units: Units = "kmh") -> str:
    return "mi" if units == "mph" else "km"


def incline_value(incline_pct: float | None) -> str:
    return "-.-" if incline_pct is None else f"{incline_pct:.1f}"


def whole_value(value: float | None) -> str:
    """Energy or heart rate: a whole number, ``--`` when unknown."""
    return "--" if value is None else f"{value:.0f}"


def time_value(seconds: float | None) -> str:
    """``04:05`` (or ``1:02:03``); ``--:--`` when there is no such time."""
    return "--:--" if seconds is None else clock_text(seconds + 0.999)


def facing_word(facing: Direction) -> str:
    return "BACKWARD" if facing == "backward" else "FORWARD"


@dataclass(frozen=True)
class NextUp:
    """What happens next, and in how many seconds (``None``: when the person acts)."""

    kind: NextKind
    text: str
    seconds: float | None = None

    def line(self) -> str:
        if self.seconds is None:
            return self.text
        return f"{self.text} in {clock_text(self.seconds + 0.999)}"


def _describe_segment(step: Step, units: Units) -> str:
    what = f"{facing_word(step.facing)} at {speed_label(step.speed_kmh, units)}"
    if step.incline_pct:
        what += f", {step.incline_pct:g} %"
    return f"{step.label or 'next segment'}: {what}"


def following(
    timeline: Timeline, index: int, after_s: float | None, units: Units = "kmh"
) -> NextUp:
    """The first thing worth announcing after step ``index``, ``after_s`` from now.

    Ramps are passed over (their time is added); ``after_s=None`` means the current
    step's end is not known, so neither is the countdown.
    """
    t = after_s
    for step in timeline.steps[index + 1 :]:
        match step:
            case TurnStep():
                to = facing_word(step.to_facing)
                return NextUp("turn", f"TURN AROUND to face {to}", t)
            case SegmentStep():
                return NextUp("segment", _describe_segment(step, units), t)
            case FinishStep():
                return NextUp("finish", "the end: the belt stops", t)
            case _:
                if t is not None:
                    t += step.duration_s
    return NextUp("finish", "the end: the belt stops", t)


def next_up(status: RunnerStatus, timeline: Timeline, units: Units = "kmh") -> NextUp:
    """What the person should expect next, from where the runner is now."""
    if status.state is RunState.READY:
        return NextUp("start", "The belt starts slowly. Hands on the rails.")
    if status.state is RunState.FINISHED:
        return NextUp("finish", "Workout over. Step off when the belt has stopped.")
    if status.paused:
        reason = status.pause_reason or "paused"
        if status.hold_needs_confirm:
            return NextUp("hold", f"PAUSED ({reason}): press Enter to go on")
        return NextUp("hold", f"PAUSED ({reason}): press r to resume")
    if status.turn_waiting:
        return NextUp("confirm", "Turned around? Press Enter to confirm")
    step = status.step
    left = status.segment_left_s
    if isinstance(step, SegmentStep) and left is not None:
        done = step.duration_s - left
        for cue in step.segment.cues:
            if cue.at_s > done + 0.5:
                return NextUp("cue", f'"{cue.text}"', cue.at_s - done)
        return following(timeline, status.step_index, left, units)
    return following(timeline, status.step_index, None, units)


def timeline_position(
    status: RunnerStatus, timeline: Timeline, step_elapsed_s: float = 0.0
) -> float:
    """Seconds along the compiled timeline the workout has got to.

    In a segment the runner knows; in a ramp or a turn the caller says how long the
    current step has run (``step_elapsed_s``), and the step's length caps it.
    """
    if status.state is RunState.FINISHED:
        return timeline.total_s
    step = status.step
    left = status.segment_left_s
    if isinstance(step, SegmentStep) and left is not None:
        return step.start_s + max(0.0, step.duration_s - left)
    return step.start_s + min(max(step_elapsed_s, 0.0), step.duration_s)
