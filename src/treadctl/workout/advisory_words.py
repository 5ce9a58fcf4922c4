"""What advisory mode tells the person: the console setting in words, the turn speed it
asks for, and the cues of a segment and of the turn after it.

Advisory mode (:mod:`treadctl.workout.advisory`) cannot set the belt, so these words are
its control: each is worked out when it is due, from what the belt reports then.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from treadctl.workout.coaching import BACKWARD_TIPS
from treadctl.workout.events import Countdown, CueEvent, Turnaround, WorkoutEvent
from treadctl.workout.steps import Mark
from treadctl.workout.timeline import SegmentStep

if TYPE_CHECKING:
    from treadctl.workout.runner import Runner


def set_words(r: Runner, kmh: float, incline_pct: float | None = None, *, capped: bool) -> str:
    """ "Set 2.0 km/h at the console", with what else the person needs to hear: start the
    belt first, a step at a time facing backward, the incline, and (``capped``) why the
    speed is held lower than the segment's."""
    belt = r.belt_actions.trusted_kmh() or 0.0
    if belt <= 0.05:
        words = f"Start the belt at the console and set {kmh:.1f} km/h"
    else:
        words = f"Set {kmh:.1f} km/h at the console"
    if capped:
        words += " (held lower until treadctl has checked the treadmill's speed unit)"
    if r.facing == "backward" and kmh > belt + 0.2:
        words += ", a step at a time"
    shown = r.client.state.incline_pct
    if incline_pct is not None and (shown is None or abs(shown - incline_pct) >= 0.25):
        words += f", incline {incline_pct:g} %"
    return words + "."


def turn_kmh(r: Runner) -> float:
    """The turn speed, under both ways' ceilings; 0: pause the belt for the turn. As
    careful as the unit check allows (a reported 0.8 may be 0.8 mph until checked)."""
    limits = r.limits
    wanted = min(limits.turn_speed_kmh, limits.max_forward_speed_kmh, limits.max_backward_speed_kmh)
    return round(max(0.0, wanted * r.gate.unit_factor), 2)


def turn_marks(
    r: Runner, index: int, duration_s: float, warned: Callable[[], None]
) -> list[tuple[float, Mark]]:
    """The warning and countdown before the turn after step ``index``, if any
    (``warned`` is called when the warning goes out: a turn is never sprung on anyone)."""
    turn = r.timeline.next_turn_after(index)
    if turn is None:
        return []
    warn_s = min(r.limits.turn_warning_s, duration_s)

    def warning() -> WorkoutEvent | None:
        if turn.to_facing == r.facing:
            return None
        warned()
        speed_kmh = turn_kmh(r)  # decided when due: the unit may be checked by then
        what = f"slow to {speed_kmh:.1f} km/h" if speed_kmh > 0 else "pause the belt"
        return Turnaround(
            "warning",
            turn.facing,
            turn.to_facing,
            speed_kmh,
            f"Turn coming in {warn_s:.0f} s: then {what} at the console. Hands on the rails.",
        )

    marks: list[tuple[float, Mark]] = [(duration_s - warn_s, warning)]
    for k in range(int(warn_s + 0.999), 0, -1):
        marks.append((duration_s - k, Countdown("turn: slow down", k)))
    return marks


def segment_marks(
    r: Runner,
    index: int,
    step: SegmentStep,
    duration_s: float,
    warned: Callable[[], None],
) -> list[tuple[float, Mark]]:
    """The segment's own cues (on what is left of it), a backward tip, the turn's."""
    offset_s = step.duration_s - duration_s
    marks: list[tuple[float, Mark]] = [
        (cue.at_s - offset_s, CueEvent(cue.text, step.segment.index))
        for cue in step.segment.cues
        if cue.at_s >= offset_s
    ]
    if step.facing == "backward" and not any(c.at_s == 0 for c in step.segment.cues):
        tip = BACKWARD_TIPS[step.segment.index % len(BACKWARD_TIPS)]
        marks.append((0.0, CueEvent(tip.spoken, step.segment.index)))
    return marks + turn_marks(r, index, duration_s, warned)
