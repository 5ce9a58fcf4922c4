"""The run state, holds and resumes, and the workout clock that stops while held.

The workout clock runs only while the workout runs: pauses, holds, link loss and the
ramp back up after a resume do not count. A hold that ``needs_confirm`` waits for the
person (a link back, a missed target, a heart-rate hold); any other hold resumes on
"resume" (or a start at the console).
"""

from __future__ import annotations

from enum import StrEnum

from treadctl.clock import Clock


class RunState(StrEnum):
    READY = "ready"
    RUNNING = "running"
    PAUSED = "paused"
    RESUMING = "resuming"
    FINISHED = "finished"


class Holds:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.state = RunState.READY
        self.count = 0
        """How many holds there have been."""
        self.reason: str | None = None
        self.needs_confirm = False
        self._t0_s = 0.0
        self._paused_total_s = 0.0
        self._paused_since_s: float | None = None
        self._stalled_since_s: float | None = None

    def begin(self) -> None:
        self._t0_s = self.clock.now()
        self.state = RunState.RUNNING

    @property
    def live(self) -> bool:
        """Between the start and the end of the workout."""
        return self.state not in (RunState.READY, RunState.FINISHED)

    @property
    def t0_s(self) -> float:
        return self._t0_s

    @property
    def elapsed_s(self) -> float:
        """Clock time since the workout started."""
        return self.clock.now() - self._t0_s

    @property
    def workout_s(self) -> float:
        """Time the workout has run: holds (and stalls) excluded."""
        paused = self._paused_total_s
        if self._paused_since_s is not None:
            paused += self.clock.now() - self._paused_since_s
        if self._stalled_since_s is not None:
            paused += self.clock.now() - self._stalled_since_s
        return self.elapsed_s - paused

    @property
    def stalled(self) -> bool:
        return self._stalled_since_s is not None

    def stall(self) -> None:
        """Stop the workout clock without a hold (advisory mode: the belt is not yet at
        the speed the person was asked to set)."""
        if self.state is RunState.RUNNING and self._stalled_since_s is None:
            self._stalled_since_s = self.clock.now()

    def unstall(self) -> None:
        if self._stalled_since_s is not None:
            self._paused_total_s += self.clock.now() - self._stalled_since_s
            self._stalled_since_s = None

    def hold(self, reason: str, *, needs_confirm: bool) -> bool:
        """Hold the workout; False if it is not live."""
        if not self.live:
            return False
        self.unstall()
        if self.state is not RunState.PAUSED:
            if self._paused_since_s is None:
                self._paused_since_s = self.clock.now()
            self.state = RunState.PAUSED
            self.count += 1
        self.reason = reason
        self.needs_confirm = self.needs_confirm or needs_confirm
        return True

    def request_resume(self) -> bool:
        if self.state is not RunState.PAUSED:
            return False
        self.state = RunState.RESUMING
        return True

    def resume_failed(self) -> None:
        """The resume could not bring the belt back: held again (the clock stays stopped)."""
        if self.state is RunState.RESUMING:
            self.state = RunState.PAUSED

    def resumed(self) -> None:
        if self._paused_since_s is not None:
            self._paused_total_s += self.clock.now() - self._paused_since_s
            self._paused_since_s = None
        self.state = RunState.RUNNING
        self.reason = None
        self.needs_confirm = False

    def finish(self) -> None:
        self.unstall()
        if self._paused_since_s is not None:
            self._paused_total_s += self.clock.now() - self._paused_since_s
            self._paused_since_s = None
        self.state = RunState.FINISHED

    @property
    def awaiting_person(self) -> bool:
        return self.state is RunState.PAUSED and self.needs_confirm
