"""The person's nudges to a segment (`+`/`-`, `]`/`[`), within the ceilings, ramped and
never a jump; and reaching the segment's speed again once a limit is lifted. In advisory
mode the same nudge becomes advice: what to set at the console.

An adjustment lasts until the next segment (the runner resets the offsets).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from treadctl.workout.holds import RunState
from treadctl.workout.timeline import (
    StepKind,
    speed_key,
)

if TYPE_CHECKING:
    from treadctl.workout.runner import Runner


#: One key press (TUI or headless) changes the speed by this much, within the ceilings...
ADJUST_SPEED_STEP_KMH = 0.1
#: ...and the incline by this much.
ADJUST_INCLINE_STEP_PCT = 0.5


class Adjuster:
    """Speed and incline adjustments of the running segment, for the runner."""

    def __init__(self, runner: Runner) -> None:
        self.r = runner
        self._adjust_task: asyncio.Task[None] | None = None

    def speed(self, delta_kmh: float) -> None:
        """Nudge the current segment's speed, within the ceilings; ramped, never a jump."""
        self.r._user("adjust_speed", delta_kmh)
        step = self.r.current_step
        if step.kind is not StepKind.SEGMENT or self.r.state is not RunState.RUNNING:
            return
        ceiling = self.r.limits.speed_ceiling(self.r.facing)
        low = self.r.gate.grid.minimum_kmh
        wanted = min(max(step.speed_kmh + self.r.offset_kmh + delta_kmh, low), ceiling)
        if step.speed_kmh + self.r.offset_kmh + delta_kmh > ceiling:
            self.r.alert(
                "H2",
                "ceiling",
                f"Held at {self.r.limits.describe(speed_key(self.r.facing), ceiling)}.",
            )
        self.r.offset_kmh = wanted - step.speed_kmh
        if self.r.advisory is not None:
            self.r.advisory.speed_adjusted(wanted)  # the person sets it at the console
            return
        self.cancel()
        self._adjust_task = self.r.spawn(self.r.steps.ramp_to(wanted, workout_clock=False))

    def incline(self, delta_pct: float) -> None:
        self.r._user("adjust_incline", delta_pct)
        step = self.r.current_step
        if step.kind is not StepKind.SEGMENT or self.r.state is not RunState.RUNNING:
            return
        rng = self.r.client.incline_range
        high = rng.maximum
        ceiling = self.r.limits.incline_ceiling(self.r.facing)
        if ceiling is not None:
            high = min(high, ceiling)
        wanted = min(
            max(step.incline_pct + self.r.offset_incline_pct + delta_pct, rng.minimum), high
        )
        self.r.offset_incline_pct = wanted - step.incline_pct
        if self.r.advisory is not None:
            self.r.advisory.incline_adjusted(wanted)
            return
        self.r.spawn(self.r.belt.incline(wanted))

    def cancel(self) -> None:
        if self._adjust_task is not None:
            self._adjust_task.cancel()
            self._adjust_task = None

    def reach_segment_speed(self) -> None:
        """In a running segment, ramp to its speed (after a limit was lifted)."""
        if self.r.advisory is not None:
            self.r.advisory.unit_checked()  # the person sets it
            return
        step = self.r.current_step
        if step.kind is not StepKind.SEGMENT or self.r.holds.state is not RunState.RUNNING:
            return
        if self._adjust_task is not None and not self._adjust_task.done():
            return
        target = step.speed_kmh + self.r.offset_kmh
        self._adjust_task = self.r.spawn(self.r.steps.ramp_to(target, workout_clock=False))
