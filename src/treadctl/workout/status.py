"""One frozen picture of the runner, for everything that shows or publishes it.

The TUI, the headless printer, MQTT and the replay's stand-in person read a
:class:`RunnerStatus` taken at one instant instead of a dozen runner attributes read
at slightly different moments. Derived answers ("does something wait for the
person?", "may the speed be adjusted?") are decided here, once.
"""

from __future__ import annotations

from dataclasses import dataclass

from treadctl.hrs.reading import HeartRateSource
from treadctl.workout.holds import RunState
from treadctl.workout.profile import Direction
from treadctl.workout.timeline import SegmentStep, Step
from treadctl.workout.totals import Totals


@dataclass(frozen=True, slots=True, kw_only=True)
class RunnerStatus:
    state: RunState
    facing: Direction
    step_index: int
    step: Step
    workout_s: float
    elapsed_s: float
    #: Time left in the current segment; None outside a segment (or before its wait).
    segment_left_s: float | None
    #: Why the workout is held (the latest hold's reason), or None.
    pause_reason: str | None
    #: The hold is one the person must acknowledge (Enter), not a plain pause.
    hold_needs_confirm: bool
    #: A turnaround waits for the person to confirm that they have turned.
    turn_waiting: bool
    #: Safety alerts raised so far.
    alerts: int
    #: The runner's one running count of distance, time, energy and backward totals.
    totals: Totals
    #: The heart rate acted on (the strap's before the treadmill's); None: unknown.
    heart_rate_bpm: int | None = None
    #: Where it comes from: "strap", "treadmill", or None (nothing reports one).
    heart_rate_source: HeartRateSource | None = None
    #: Advisory mode: treadctl cannot command this belt; the person sets the console.
    advisory: bool = False

    @property
    def live(self) -> bool:
        return self.state is not RunState.FINISHED

    @property
    def paused(self) -> bool:
        return self.state is RunState.PAUSED

    @property
    def hold_waiting(self) -> bool:
        """A hold waits for the person's acknowledgement."""
        return self.paused and self.hold_needs_confirm

    @property
    def awaiting_confirm(self) -> bool:
        """Something waits for the person's Enter: a turn or a hold."""
        return self.hold_waiting or self.turn_waiting

    @property
    def can_pause(self) -> bool:
        return self.state in (RunState.RUNNING, RunState.RESUMING)

    @property
    def can_resume(self) -> bool:
        """A plain pause, which resume ends (a hold needs confirm instead)."""
        return self.paused and not self.hold_needs_confirm

    @property
    def adjustable(self) -> bool:
        """Speed and incline may be changed by the person: running in a segment."""
        return self.state is RunState.RUNNING and isinstance(self.step, SegmentStep)
