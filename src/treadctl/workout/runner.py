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
from collections.abc import Callable, Coroutine, Sequence
from typing import Any

from treadctl.client import TreadmillClient
from treadctl.client import errors as client_errors
from treadctl.client import events as ce
from treadctl.client.heart_rate import HeartRateStrap
from treadctl.client.state import BeltStatus, TreadmillState
from treadctl.clock import Clock, wait_for
from treadctl.errors import TreadctlError
from treadctl.link.base import LinkError
from treadctl.units import SpeedUnit
from treadctl.util.tasks import TaskSet
from treadctl.workout.advisory import OFFERS_ADVISORY, Advisory, SwitchToAdvisory
from treadctl.workout.belt import BeltCommands, StartResult
from treadctl.workout.events import (
    CueEvent,
    Finished,
    Hazard,
    Paused,
    Resumed,
    SafetyAlert,
    Sample,
    Summary,
    Turnaround,
    UserAction,
    WorkoutEvent,
    WorkoutStarted,
)
from treadctl.workout.gate import CommandGate, Limiter, SpeedDecision
from treadctl.workout.heart import HeartRate
from treadctl.workout.holds import Holds, RunState
from treadctl.workout.monitors import (
    CEILING_TOLERANCE_KMH,
    Action,
    Alarm,
    Commanded,
    HeartRateMonitor,
    StaleMonitor,
    TargetMonitor,
    UnitMonitor,
    UnitVerdict,
    commands_ignored_alarm,
    over_ceiling_alarm,
    unit_mismatch_alarm,
)
from treadctl.workout.profile import Direction
from treadctl.workout.reconnect import Reconnector, ReconnectPolicy
from treadctl.workout.status import RunnerStatus
from treadctl.workout.steps import Mark, StepExecutor, WorkoutAborted
from treadctl.workout.timeline import (
    RampStep,
    SegmentStep,
    StartStep,
    Step,
    StepKind,
    Timeline,
    TurnStep,
    speed_key,
)
from treadctl.workout.totals import RunningTotals
from treadctl.workout.totals import Step as TotalStep
from treadctl.workout.trust import SpeedTrust, Verdict

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
#: After reconnecting, wait this long for fresh data before deciding what the belt does.
FRESH_DATA_WAIT_S = 3.0
#: How long the end waits for the belt to report standing still.
FINISH_STOP_WAIT_S = 30.0
#: A belt that gets within this of a commanded speed, twice in a row, went there...
FOLLOW_TOLERANCE_KMH = 0.15
#: ...and two such speeds this far apart show that the belt follows speed commands.
FOLLOW_CHANGE_KMH = 0.3
#: A command that keeps a limit gets this long to go out before the belt is paused instead.
URGENT_COMMAND_S = 1.0
#: A belt set over the ceiling at the console gets this long to come back under it.
CONSOLE_CEILING_GRACE_S = 1.5
#: A belt reporting standing still this long after a command has stopped.
STOPPED_UNHEARD_S = 4.0
#: Records without a distance after which the speed unit cannot be checked.
NO_DISTANCE_RECORDS = 5
#: One key press (TUI or headless) changes the speed by this much, within the ceilings...
ADJUST_SPEED_STEP_KMH = 0.1
#: ...and the incline by this much.
ADJUST_INCLINE_STEP_PCT = 0.5


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
        self.belt = BeltCommands(
            client,
            self.gate,
            clock,
            emit=self.emit,
            on_failure=self._command_failed,
            on_limited=self._told_limited,
        )
        self.belt.belt_kmh = lambda: self.trusted_kmh() or 0.0
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
                on_restored=self._restored,
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
        self._switch_left_s: float | None = None
        self._seen_moving = False

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
        self._next_sample_s = 0.0
        self._told: set[str] = set()
        self._tasks = TaskSet("runner")
        self._adjust_task: asyncio.Task[None] | None = None
        self._awaiting_turn_confirm = False
        self._hold_alarm: Alarm | None = None
        self._records_without_distance = 0
        self._relinking = False
        self._over_ceiling = False
        self._console_over_at: float | None = None
        self._followed: list[float] = []
        self._finished = False
        self._stop_failure_told = False

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
            self._request_resume()
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
            self._request_resume()

    def adjust_speed(self, delta_kmh: float) -> None:
        """Nudge the current segment's speed, within the ceilings; ramped, never a jump."""
        self._user("adjust_speed", delta_kmh)
        if self.advisory is not None:
            self.advisory.adjust_speed(delta_kmh)
            return
        step = self.current_step
        if step.kind is not StepKind.SEGMENT or self.state is not RunState.RUNNING:
            return
        ceiling = self.limits.speed_ceiling(self.facing)
        low = self.gate.grid.minimum_kmh
        wanted = min(max(step.speed_kmh + self.offset_kmh + delta_kmh, low), ceiling)
        if step.speed_kmh + self.offset_kmh + delta_kmh > ceiling:
            self.alert(
                "H2",
                "ceiling",
                f"Held at {self.limits.describe(speed_key(self.facing), ceiling)}.",
            )
        self.offset_kmh = wanted - step.speed_kmh
        self.cancel_adjustment()
        self._adjust_task = self.spawn(self.steps.ramp_to(wanted, workout_clock=False))

    def adjust_incline(self, delta_pct: float) -> None:
        self._user("adjust_incline", delta_pct)
        if self.advisory is not None:
            self.advisory.adjust_incline(delta_pct)
            return
        step = self.current_step
        if step.kind is not StepKind.SEGMENT or self.state is not RunState.RUNNING:
            return
        rng = self.client.incline_range
        high = rng.maximum
        ceiling = self.limits.incline_ceiling(self.facing)
        if ceiling is not None:
            high = min(high, ceiling)
        wanted = min(max(step.incline_pct + self.offset_incline_pct + delta_pct, rng.minimum), high)
        self.offset_incline_pct = wanted - step.incline_pct
        self.spawn(self.belt.incline(wanted))

    def cancel_adjustment(self) -> None:
        if self._adjust_task is not None:
            self._adjust_task.cancel()
            self._adjust_task = None

    async def emergency_stop(self, reason: str = "emergency stop") -> None:
        """Stop the belt now, ahead of everything else, and end the workout (H5)."""
        self._user("stop")
        self.abort_reason = self.abort_reason or reason
        self._wake.set()
        await self.stop_belt(reason)

    # -- holds and resumes ----------------------------------------------------------------

    def hold(self, reason: str, *, needs_confirm: bool, pause_belt: bool = False) -> None:
        if not self.holds.hold(reason, needs_confirm=needs_confirm):
            return
        self.gate.need_person()
        self.cancel_adjustment()
        self.emit(Paused(reason, self.holds.needs_confirm))
        if pause_belt and self.client.is_connected and self.advisory is None:
            self.spawn(self.belt.pause(urgent=True))
        self._wake.set()

    def _request_resume(self) -> None:
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

    async def _finish_resume(self) -> None:
        """Bring the belt back up gently, then let the workout clock run again."""
        alarm, self._hold_alarm = self._hold_alarm, None
        if alarm is not None:
            self._acknowledged(alarm)
        if self.advisory is not None:
            await self.advisory.resumed()
            return
        if not self.client.state.has_control:
            try:
                await self.client.request_control()
            except (LinkError, client_errors.TreadmillError) as exc:
                self.holds.resume_failed()
                self.alert(
                    "H7",
                    "control_refused",
                    f"The treadmill did not give control back ({exc}). Use its console, "
                    "or close the other app, then confirm again.",
                    needs_ack=True,
                )
                return
        target = self._resume_target()
        if target > 0:
            if not self.gate.belt_running and not await self.start_belt():
                self.holds.resume_failed()
                return
            await self.steps.ramp_to(target, workout_clock=False)
        if self.aborted or self.holds.state is not RunState.RESUMING:
            return
        self.holds.resumed()
        self.hr_monitor.reset()
        self.emit(Resumed())

    def _resume_target(self) -> float:
        step = self.current_step
        if self.facing == "backward" and self.gate.backward_off:
            return 0.0  # never restart a disobeying belt with the person backward
        slow = self.gate.grid.minimum_kmh
        match step:
            case SegmentStep():
                return step.speed_kmh + self.offset_kmh
            case RampStep():
                low = min(step.from_speed_kmh, step.speed_kmh)
                return low if low > 0 else (slow if step.speed_kmh > 0 else 0.0)
            case TurnStep():
                return self.gate.turn_speed_kmh()
            case StartStep():
                return slow
            case _:
                return 0.0

    def _acknowledged(self, alarm: Alarm) -> None:
        self.target_monitor.acknowledged(alarm)
        if alarm.kind in OFFERS_ADVISORY and self.advisory is None:
            self._switch_to_advisory()
        if alarm.kind == "unit_mismatch" and self.client.speed_unit == "kmh":
            self.client.set_speed_unit("mph")
            self.gate.set_grid(self.client.speed_grid)
            self.trust = SpeedTrust(self.client.speed_grid.maximum_kmh)
            self.unit_monitor.reset()
            self.alert("H8", "unit_switched", "This treadmill now counts in mph.")
            if self.on_unit_switch is not None:
                try:
                    self.on_unit_switch("mph")
                except Exception:  # remembering is a convenience; the workout goes on
                    log.exception("could not remember the speed unit")

    def _switch_to_advisory(self) -> None:
        """The person accepted advisory mode after an H8 alarm: nothing but a stop goes to
        the belt from now on, and the commanding steps hand over at their next wait."""
        self._switch_left_s = self.segment_left_s
        self.gate.close()
        self.belt.commanded = None
        self.advisory = Advisory(self, "the belt does not follow treadctl's commands", offered=True)

    def _check_handover(self) -> None:
        if self.advisory is not None and not self.advisory.active:
            raise SwitchToAdvisory("advisory mode accepted")

    async def while_held(self) -> None:
        """Return once the workout may run; raise WorkoutAborted if it must end."""
        while True:
            self._check_handover()
            if self.abort_reason is not None:
                raise WorkoutAborted(self.abort_reason)
            if self.holds.state is RunState.RUNNING:
                return
            if self.holds.state is RunState.RESUMING:
                await self._finish_resume()
                continue
            await self.wait_wake(self.sample_period_s)
            self.sample_if_due()

    async def wait_wake(self, timeout_s: float) -> None:
        self._check_handover()
        self._wake.clear()
        waiter = asyncio.ensure_future(self._wake.wait())
        sleeper = asyncio.ensure_future(self.clock.sleep(timeout_s))
        try:
            await asyncio.wait({waiter, sleeper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
            sleeper.cancel()

    async def run_for(self, duration_s: float, marks: Sequence[tuple[float, Mark]]) -> None:
        """Let ``duration_s`` of workout time pass, emitting ``marks`` at their offsets
        (a mark that is a function is asked then what to emit, if anything)."""
        await self.while_held()
        start_ws = self.workout_s
        end_ws = start_ws + duration_s
        self._hold_end_ws = end_ws
        pending = sorted(marks, key=lambda m: m[0])
        while True:
            await self.while_held()
            if self.facing == "backward" and self.gate.backward_off and self.advisory is None:
                break  # the rest of this backward stretch is off
            ws = self.workout_s
            while pending and pending[0][0] <= ws - start_ws + 1e-9:
                mark = pending.pop(0)[1]
                event = mark() if callable(mark) else mark
                if event is not None:
                    self.emit(event)
            if ws >= end_ws - 1e-9:
                break
            next_ws = end_ws
            if pending:
                next_ws = min(next_ws, start_ws + pending[0][0])
            wait_s = min(next_ws - ws, max(self._next_sample_s - self.clock.now(), 0.0))
            await self.clock.sleep(max(wait_s, 0.0))
            self.sample_if_due()
        self._hold_end_ws = None

    async def wait_for_turn_confirm(self, step: TurnStep) -> None:
        self._confirmed.clear()
        self._awaiting_turn_confirm = True  # before the event: its readers see it waiting
        self.emit(
            Turnaround(
                "waiting_for_confirm",
                step.facing,
                step.to_facing,
                self.gate.turn_speed_kmh(),
                "Press confirm when you have turned.",
            )
        )
        give_up_at = self.clock.now() + self.confirm_timeout_s
        try:
            while not self._confirmed.is_set():
                if self.abort_reason is not None:
                    raise WorkoutAborted(self.abort_reason)
                await self.wait_wake(self.sample_period_s)
                self.sample_if_due()
                if self.clock.now() >= give_up_at and self.holds.state is RunState.RUNNING:
                    self.hold(
                        "waiting for you to confirm the turn", needs_confirm=True, pause_belt=True
                    )
        finally:
            self._awaiting_turn_confirm = False
        await self.while_held()

    # -- the belt ---------------------------------------------------------------------------

    def set_facing(self, facing: Direction, *, turning: bool = False) -> None:
        self.facing = facing
        self.gate.face(facing, turning=turning)

    def turn_backward_off(self, why: str) -> None:
        if self.gate.backward_off:
            return
        self.gate.turn_backward_off()
        self.alert(
            "H8",
            "backward_off",
            f"Backward segments are skipped on this treadmill: {why}. The workout goes on "
            "facing forward.",
            needs_ack=True,
        )

    def backward_not_ready(self, *, ahead: bool = False) -> bool:
        """Is a turn to backward off for now? Says why, once for each reason.

        ``ahead``: looking ahead at a turn (before its slow-down): whether the belt follows
        is judged at the turn itself, after the slow-down has shown it.
        """
        why = self.gate.backward_ready(judge_following=not ahead)
        if why is None:
            return False
        if not self.gate.backward_off:
            self.alert_once("H2", f"backward_skipped-{why}", f"Backward bout skipped: {why}.")
        return True

    def belt_disobeys(self, commanded_kmh: float) -> bool:
        """Does the trusted belt speed stay well above ``commanded_kmh``?"""
        belt = self.trusted_kmh()
        return belt is not None and belt > commanded_kmh + 0.3

    def trusted_kmh(self) -> float | None:
        return self.trust.trusted_kmh

    def settled_near(self, kmh: float) -> bool:
        """Two trusted readings in a row close to ``kmh``, the belt not moving."""
        confirmed, latest = self.trust.confirmed, self.trust.latest
        return (
            confirmed is not None
            and latest is not None
            and abs(latest.kmh - confirmed.kmh) <= 0.05
            and abs(latest.kmh - kmh) <= FOLLOW_TOLERANCE_KMH
        )

    def settled_at_or_below(self, limit_kmh: float) -> bool:
        if limit_kmh <= 0:
            return self.trust.stopped()
        return self.trust.settled_at_or_below(limit_kmh)

    async def start_belt(self) -> bool:
        """Start the belt slowly; on a refusal, say why and hold for the person."""
        records = self.client.state.records
        result = await self.belt.start()
        if result is StartResult.NOT_MOVING and self._start_ignored(records):
            self._raise(commands_ignored_alarm())  # H8: offers advisory mode
            return False
        if result in (StartResult.MOVING, StartResult.NOT_MOVING):
            return True
        if self.aborted or result is StartResult.OVERTAKEN:
            return False  # a pause or stop overtook it: that is the hold
        if result is StartResult.REFUSED_BY_MACHINE:
            self.alert(
                "H7",
                "start_refused",
                "The treadmill would not start. Is the safety key in place? Check the console, "
                "then confirm.",
                needs_ack=True,
            )
        elif result is StartResult.REFUSED_BY_GATE and self.gate.backward_off:
            self.alert_once(
                "H8", "backward_off_start", "The belt stays stopped while you face backward."
            )
        if self.holds.state is RunState.RUNNING or self.holds.state is RunState.RESUMING:
            self.holds.resume_failed()
            self.hold("the belt did not start", needs_confirm=True)
        return False

    def _start_ignored(self, records_before: int) -> bool:
        """A Start acknowledged, data coming in, and the belt still reports 0, on a belt
        never seen moving in this workout (later, a console or a lost link explains it)."""
        state = self.client.state
        return (
            self.advisory is None
            and not self._seen_moving
            and self.client.is_connected
            and state.records >= records_before + 3
            and (state.speed_kmh or 0.0) <= 0.0
        )

    async def pause_belt(self) -> None:
        await self.belt.pause()

    async def restart_after_turn(self) -> None:
        """After a turn on a paused belt: start it again from its slowest speed."""
        if self.gate.backward_off:
            self.hold(
                "this treadmill starts at its own speed: confirm to start it", needs_confirm=True
            )
            await self.while_held()
            return
        await self.start_belt()

    async def stop_belt(self, reason: str) -> None:
        if self.advisory is not None:
            await self.advisory.stop(reason)
            return
        if not self.client.is_connected:
            self.gate.close()
            self.alert(
                "H5",
                "stop_offline",
                "Not connected: stop the belt at the console or pull the safety key.",
            )
            return
        ok, error = await self.belt.stop()
        if not ok and not self._stop_failure_told:
            self._stop_failure_told = True  # one stop, shared by whoever asked: one alarm
            self.alert("H5", "stop_failed", f"Stop failed ({error}): use the console stop.")

    async def finish_belt(self) -> None:
        """Stop the belt at the end, and wait until it reports standing still."""
        await self.stop_belt("finished")
        give_up_at = self.clock.now() + FINISH_STOP_WAIT_S
        while self.client.is_connected and not self.trust.stopped():
            if self.aborted:
                raise WorkoutAborted(self.abort_reason or "aborted")
            if self.clock.now() >= give_up_at:
                belt = self.trusted_kmh()
                shown = f" ({belt:.1f} km/h)" if belt is not None else ""
                self.alert(
                    "H5",
                    "belt_still_moving",
                    f"The belt still reports moving{shown}: stop it at the console.",
                    needs_ack=True,
                )
                break
            await self.wait_wake(0.25)
            self.sample_if_due()
        self.emit(CueEvent("Workout done. The belt has stopped: step off carefully."))

    # -- what the client reports -------------------------------------------------------

    def _on_client_event(self, event: ce.ClientEvent) -> None:
        if self.advisory is not None and self.advisory.on_client_event(event):
            return
        match event:
            case ce.DataRecord(state=state):
                self._on_record(state)
            case ce.SafetyKeyPulled():
                self.alert(
                    "H7",
                    "safety_key",
                    "Safety key pulled: the workout has ended. Make sure you are steady "
                    "before clipping it back on.",
                    needs_ack=True,
                )
                self.abort_reason = "safety key"
                self.gate.close()
                self.belt.halted()
                self._wake.set()
            case ce.StoppedAtConsole(paused=paused):
                self.belt.halted()
                if not paused:
                    self.gate.forget_stored()  # a stopped machine starts at its own default
                self.alert(
                    "H7",
                    "console_stop",
                    f"{'Paused' if paused else 'Stopped'} at the console. Resume when ready.",
                )
                self.hold("stopped at the console", needs_confirm=False)
                self.spawn(self.belt.store_slow())
            case ce.StartedAtConsole():
                if self.gate.belt_running or not self.holds.live:
                    return  # our own start coming back, or nothing to resume
                self.gate.person_acted()
                self.gate.started(self.clock.now())
                self.spawn(self.belt.speed(self.gate.grid.minimum_kmh))
                if self.holds.state is RunState.PAUSED and self.client.is_connected:
                    self._request_resume()
            case ce.ControlLost(regained=False, reason=reason):
                self.alert(
                    "H7",
                    "control_lost",
                    "The treadmill no longer takes commands "
                    f"({reason or 'control taken'}). Use its console to stop or slow it.",
                    needs_ack=True,
                )
                self.hold("control lost", needs_confirm=True)
            case ce.ControlLost(regained=True):
                self.alert("H7", "control_regained", "Control was taken and taken back.")
            case ce.LinkDown():
                self._on_link_down()
            case ce.MalformedData(characteristic=name, error=error):
                self.alert_once(
                    "H12",
                    f"malformed-{name}",
                    f"Unreadable {name} from the treadmill ({error}); skipped and counted.",
                )
            case ce.TargetSpeedChanged(speed_kmh=kmh):
                self._on_target_speed(kmh)
            case ce.RangeAdjusted(
                quantity="incline_pct", wanted=wanted, sent=sent, clamped=clamped
            ):
                how = "outside" if clamped else "between the steps of"
                self.alert_once(
                    "H4",
                    "range-incline_pct",
                    f"{wanted:g} % is {how} the treadmill's incline range: sent {sent:g} %.",
                )
            case _:
                pass

    def _on_target_speed(self, kmh: float) -> None:
        """A target speed set elsewhere (the console, another app): never above the ceiling.

        The machine now holds a target treadctl did not set: the next command goes out
        whatever it is, and a belt at rest gets the slow speed stored again (a start at the
        console must not go to a fast target set while it stood still).
        """
        stored = self.belt.stored_kmh
        if stored is None or abs(stored - kmh) > 0.01:
            self.gate.forget_stored()
            if not self.gate.belt_running and self.holds.live:
                self.spawn(self.belt.store_slow())
            elif self.gate.belt_running:
                # The person at the console chose this speed: H8 judges the belt by it now.
                self.belt.commanded = Commanded(kmh, self.clock.now(), self.trusted_kmh() or 0.0)
        ceiling = self.gate.facing_ceiling_kmh(self.facing)  # careful until the unit is checked
        if kmh <= ceiling + 1e-9 or not self.holds.live:
            return
        now = self.clock.now()
        if self._console_over_at is not None and now - self._console_over_at < 10.0:
            return  # the same episode (some machines repeat the target while they ramp)
        self._console_over_at = now
        self.alert(
            "H2",
            "console_over_ceiling",
            f"The console set {kmh:g} km/h, above {self.ceiling_words(ceiling)}: brought back "
            "under it.",
        )
        if self.gate.belt_running:
            self.spawn(self._back_under(ceiling))

    def ceiling_words(self, ceiling_kmh: float) -> str:
        """The speed ceiling now, facing as the person faces, named with whose it is; the
        care taken until the speed unit is checked is said as such."""
        key = speed_key(self.facing)
        if ceiling_kmh < self.limits.speed_ceiling(self.facing) - 0.05:
            return (
                f"{round(ceiling_kmh, 2):g} km/h, the speed held under {self.limits.describe(key)} "
                "until treadctl has checked the treadmill's speed unit"
            )
        return self.limits.describe(key, ceiling_kmh)

    async def _back_under(self, ceiling_kmh: float) -> None:
        """Bring a belt set over the ceiling back under it; if the command cannot go out
        at once (a procedure whose answer is late holds the control point), pause."""
        try:
            sent = await wait_for(self.clock, self.belt.speed(ceiling_kmh), URGENT_COMMAND_S)
        except TimeoutError:
            sent = False
        if not sent and self.holds.live and self.gate.belt_running:
            self.alert(
                "H2",
                "console_over_ceiling_paused",
                "Could not bring the belt back under the ceiling in time: paused.",
                needs_ack=True,
            )
            self.hold("belt over the ceiling", needs_confirm=True, pause_belt=True)

    def _on_record(self, state: TreadmillState) -> None:
        now = self.clock.now()
        self._wake.set()  # whoever waits on the belt decides on this reading at once
        speed_ok = False
        if state.speed_kmh is not None:
            verdict = self.trust.feed(now, state.speed_kmh)
            speed_ok = verdict is Verdict.ACCEPTED
            if verdict in (Verdict.OUT_OF_RANGE, Verdict.IMPLAUSIBLE):
                self.alert_once(
                    "H12",
                    f"implausible-speed-{verdict}",
                    f"A speed reading of {state.speed_kmh:g} km/h cannot be right "
                    f"({verdict.replace('_', ' ')}): ignored and counted.",
                )
            trusted = self.trust.trusted_kmh
            if trusted is not None and trusted > 0.1:
                self._seen_moving = True
            if self.advisory is not None:
                self.advisory.observe(now, trusted)  # the person drives: alarms, pace
            elif trusted is not None:
                self.gate.observe(now, trusted, steady=self.trust.steady())
                self._check_ceiling(trusted)
                self._check_follows()
        if state.distance_m is None:
            self._records_without_distance += 1
            if (
                self._records_without_distance == NO_DISTANCE_RECORDS
                and not self.gate.unit_verified
            ):
                self.gate.unit_verified = True
                self.alert_once(
                    "H8",
                    "unit_unchecked",
                    "This treadmill reports no distance, so treadctl cannot check its speed "
                    "unit: make sure the console shows the speeds you expect.",
                )
        else:
            self._records_without_distance = 0
            step = self.totals.feed_distance(now, state.distance_m, self.facing)
            self._tell_total_step("distance", step)
            if step is TotalStep.GREW and speed_ok:
                self._check_unit(now, state)  # only clean records judge the unit
        if state.energy_kcal is not None:
            self._tell_total_step("energy", self.totals.feed_energy(now, state.energy_kcal))

    def _tell_total_step(self, kind: str, step: TotalStep) -> None:
        if step is TotalStep.OUT_OF_ORDER:
            self.alert_once(
                "H12", f"out_of_order-{kind}", f"The treadmill's {kind} went backwards: skipped."
            )
        elif step is TotalStep.IMPOSSIBLE:
            self.alert_once(
                "H12", f"impossible-{kind}", f"The treadmill's {kind} jumped impossibly: skipped."
            )

    def _check_ceiling(self, trusted_kmh: float) -> None:
        """H2 on the belt: above the ceiling for the way the person faces, the belt disobeys.

        Checked on every trusted reading, held or not: a hold that leaves the belt
        running (a missed target) must not leave a person backward on a fast belt. A
        speed set at the console is brought back under the ceiling first (a grace of a
        few readings while the belt turns round).
        """
        ceiling = self.gate.facing_ceiling_kmh(self.facing)  # careful until the unit is checked
        over = trusted_kmh > ceiling + max(CEILING_TOLERANCE_KMH, self.gate.grid.increment_kmh)
        console = self._console_over_at is not None and (
            self.clock.now() - self._console_over_at < CONSOLE_CEILING_GRACE_S
        )
        if not over or not self.holds.live:
            self._over_ceiling = False
            return
        if console or self.trust.falling():
            return  # coming back down, or just set at the console: give it its moment
        if not self._over_ceiling:
            self._over_ceiling = True
            self._raise(over_ceiling_alarm(trusted_kmh, self.facing, self.ceiling_words(ceiling)))

    def _check_follows(self) -> None:
        """Has the belt settled at two commanded speeds a real change apart? Then it follows.

        A machine that ignores speed commands settles only at its own speed; one that
        follows settles where it is told, and every workout tells it at least two speeds
        (a segment's and a turn's) before anyone turns backward.
        """
        commanded = self.belt.commanded
        if self.gate.follows_speed or commanded is None or not self.gate.belt_running:
            return
        confirmed, latest = self.trust.confirmed, self.trust.latest
        if confirmed is None or latest is None or abs(latest.kmh - confirmed.kmh) > 0.05:
            return  # not steady
        if abs(latest.kmh - commanded.kmh) > FOLLOW_TOLERANCE_KMH or latest.kmh <= 0:
            return  # steady, but not where it was told
        self._followed.append(latest.kmh)
        if max(self._followed) - min(self._followed) >= FOLLOW_CHANGE_KMH:
            self.gate.follows_speed = True

    def _check_unit(self, now: float, state: TreadmillState) -> None:
        if self.gate.unit_verified and self.unit_monitor.verified:
            return
        # Advisory mode: nothing commands the belt, but its odometer still tells the unit.
        moving = self.gate.belt_running or (
            self.advisory is not None and (self.trusted_kmh() or 0.0) > 0
        )
        if self.holds.state is not RunState.RUNNING or not moving:
            self.unit_monitor.reset()
            return
        result = self.unit_monitor.check(now, state.distance_m, state.speed_kmh)
        if result is None:
            return
        verdict, ratio = result
        if verdict is UnitVerdict.VERIFIED:
            self.gate.unit_verified = True
            self._reach_segment_speed()  # a speed held lower until now can be reached
        else:
            self._raise(unit_mismatch_alarm(ratio))

    def _raise(self, alarm: Alarm) -> None:
        """Act on a monitor's alarm."""
        if self.advisory is not None:
            self.advisory.raise_alarm(alarm)  # nothing to command: said, and held
            return
        self.alert(alarm.hazard, alarm.kind, alarm.message, needs_ack=alarm.needs_ack)
        if alarm.belt_disobeys and alarm.kind not in OFFERS_ADVISORY:
            self.turn_backward_off("the belt did not do as it was told")
        action = alarm.action
        if action is Action.HOLD and alarm.belt_disobeys and self.facing == "backward":
            action = Action.PAUSE_BELT  # never leave a person backward on a belt that disobeys
        match action:
            case Action.TELL:
                return
            case Action.HOLD:
                self._hold_alarm = alarm
                self.hold(alarm.kind.replace("_", " "), needs_confirm=True)
            case Action.PAUSE_BELT:
                self._hold_alarm = alarm
                self.hold(alarm.kind.replace("_", " "), needs_confirm=True, pause_belt=True)
            case Action.END:
                self.abort_reason = self.abort_reason or alarm.kind.replace("_", " ")
                self._wake.set()
                self.spawn(self.stop_belt(self.abort_reason))
            case Action.SLOW_AND_HOLD:
                self._hold_alarm = alarm
                self.hold(alarm.kind.replace("_", " "), needs_confirm=True)
                recovery = min(
                    self.gate.turn_speed_kmh() or self.gate.grid.minimum_kmh,
                    self.trusted_kmh() or 0.0,
                )
                self.spawn(self.belt.speed(max(recovery, self.gate.grid.minimum_kmh)))

    def _told_limited(self, decision: SpeedDecision) -> None:
        if decision.limited_by is Limiter.CEILING:
            facings: tuple[Direction, ...] = (
                ("forward", "backward") if self.gate.turning else (self.facing,)
            )
            lowest = min(facings, key=self.limits.speed_ceiling)
            real_ceiling = self.limits.speed_ceiling(lowest)
            if not self.gate.unit_verified and decision.kmh < real_ceiling - 0.05:
                # Not the ceiling: the care taken until the speed unit is checked.
                if "unit_care" not in self._told:
                    self._told.add("unit_care")
                    self.emit(
                        CueEvent(
                            "Speeds are held a little lower until treadctl has checked the "
                            "treadmill's speed unit, after about 15 m of walking."
                        )
                    )
                return
            self.alert_once(
                "H2",
                f"ceiling-{self.facing}",
                f"Held at {self.limits.describe(speed_key(lowest), real_ceiling)}, "
                f"{decision.kmh:.2f} km/h on this treadmill's grid.",
            )
        elif decision.limited_by is Limiter.RANGE:
            self.alert_once(
                "H4",
                "range-speed_kmh",
                f"{decision.wanted_kmh:g} km/h is outside the treadmill's range: "
                f"sent {decision.kmh:.2f} km/h.",
            )

    def _on_link_down(self) -> None:
        if not self.holds.live:
            return
        self.belt.halted()
        self.gate.forget_stored()
        self.trust.reset()
        if self._relinking or (self.reconnector is not None and self.reconnector.active):
            self._relinking = False
        elif self.advisory is not None:
            self.advisory.link_lost()
        else:
            self.alert(
                "H6",
                "link_lost",
                "Lost the link to the treadmill. Workout paused; the belt will not speed up "
                "again until you confirm. Use the console stop if you need it.",
                needs_ack=True,
            )
        self.hold("link lost", needs_confirm=True)
        if self.reconnector is not None and not self.reconnector.active and not self.aborted:
            self.spawn(self.reconnector.run())

    async def _restored(self) -> None:
        """The link and control are back: see what the belt does, and keep it stopped."""
        records = self.client.state.records
        give_up_at = self.clock.now() + FRESH_DATA_WAIT_S
        while self.client.state.records == records and self.clock.now() < give_up_at:
            await self.clock.sleep(0.1)
        if self.advisory is not None:
            self.advisory.restored()
            self._wake.set()
            return
        state = self.client.state
        if state.belt is BeltStatus.RUNNING or (state.speed_kmh or 0) > 0:
            await self.belt.pause()
        else:
            self.belt.halted()
            await self.belt.store_slow()
        self.gate.need_person()
        self.alert(
            "H6",
            "reconnected",
            "Reconnected. The belt stays stopped until you confirm.",
            needs_ack=True,
        )
        self._wake.set()

    def _command_failed(self, exc: Exception) -> None:
        if isinstance(exc, client_errors.ControlPointTimeout | client_errors.ControlPointUnusable):
            if self._relinking or (self.reconnector is not None and self.reconnector.active):
                return  # already on it
            self.alert(
                "H6",
                "no_answer",
                "The treadmill stopped answering. Workout paused; reconnecting.",
                needs_ack=True,
            )
            self.hold("treadmill not answering", needs_confirm=True)
            self._relinking = True
            self.spawn(self._drop_link())
        elif isinstance(exc, client_errors.ControlNotPermitted):
            self.alert(
                "H7",
                "control_lost",
                "The treadmill no longer takes commands. Use its console to stop or slow it.",
                needs_ack=True,
            )
            self.hold("control lost", needs_confirm=True)

    async def _drop_link(self) -> None:
        """Close the link after a control point timeout: no new procedure on this one."""
        with contextlib.suppress(LinkError, client_errors.TreadmillError):
            await self.client.disconnect()

    # -- samples and the monitors (H8, H9, H12) ----------------------------------------

    def sample_if_due(self) -> None:
        now = self.clock.now()
        if now + 1e-9 < self._next_sample_s:
            return
        self._next_sample_s = now + self.sample_period_s
        s = self.client.state
        ws = self.workout_s
        self.totals.tick(ws, self.facing)
        heart = self.heart.reading(now, s)
        bpm = None if heart is None else heart.bpm
        self.emit(
            Sample(
                speed_kmh=s.speed_kmh,
                incline_pct=s.incline_pct,
                distance_m=round(self.totals.distance_m, 1),
                facing=self.facing,
                workout_s=round(ws, 3),
                segment_left_s=self.segment_left_s,
                energy_kcal=self.totals.energy_kcal,
                heart_rate_bpm=bpm,
                heart_rate_source=None if heart is None else heart.source,
                connected=s.connected,
                step=self.step_index,
                steps=s.steps,
            )
        )
        running = self.holds.state is RunState.RUNNING
        if running and self.gate.belt_running and self._stopped_unheard(now):
            self.belt.halted()
            self.gate.forget_stored()
            self.alert(
                "H7",
                "belt_stopped",
                "The belt has stopped (at the console, or by the machine): workout paused. "
                "Resume when you are ready.",
            )
            self.hold("the belt stopped", needs_confirm=False)
            self.spawn(self.belt.store_slow())
        elif running and self.gate.belt_running:
            alarm = self.target_monitor.check(now, self.belt.commanded, self.trusted_kmh())
            if alarm is not None:
                self._raise(alarm)
        if running:
            hr = self.hr_monitor.check(now, bpm)  # the strap's rate first; unknown is no value
            if hr is not None:
                self._raise(hr)
        self.heart.check(now, heart)
        stale = self.stale_monitor.check(now, s.records, s.connected)
        if stale is not None:
            self._raise(stale)
        if self.advisory is not None:
            self.advisory.tick(now)

    def _reach_segment_speed(self) -> None:
        """In a running segment, ramp to its speed (after a limit was lifted)."""
        if self.advisory is not None:
            self.advisory.unit_checked()  # the person sets it
            return
        step = self.current_step
        if step.kind is not StepKind.SEGMENT or self.holds.state is not RunState.RUNNING:
            return
        if self._adjust_task is not None and not self._adjust_task.done():
            return
        target = step.speed_kmh + self.offset_kmh
        self._adjust_task = self.spawn(self.steps.ramp_to(target, workout_clock=False))

    def _stopped_unheard(self, now: float) -> bool:
        """The belt reports standing still while treadctl thinks it runs: a stop it did
        not hear of (a status lost with the link, a deck whose start toggles)."""
        commanded = self.belt.commanded
        return (
            commanded is not None
            and now - commanded.at_s > STOPPED_UNHEARD_S
            and self.trust.stopped()
        )

    # -- the whole run -----------------------------------------------------------------

    async def run(self) -> Summary:
        """Run the workout to its end, an abort, or an error (which stops the belt first)."""
        if self.timeline.has_backward and not self.risks_acknowledged:
            raise RisksNotAcknowledged(
                "This workout has backward segments: accept the risks first (H11)."
            )
        self.holds.begin()
        self._next_sample_s = self.clock.now()
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
        remove = self.client.add_listener(self._on_client_event)
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
                    await self.advisory.run_all(self.step_index, self._switch_left_s)
            completed = True
        except WorkoutAborted as exc:
            reason = exc.reason
            if exc.reason != "safety key":
                await self.stop_belt(exc.reason)
        except BaseException:
            # H5: whatever went wrong, the belt stops before anything else happens.
            self.abort_reason = self.abort_reason or "error"
            with contextlib.suppress(Exception):
                await asyncio.shield(self.stop_belt("error"))
            raise
        finally:
            remove()
            remove_heart()
            self.gate.close()
            await self._tasks.aclose()
        self.sample_if_due()
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
