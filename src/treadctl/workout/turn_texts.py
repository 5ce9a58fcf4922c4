"""What is written about a turn, one text for each moment of it.

The runner's turn events carry these texts, and the TUI shows them and its prompt from
the same functions, so the two never disagree. Every number comes from the compiled
timeline: the lead of the warning, the speed after the turn. A speed-up is promised only
when the segment after the turn is faster than the turn speed. (The voice says shorter
words at the same moments: :mod:`treadctl.voice.narrator`.)
"""

from __future__ import annotations

from collections.abc import Callable

from treadctl.workout.timeline import SPEED_EPSILON_KMH, SegmentStep, Timeline, TurnStep

#: How the SOON countdown names the slow-down for a turn.
TURN_COUNTDOWN = "slowing for the turn"
SLOWING_TEXT = "Slowing down for the turn. Hands on the rails."
SPEEDING_UP_TEXT = "Speeding up again, gently."
CONFIRM_TEXT = "Press confirm when you have turned."


def turn_warning_text(seconds: int) -> str:
    """The warning, ``seconds`` before the belt slows down for a turn."""
    return f"Turn coming: the belt slows down in {seconds} s. Hands on the rails."


def turn_now_text(to_facing: str) -> str:
    return f"Turn around now to face {to_facing}."


def turn_now_cue(to_facing: str) -> str:
    return f"Turn around now: face {to_facing}, hands on the rails."


def _kmh(speed_kmh: float) -> str:
    return f"{speed_kmh:.1f} km/h"


def segment_after(timeline: Timeline, turn: TurnStep) -> SegmentStep | None:
    """The segment the turn leads to (ramps between are passed over)."""
    try:
        index = timeline.steps.index(turn)
    except ValueError:
        return None
    for step in timeline.steps[index + 1 :]:
        if isinstance(step, SegmentStep):
            return step
    return None


def speeds_up_after(turn: TurnStep, segment: SegmentStep | None) -> bool:
    """Does the belt speed up after ``turn`` (to the next segment's speed)?"""
    return segment is not None and segment.speed_kmh > turn.speed_kmh + SPEED_EPSILON_KMH


def after_turn_text(
    turn: TurnStep, segment: SegmentStep | None, speed: Callable[[float], str] = _kmh
) -> str:
    """What the belt does once the turn is over: ``the belt speeds up gently to
    2.5 km/h``, ``the belt stays at 0.8 km/h``, ``the belt starts again slowly``."""
    if segment is None:
        return "the belt stops: the workout is over"
    if turn.speed_kmh <= 0:
        return "the belt starts again slowly"
    if speeds_up_after(turn, segment):
        return f"the belt speeds up gently to {speed(segment.speed_kmh)}"
    if segment.speed_kmh < turn.speed_kmh - SPEED_EPSILON_KMH:
        return f"the belt slows to {speed(segment.speed_kmh)}"
    return f"the belt stays at {speed(turn.speed_kmh)}"
