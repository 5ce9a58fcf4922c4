"""The workout clock's waits: run for a stretch of workout time with its cues on time, wait
out a hold (finishing a resume the person asked for), wait for a turn to be confirmed.

Every wait wakes at least once a sample period, so the sample and the monitors run while
anything waits, and at once when the treadmill reports (the runner's wake event).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import TYPE_CHECKING

from treadctl.workout.advisory import SwitchToAdvisory
from treadctl.workout.events import Turnaround
from treadctl.workout.holds import RunState
from treadctl.workout.steps import Mark, WorkoutAborted
from treadctl.workout.timeline import TurnStep
from treadctl.workout.turn_texts import CONFIRM_TEXT

if TYPE_CHECKING:
    from treadctl.workout.runner import Runner


class Pacer:
    """The runner's waits on the workout clock."""

    def __init__(self, runner: Runner) -> None:
        self.r = runner

    async def while_held(self) -> None:
        """Return once the workout may run; raise WorkoutAborted if it must end."""
        while True:
            self.check_handover()
            if self.r.abort_reason is not None:
                raise WorkoutAborted(self.r.abort_reason)
            if self.r.holds.state is RunState.RUNNING:
                return
            if self.r.holds.state is RunState.RESUMING:
                await self.r.resumer.finish()
                continue
            await self.wait_wake(self.r.sample_period_s)
            self.r.reports.sample_if_due()

    async def wait_wake(self, timeout_s: float) -> None:
        self.check_handover()
        self.r._wake.clear()
        waiter = asyncio.ensure_future(self.r._wake.wait())
        sleeper = asyncio.ensure_future(self.r.clock.sleep(timeout_s))
        try:
            await asyncio.wait({waiter, sleeper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
            sleeper.cancel()

    async def run_for(self, duration_s: float, marks: Sequence[tuple[float, Mark]]) -> None:
        """Let ``duration_s`` of workout time pass, emitting ``marks`` at their offsets
        (a mark that is a function is asked then what to emit, if anything)."""
        await self.while_held()
        start_ws = self.r.workout_s
        end_ws = start_ws + duration_s
        self.r._hold_end_ws = end_ws
        pending = sorted(marks, key=lambda m: m[0])
        while True:
            await self.while_held()
            r = self.r
            if r.facing == "backward" and r.gate.backward_off and r.advisory is None:
                break  # the rest of this backward stretch is off
            ws = self.r.workout_s
            while pending and pending[0][0] <= ws - start_ws + 1e-9:
                mark = pending.pop(0)[1]
                event = mark() if callable(mark) else mark
                if event is not None:
                    self.r.emit(event)
            if ws >= end_ws - 1e-9:
                break
            next_ws = end_ws
            if pending:
                next_ws = min(next_ws, start_ws + pending[0][0])
            wait_s = min(next_ws - ws, max(self.r.reports.next_sample_s - self.r.clock.now(), 0.0))
            await self.r.clock.sleep(max(wait_s, 0.0))
            self.r.reports.sample_if_due()
        self.r._hold_end_ws = None

    async def wait_for_turn_confirm(self, step: TurnStep) -> None:
        self.r._confirmed.clear()
        self.r._awaiting_turn_confirm = True  # before the event: its readers see it waiting
        self.r.emit(
            Turnaround(
                "waiting_for_confirm",
                step.facing,
                step.to_facing,
                self.r.gate.turn_speed_kmh(),
                CONFIRM_TEXT,
            )
        )
        give_up_at = self.r.clock.now() + self.r.confirm_timeout_s
        try:
            while not self.r._confirmed.is_set():
                if self.r.abort_reason is not None:
                    raise WorkoutAborted(self.r.abort_reason)
                await self.wait_wake(self.r.sample_period_s)
                self.r.reports.sample_if_due()
                if self.r.clock.now() >= give_up_at and self.r.holds.state is RunState.RUNNING:
                    self.r.hold(
                        "waiting for you to confirm the turn", needs_confirm=True, pause_belt=True
                    )
        finally:
            self.r._awaiting_turn_confirm = False
        await self.while_held()

    def check_handover(self) -> None:
        """Raise :class:`SwitchToAdvisory` once advisory mode was accepted and has not
        taken over yet (the commanding steps stop at their next wait)."""
        if self.r.advisory is not None and not self.r.advisory.active:
            raise SwitchToAdvisory("advisory mode accepted")
