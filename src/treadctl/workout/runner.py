"""Runs a timeline on a treadmill against a clock, and keeps the person on it safe.

The runner owns the workout: its state, its clock, what the person does and what the
machine reports. It emits events and never prints. Its parts, each in a module of its own:

- :mod:`~treadctl.workout.gate`: the last gate every command passes (H1-H4);
- :mod:`~treadctl.workout.belt`: the commands, through the gate, to the client;
- :mod:`~treadctl.workout.trust`: which readings to believe (H12);
- :mod:`~treadctl.workout.monitors`: watchers of the belt (H2, H8, H9, H12);
- :mod:`~treadctl.workout.totals`: the running totals every sink reads;
- :mod:`~treadctl.workout.holds`: holds, resumes and the workout clock;
- :mod:`~treadctl.workout.reconnect`: getting the link back (H6);
- :mod:`~treadctl.workout.steps`: executing the steps (H1 turnarounds, H3 ramps);
- :mod:`~treadctl.workout.reports`: what the treadmill reports, and the sample each
  second with the monitors (H2, H6, H7, H8, H12);
- :mod:`~treadctl.workout.pacing`: the waits on the workout clock;
- :mod:`~treadctl.workout.resume`: coming back from a hold;
- :mod:`~treadctl.workout.belt_actions`: start, restart, stop and finish the belt;
- :mod:`~treadctl.workout.ceilings`: H2 on the belt, and how a ceiling is named;
- :mod:`~treadctl.workout.adjust`: the person's speed and incline nudges;
- :mod:`~treadctl.workout.advisory`: the steps instead, on a treadmill that cannot be
  commanded (advisory mode: the person sets the console, treadctl says what and when),
  with :mod:`~treadctl.workout.advisory_alarms` for what it cannot prevent;
- :mod:`~treadctl.workout.heart`: the heart rate acted on (a strap's first).

Hazards handled here: H5 emergency stop and stop on any error, H6 link loss, H7 console
stop / safety key / control lost, H11 risk acknowledgment, and the actions the monitors
ask for.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from treadctl.client import TreadmillClient
from treadctl.client.heart_rate import HeartRateStrap
from treadctl.clock import Clock
from treadctl.errors import TreadctlError
from treadctl.units import SpeedUnit
from treadctl.util.tasks import TaskSet
from treadctl.workout.adjust import Adjuster
from treadctl.workout.advisory import Advisory, SwitchToAdvisory
from treadctl.workout.belt import BeltCommands
from treadctl.workout.belt_actions import BeltActions
from treadctl.workout.ceilings import Ceilings
from treadctl.workout.events import (
    CueEvent,
    Finished,
    Hazard,
    Paused,
    SafetyAlert,
    Summary,
    UserAction,
    WorkoutEvent,
    WorkoutStarted,
)
from treadctl.workout.gate import CommandGate
from treadctl.workout.heart import HeartRate
from treadctl.workout.holds import Holds, RunState
from treadctl.workout.monitors import (
    Alarm,
    HeartRateMonitor,
    StaleMonitor,
    TargetMonitor,
    UnitMonitor,
)
from treadctl.workout.pacing import Pacer
from treadctl.workout.profile import Direction
from treadctl.workout.reconnect import Reconnector, ReconnectPolicy
from treadctl.workout.reports import Reports
from treadctl.workout.resume import Resumer
from treadctl.workout.status import RunnerStatus
from treadctl.workout.steps import StepExecutor, WorkoutAborted
from treadctl.workout.timeline import (
    Step,
    StepKind,
    Timeline,
)
from treadctl.workout.totals import RunningTotals
from treadctl.workout.trust import SpeedTrust

__all__ = [
    "ReconnectPolicy",
    "RisksNotAcknowledged",
    "RunState",
    "Runner",
    "WorkoutAborted",
]

log = logging.getLogger(__name__)

#: Seconds between samples (and safety checks), on the clock.
SAMPLE_PERIOD_S = 1.0
#: A turn waiting for confirmation longer than this pauses the belt.
CONFIRM_TIMEOUT_S = 30.0


DEFAULT_RECONNECT = ReconnectPolicy()


class RisksNotAcknowledged(TreadctlError):
    """A workout with backward segments, and the user has not accepted the risks (H11)."""


class Runner:
    """Executes a :class:`Timeline` on a :class:`TreadmillClient`."""

    def __init__(
        self,
        timeline: Timeline,
        client: TreadmillClient,
        clock: Clock,
        emit: Callable[[WorkoutEvent], None],
        *,
        profile_name: str = "",
        title: str = "",
        source: str | None = None,
        risks_acknowledged: bool = False,
        reconnect: ReconnectPolicy | None = DEFAULT_RECONNECT,
        sample_period_s: float = SAMPLE_PERIOD_S,
        confirm_timeout_s: float = CONFIRM_TIMEOUT_S,
        on_unit_switch: Callable[[SpeedUnit], None] | None = None,
        heart_rate: HeartRateStrap | None = None,
        advisory: str | None = None,
    ) -> None:
        """``advisory``: why the treadmill cannot be commanded (no control point, control
        refused): the workout then runs in advisory mode from the start."""
        self.timeline = timeline
        self.limits = timeline.limits
        self.client = client
        self.clock = clock
        self._emit_to = emit
        self.profile_name = profile_name
        self.title = title or profile_name
        self.source = source
        self.risks_acknowledged = risks_acknowledged
        self.sample_period_s = sample_period_s
        self.confirm_timeout_s = confirm_timeout_s
        self.on_unit_switch = on_unit_switch

        self.gate = CommandGate(
            self.limits,
            client.speed_grid,
            client.incline_range,
            unit_verified=client.speed_unit == "mph",
        )
        self.trust = SpeedTrust(client.speed_grid.maximum_kmh)
        self.totals = RunningTotals(client.speed_grid.maximum_kmh)
        self.holds = Holds(clock)
        self.reports = Reports(self)
        self.ceilings = Ceilings(self)
        self.resumer = Resumer(self)
        self.pacer = Pacer(self)
        self.belt_actions = BeltActions(self)
        self.adjuster = Adjuster(self)
        self.belt = BeltCommands(
            client,
            self.gate,
            clock,
            emit=self.emit,
            on_failure=self.reports.command_failed,
            on_limited=self.ceilings.told_limited,
        )
        self.belt.belt_kmh = lambda: self.belt_actions.trusted_kmh() or 0.0
        self.target_monitor = TargetMonitor()
        self.unit_monitor = UnitMonitor()
        self.hr_monitor = HeartRateMonitor(
            self.limits.max_heart_rate_bpm,
            self.limits.heart_rate_over_s,
            named=self.limits.describe("max_heart_rate_bpm")
            if self.limits.max_heart_rate_bpm is not None
            else None,
        )
        self.heart = HeartRate(
            heart_rate, self._say_heart, ceiling_bpm=self.limits.max_heart_rate_bpm
        )
        self.stale_monitor = StaleMonitor(clock.now())
        self.reconnector = (
            None
            if reconnect is None
            else Reconnector(
                client,
                clock,
                reconnect,
                on_restored=self.reports.restored,
                on_gave_up=lambda: self.alert(
                    "H6", "gave_up", "Could not reconnect to the treadmill."
                ),
                should_stop=lambda: self.aborted,
                needs_control=lambda: self.advisory is None,
            )
        )
        self.steps = StepExecutor(self)
        self.advisory: Advisory | None = None
        if advisory is not None:
            self.gate.close()  # nothing but a stop goes to a belt treadctl cannot command
            self.advisory = Advisory(self, advisory)
        self.switch_left_s: float | None = None
        """What was left of the segment when advisory mode took over."""

        self.facing: Direction = timeline.steps[0].facing if timeline.steps else "forward"
        self.gate.face(self.facing)
        self.step_index = 0
        self.alerts = 0
        self.offset_kmh = 0.0
        self.offset_incline_pct = 0.0
        self.abort_reason: str | None = None
        self._wake = asyncio.Event()
        self._confirmed = asyncio.Event()
        self._hold_end_ws: float | None = None
        self._told: set[str] = set()
        self._tasks = TaskSet("runner")
        self._awaiting_turn_confirm = False
        self.hold_alarm: Alarm | None = None
        self._finished = False
        self.seen_moving = False
        """The belt was seen moving in this workout (a Start it ignores is told apart)."""

    # -- what the front ends read -------------------------------------------------------

    @property
    def state(self) -> RunState:
        return self.holds.state

    @property
    def pause_reason(self) -> str | None:
        return self.holds.reason

    @property
    def needs_confirm(self) -> bool:
        return self.holds.needs_confirm

    @property
    def elapsed_s(self) -> float:
        return self.holds.elapsed_s

    @property
    def workout_s(self) -> float:
        return self.holds.workout_s

    @property
    def out_of_order(self) -> int:
        return self.totals.out_of_order

    @property
    def current_step(self) -> Step:
        return self.timeline.steps[self.step_index]

    @property
    def segment_left_s(self) -> float | None:
        if self._hold_end_ws is None or self.current_step.kind is not StepKind.SEGMENT:
            return None
        return max(0.0, self._hold_end_ws - self.workout_s)

    @property
    def aborted(self) -> bool:
        return self.abort_reason is not None

    def status(self) -> RunnerStatus:
        """What the runner is doing now, in one frozen picture (what front ends read)."""
        holds = self.holds
        bpm, source = self.heart.now(self.clock.now(), self.client.state)
        return RunnerStatus(
            state=holds.state,
            facing=self.facing,
            step_index=self.step_index,
            step=self.current_step,
            workout_s=holds.workout_s,
            elapsed_s=holds.elapsed_s,
            segment_left_s=self.segment_left_s,
            pause_reason=holds.reason,
            hold_needs_confirm=holds.needs_confirm,
            turn_waiting=self._awaiting_turn_confirm and not self._confirmed.is_set(),
            alerts=self.alerts,
            totals=self.totals.snapshot(),
            heart_rate_bpm=bpm,
            heart_rate_source=source,
            advisory=self.advisory is not None,
        )

    # -- events ------------------------------------------------------------------------

    def emit(self, event: WorkoutEvent) -> None:
        if self._finished:
            log.info("after the end, not emitted: %r", event)  # "finished" is the last line
            return
        if isinstance(event, Finished):
            self._finished = True
        if isinstance(event, SafetyAlert):
            self.alerts += 1
        try:
            self._emit_to(event)
        except Exception:  # a sink's bug must never stop the belt's control
            log.exception("event sink failed on %r", event)

    def alert(self, hazard: Hazard, kind: str, message: str, *, needs_ack: bool = False) -> None:
        self.emit(SafetyAlert(hazard, kind, message, needs_ack))

    def alert_once(self, hazard: Hazard, kind: str, message: str) -> None:
        if kind not in self._told:
            self._told.add(kind)
            self.alert(hazard, kind, message)

    def _say_heart(self, text: str, alert: bool) -> None:
        if alert:
            self.alert("H9", "heart_rate_unknown", text)
        else:
            self.emit(CueEvent(text))

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        return self._tasks.spawn(coro)

    # -- user actions (from the keyboard, the TUI, MQTT or a replay) --------------------

    def _user(self, action: str, value: float | None = None) -> None:
        self.emit(UserAction(action, value))

    def confirm(self) -> None:
        """Yes: the turn is done, or go on after a hold (link back, target, heart rate)."""
        self._user("confirm")
        self._confirmed.set()
        if self.holds.awaiting_person:
            self.request_resume()
        self._wake.set()

    def pause(self, reason: str = "paused by you") -> None:
        """Pause the belt and the workout clock; ``reason`` says who asked."""
        self._user("pause")
        self.hold(reason, needs_confirm=False, pause_belt=True)
        if self.advisory is not None:
            self.advisory.paused()

    def resume(self) -> None:
        self._user("resume")
        if self.holds.state is RunState.PAUSED:
            self.request_resume()

    async def emergency_stop(self, reason: str = "emergency stop") -> None:
        """Stop the belt now, ahead of everything else, and end the workout (H5)."""
        self._user("stop")
        self.abort_reason = self.abort_reason or reason
        self._wake.set()
        await self.belt_actions.stop(reason)

    # -- holds and resumes ----------------------------------------------------------------

    def hold(self, reason: str, *, needs_confirm: bool, pause_belt: bool = False) -> None:
        if not self.holds.hold(reason, needs_confirm=needs_confirm):
            return
        self.gate.need_person()
        self.adjuster.cancel()
        self.emit(Paused(reason, self.holds.needs_confirm))
        if pause_belt and self.client.is_connected and self.advisory is None:
            self.spawn(self.belt.pause(urgent=True))
        self._wake.set()

    def request_resume(self) -> None:
        if self.reconnector is not None and self.reconnector.active:
            self.alert(
                "H6",
                "still_reconnecting",
                "Still reconnecting to the treadmill: confirm again once it says reconnected.",
            )
            return
        if not self.client.is_connected:
            self.alert("H6", "offline", "Not connected to the treadmill yet: cannot resume.")
            return
        if self.holds.request_resume():
            self.gate.person_acted()
            self._wake.set()

    # -- the belt ---------------------------------------------------------------------------

    # -- the segment speed ----------------------------------------------------------------

    def wake_up(self) -> None:
        """Whoever waits on the belt or a hold decides again now."""
        self._wake.set()

    # -- the whole run -----------------------------------------------------------------

    async def run(self) -> Summary:
        """Run the workout to its end, an abort, or an error (which stops the belt first)."""
        if self.timeline.has_backward and not self.risks_acknowledged:
            raise RisksNotAcknowledged(
                "This workout has backward segments: accept the risks first (H11)."
            )
        self.holds.begin()
        self.reports.next_sample_s = self.clock.now()
        self.emit(
            WorkoutStarted(
                self.profile_name,
                self.title,
                round(self.timeline.total_s, 3),
                round(self.timeline.backward_s, 3),
                len(self.timeline.steps),
                self.source,
                self.timeline.adjustments,
            )
        )
        for note in self.timeline.adjustments:
            self.alert("H4", "plan_adjusted", note)
        remove = self.client.add_listener(self.reports.on_client_event)
        remove_heart = self.heart.attach()
        reason, completed = "completed", False
        try:
            if self.advisory is not None:
                await self.advisory.run_all()
            else:
                try:
                    await self.steps.run_all()
                except SwitchToAdvisory:
                    assert self.advisory is not None
                    await self.advisory.run_all(self.step_index, self.switch_left_s)
            completed = True
        except WorkoutAborted as exc:
            reason = exc.reason
            if exc.reason != "safety key":
                await self.belt_actions.stop(exc.reason)
        except BaseException:
            # H5: whatever went wrong, the belt stops before anything else happens.
            self.abort_reason = self.abort_reason or "error"
            with contextlib.suppress(Exception):
                await asyncio.shield(self.belt_actions.stop("error"))
            raise
        finally:
            remove()
            remove_heart()
            self.gate.close()
            await self._tasks.aclose()
        self.reports.sample_if_due()
        self.holds.finish()
        totals = self.totals.snapshot()
        summary = Summary(
            duration_s=round(self.elapsed_s, 3),
            workout_s=round(self.workout_s, 3),
            distance_m=totals.distance_m,
            backward_s=totals.backward_s,
            backward_distance_m=totals.backward_distance_m,
            energy_kcal=totals.energy_kcal,
            safety_events=self.alerts,
            completed=completed,
            reason=reason,
        )
        self.emit(Finished(summary))
        return summary
