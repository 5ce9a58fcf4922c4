"""Coming back from a hold: control asked for again, the belt started and brought up
gently to where the workout is, an acknowledged alarm acted on (a unit switched to mph).

The person asked to resume (the runner decided they may); :meth:`Resumer.finish` does the
rest, or tells why it cannot and leaves the workout held.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from treadctl.client import errors as client_errors
from treadctl.link.base import LinkError
from treadctl.workout.advisory import OFFERS_ADVISORY, Advisory
from treadctl.workout.events import Resumed
from treadctl.workout.holds import RunState
from treadctl.workout.monitors import Alarm
from treadctl.workout.timeline import (
    RampStep,
    SegmentStep,
    StartStep,
    TurnStep,
)
from treadctl.workout.trust import SpeedTrust

if TYPE_CHECKING:
    from treadctl.workout.runner import Runner

log = logging.getLogger(__name__)


class Resumer:
    """Brings the belt back after a hold, for the runner."""

    def __init__(self, runner: Runner) -> None:
        self.r = runner

    async def finish(self) -> None:
        """Bring the belt back up gently, then let the workout clock run again."""
        alarm, self.r.hold_alarm = self.r.hold_alarm, None
        if alarm is not None:
            self.acknowledged(alarm)
        if self.r.advisory is not None:
            await self.r.advisory.resumed()
            return
        if not self.r.client.state.has_control:
            try:
                await self.r.client.request_control()
            except (LinkError, client_errors.TreadmillError) as exc:
                self.r.holds.resume_failed()
                self.r.alert(
                    "H7",
                    "control_refused",
                    f"The treadmill did not give control back ({exc}). Use its console, "
                    "or close the other app, then confirm again.",
                    needs_ack=True,
                )
                return
        target = self.target()
        if target > 0:
            if not self.r.gate.belt_running and not await self.r.belt_actions.start():
                self.r.holds.resume_failed()
                return
            await self.r.steps.ramp_to(target, workout_clock=False)
        if self.r.aborted or self.r.holds.state is not RunState.RESUMING:
            return
        self.r.holds.resumed()
        self.r.hr_monitor.reset()
        self.r.emit(Resumed())

    def target(self) -> float:
        step = self.r.current_step
        if self.r.facing == "backward" and self.r.gate.backward_off:
            return 0.0  # never restart a disobeying belt with the person backward
        slow = self.r.gate.grid.minimum_kmh
        match step:
            case SegmentStep():
                return step.speed_kmh + self.r.offset_kmh
            case RampStep():
                low = min(step.from_speed_kmh, step.speed_kmh)
                return low if low > 0 else (slow if step.speed_kmh > 0 else 0.0)
            case TurnStep():
                return self.r.gate.turn_speed_kmh()
            case StartStep():
                return slow
            case _:
                return 0.0

    def acknowledged(self, alarm: Alarm) -> None:
        self.r.target_monitor.acknowledged(alarm)
        if alarm.kind in OFFERS_ADVISORY and self.r.advisory is None:
            self.switch_to_advisory()
        if alarm.kind == "unit_mismatch" and self.r.client.speed_unit == "kmh":
            self.r.client.set_speed_unit("mph")
            self.r.gate.set_grid(self.r.client.speed_grid)
            self.r.trust = SpeedTrust(self.r.client.speed_grid.maximum_kmh)
            self.r.unit_monitor.reset()
            self.r.alert("H8", "unit_switched", "This treadmill now counts in mph.")
            if self.r.on_unit_switch is not None:
                try:
                    self.r.on_unit_switch("mph")
                except Exception:  # remembering is a convenience; the workout goes on
                    log.exception("could not remember the speed unit")

    def switch_to_advisory(self) -> None:
        """The person accepted advisory mode after an H8 alarm: nothing but a stop goes to
        the belt from now on, and the commanding steps hand over at their next wait."""
        self.r.switch_left_s = self.r.segment_left_s
        self.r.gate.close()
        self.r.belt.commanded = None
        self.r.advisory = Advisory(
            self.r, "the belt does not follow treadctl's commands", offered=True
        )
