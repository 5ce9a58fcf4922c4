"""Runs a timeline on a treadmill against a clock, and keeps the person on it safe.

The runner owns every command that goes to the belt during a workout. It emits events
and never prints. The workout clock runs only while the workout runs: pauses, holds,
link loss and the ramp back up after a resume do not count.

Hazards handled here (design.md section 3): H1 turnarounds, H2 ceilings on every
command, H3 ramps, H4 range adjustments told once, H5 emergency stop and stop on any
error, H6 link loss, H7 console stop / safety key / control lost, H8 target not
reached, H9 heart rate, H11 risk acknowledgment, H12 bad or stale data.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import math
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from treadctl.client import TreadmillClient
from treadctl.client import errors as client_errors
from treadctl.client import events as ce
from treadctl.client.state import BeltStatus
from treadctl.clock import Clock
from treadctl.link.base import LinkError
from treadctl.workout.events import (
    Command,
    Countdown,
    CueEvent,
    Finished,
    Hazard,
    Paused,
    Resumed,
    SafetyAlert,
    Sample,
    SegmentEnded,
    SegmentStarted,
    Summary,
    Turnaround,
    TurnPhase,
    UserAction,
    WorkoutEvent,
    WorkoutStarted,
)
from treadctl.workout.profile import Direction
from treadctl.workout.timeline import Step, StepKind, Timeline

log = logging.getLogger(__name__)

#: Seconds between samples (and safety checks), on the clock.
SAMPLE_PERIOD_S = 1.0
#: A turn waiting for confirmation longer than this pauses the belt.
CONFIRM_TIMEOUT_S = 30.0
#: Belt speed further than this from the command counts as "not there" (H8).
TARGET_TOLERANCE_KMH = 0.3
#: Extra time beyond the ramp a belt gets to reach a commanded speed (H8).
TARGET_GRACE_S = 8.0
#: The slowest a belt is assumed to accelerate when judging H8.
ASSUMED_BELT_RATE_KMH_PER_S = 0.25
#: No Treadmill Data for this long while connected is stale data (H12).
STALE_DATA_S = 5.0
#: A running total that drops to this share of its last value or less is a new session.
RESET_FRACTION = 0.5
#: Window over which distance growth is compared with the reported speed (H8).
ODOMETER_WINDOW_S = 20.0
#: Distance growing this much faster than the reported speed means a wrong speed unit.
ODOMETER_RATIO = 1.3
#: How long a turn waits for the belt to report turn speed before pausing it (H1).
TURN_SLOWDOWN_LIMIT_S = 10.0
#: Reported speed within this of the turn speed counts as there.
TURN_SPEED_TOLERANCE_KMH = 0.05

BACKWARD_COACHING = (
    "Short steps. Toes down first, then let the heels follow.",
    "Stand tall, tummy tight, eyes level.",
    "Hands light on the rails; swing the arms if you let go.",
)


class RunState(StrEnum):
    READY = "ready"
    RUNNING = "running"
    PAUSED = "paused"
    RESUMING = "resuming"
    FINISHED = "finished"


class RisksNotAcknowledged(Exception):
    """A workout with backward segments, and the user has not accepted the risks (H11)."""


class WorkoutAborted(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class ReconnectPolicy:
    """Back-off for reconnecting after link loss (H6). ``attempts=None``: keep trying."""

    initial_s: float = 1.0
    max_s: float = 30.0
    factor: float = 2.0
    attempts: int | None = None


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
        reconnect: ReconnectPolicy | None = ReconnectPolicy(),
        sample_period_s: float = SAMPLE_PERIOD_S,
        confirm_timeout_s: float = CONFIRM_TIMEOUT_S,
    ) -> None:
        self.timeline = timeline
        self.limits = timeline.limits
        self.client = client
        self.clock = clock
        self._emit_to = emit
        self.profile_name = profile_name
        self.title = title or profile_name
        self.source = source
        self.risks_acknowledged = risks_acknowledged
        self.reconnect = reconnect
        self.sample_period_s = sample_period_s
        self.confirm_timeout_s = confirm_timeout_s

        self.state = RunState.READY
        self.facing: Direction = timeline.steps[0].facing if timeline.steps else "forward"
        self.step_index = 0
        self.pause_reason: str | None = None
        self.needs_confirm = False
        self.alerts = 0
        self.out_of_order = 0
        self._t0 = 0.0
        self._paused_total_s = 0.0
        self._paused_since: float | None = None
        self._wake = asyncio.Event()
        self._confirmed = asyncio.Event()
        self._abort: str | None = None
        self._commanded_kmh: float | None = None
        self._commanded_at_s = 0.0
        self._commanded_from_kmh = 0.0
        self._incline_pct: float | None = None
        self._offset_kmh = 0.0
        self._offset_incline_pct = 0.0
        self._hold_end_ws: float | None = None
        self._next_sample_s = 0.0
        self._told: set[str] = set()
        self._hr_over_since: float | None = None
        self._speed_check_off = False
        self._distance_last: float | None = None
        self._distance_m = 0.0
        self._backward_distance_m = 0.0
        self._backward_s = 0.0
        self._last_sample_ws: float | None = None
        self._energy_last: float | None = None
        self._energy_kcal: float | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._adjust_task: asyncio.Task[None] | None = None
        self._reconnecting: asyncio.Task[None] | None = None
        self._awaiting_turn_confirm = False
        self._belt_stopped = False
        self._odometer: deque[tuple[float, float, float]] = deque()
        self._last_record_seen = 0
        self._last_record_at_s = 0.0

    # -- time --------------------------------------------------------------------------

    @property
    def elapsed_s(self) -> float:
        """Clock time since the workout started."""
        return self.clock.now() - self._t0

    @property
    def workout_s(self) -> float:
        """Time the workout has run: pauses and holds excluded."""
        paused = self._paused_total_s
        if self._paused_since is not None:
            paused += self.clock.now() - self._paused_since
        return self.elapsed_s - paused

    @property
    def awaiting_confirm(self) -> bool:
        """Waiting for the person: a turn to confirm, or a hold to acknowledge."""
        if self.state is RunState.PAUSED and self.needs_confirm:
            return True
        return self._awaiting_turn_confirm

    @property
    def current_step(self) -> Step:
        return self.timeline.steps[self.step_index]

    @property
    def segment_left_s(self) -> float | None:
        if self._hold_end_ws is None or self.current_step.kind is not StepKind.SEGMENT:
            return None
        return max(0.0, self._hold_end_ws - self.workout_s)

    # -- events ------------------------------------------------------------------------

    def emit(self, event: WorkoutEvent) -> None:
        if isinstance(event, SafetyAlert):
            self.alerts += 1
        try:
            self._emit_to(event)
        except Exception:  # a sink's bug must never stop the belt's control
            log.exception("event sink failed on %r", event)

    def _alert(self, hazard: Hazard, kind: str, message: str, *, needs_ack: bool = False) -> None:
        self.emit(SafetyAlert(hazard, kind, message, needs_ack))

    def _alert_once(self, hazard: Hazard, kind: str, message: str) -> None:
        if kind not in self._told:
            self._told.add(kind)
            self._alert(hazard, kind, message)

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # -- user actions (from the keyboard, the TUI, or a replay) -------------------------

    def _user(self, action: str, value: float | None = None) -> None:
        self.emit(UserAction(action, value))

    def confirm(self) -> None:
        """Yes: the turn is done, or go on after a hold (link back, target, heart rate)."""
        self._user("confirm")
        self._confirmed.set()
        if self.state is RunState.PAUSED and self.needs_confirm:
            self._request_resume()
        self._wake.set()

    def pause(self, reason: str = "paused by you") -> None:
        """Pause the belt and the workout clock; ``reason`` says who asked."""
        self._user("pause")
        self._hold(reason, needs_confirm=False, stop_belt=True)

    def resume(self) -> None:
        self._user("resume")
        if self.state is RunState.PAUSED:
            self._request_resume()

    def adjust_speed(self, delta_kmh: float) -> None:
        """Nudge the current segment's speed, within the ceilings; ramped, never a jump."""
        self._user("adjust_speed", delta_kmh)
        step = self.current_step
        if step.kind is not StepKind.SEGMENT or self.state is not RunState.RUNNING:
            return
        ceiling = self.limits.speed_ceiling(self.facing)
        low = self.client.speed_range.minimum
        wanted = min(max(step.speed_kmh + self._offset_kmh + delta_kmh, low), ceiling)
        if step.speed_kmh + self._offset_kmh + delta_kmh > ceiling:
            self._alert("H2", "ceiling", f"{ceiling:g} km/h is your {self.facing} ceiling")
        self._offset_kmh = wanted - step.speed_kmh
        if self._adjust_task is not None:
            self._adjust_task.cancel()
        rate = self.limits.ramp_rate(self.facing)
        self._adjust_task = self._spawn(self._ramp_to(wanted, rate, workout_clock=False))

    def adjust_incline(self, delta_pct: float) -> None:
        self._user("adjust_incline", delta_pct)
        step = self.current_step
        if step.kind is not StepKind.SEGMENT or self.state is not RunState.RUNNING:
            return
        rng = self.client.incline_range
        high = rng.maximum
        ceiling = self.limits.incline_ceiling(self.facing)
        if ceiling is not None:
            high = min(high, ceiling)
        wanted = min(
            max(step.incline_pct + self._offset_incline_pct + delta_pct, rng.minimum), high
        )
        self._offset_incline_pct = wanted - step.incline_pct
        self._spawn(self._command_incline(wanted))

    async def emergency_stop(self, reason: str = "emergency stop") -> None:
        """Stop the belt now, ahead of everything else, and end the workout (H5)."""
        self._user("stop")
        self._abort = reason
        self._wake.set()
        await self._stop_belt(reason)

    # -- holds and resumes -------------------------------------------------------------

    def _hold(self, reason: str, *, needs_confirm: bool, stop_belt: bool = False) -> None:
        if self.state in (RunState.FINISHED, RunState.READY):
            return
        if self.state is not RunState.PAUSED:
            self.state = RunState.PAUSED
            self._paused_since = self.clock.now()
        self.pause_reason = reason
        self.needs_confirm = self.needs_confirm or needs_confirm
        if self._adjust_task is not None:
            self._adjust_task.cancel()
        self.emit(Paused(reason, self.needs_confirm))
        if stop_belt and self.client.is_connected:
            self._spawn(self._pause_belt())
        self._wake.set()

    def _request_resume(self) -> None:
        if not self.client.is_connected:
            self._alert("H6", "offline", "Not connected to the treadmill yet: cannot resume.")
            return
        self.state = RunState.RESUMING
        self._wake.set()

    async def _finish_resume(self) -> None:
        """Bring the belt back up gently, then let the workout clock run again."""
        target = self._resume_speed()
        if target > 0 and self.client.state.belt is not BeltStatus.RUNNING:
            low = self._slow_speed(target)
            await self._command_speed(low, force=True)
            await self._start_belt()
            await self._command_speed(low, force=True)
        if target > 0:
            await self._ramp_to(target, self.limits.ramp_rate(self.facing), workout_clock=False)
        if self._abort is not None or self.state is not RunState.RESUMING:
            return
        if self._paused_since is not None:
            self._paused_total_s += self.clock.now() - self._paused_since
            self._paused_since = None
        self.state = RunState.RUNNING
        self.pause_reason = None
        self.needs_confirm = False
        self._hr_over_since = None
        self._commanded_at_s = self.clock.now()
        self.emit(Resumed())

    def _resume_speed(self) -> float:
        step = self.current_step
        match step.kind:
            case StepKind.SEGMENT:
                return step.speed_kmh + self._offset_kmh
            case StepKind.RAMP:
                return self._commanded_kmh or step.from_speed_kmh
            case StepKind.TURN:
                return step.speed_kmh
            case _:
                return 0.0

    def _slow_speed(self, target: float) -> float:
        low = self.client.speed_range.minimum
        turn = self.limits.turn_speed_kmh or low
        return max(low, min(target, turn))

    async def _while_held(self) -> None:
        """Return once the workout may run; raise WorkoutAborted if it must end."""
        while True:
            if self._abort is not None:
                raise WorkoutAborted(self._abort)
            if self.state is RunState.RUNNING:
                return
            if self.state is RunState.RESUMING:
                await self._finish_resume()
                continue
            await self._wait_wake(self.sample_period_s)
            self._sample_if_due()

    async def _wait_wake(self, timeout_s: float) -> None:
        self._wake.clear()
        waiter = asyncio.ensure_future(self._wake.wait())
        sleeper = asyncio.ensure_future(self.clock.sleep(timeout_s))
        try:
            await asyncio.wait({waiter, sleeper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            waiter.cancel()
            sleeper.cancel()

    async def _run_for(self, duration_s: float, marks: list[tuple[float, WorkoutEvent]]) -> None:
        """Let ``duration_s`` of workout time pass, emitting ``marks`` at their offsets."""
        await self._while_held()
        start_ws = self.workout_s
        end_ws = start_ws + duration_s
        self._hold_end_ws = end_ws
        pending = sorted(marks, key=lambda m: m[0])
        while True:
            await self._while_held()
            ws = self.workout_s
            while pending and pending[0][0] <= ws - start_ws + 1e-9:
                self.emit(pending.pop(0)[1])
            if ws >= end_ws - 1e-9:
                break
            next_ws = end_ws
            if pending:
                next_ws = min(next_ws, start_ws + pending[0][0])
            wait_s = min(next_ws - ws, max(self._next_sample_s - self.clock.now(), 0.0))
            await self.clock.sleep(max(wait_s, 0.0))
            self._sample_if_due()
        self._hold_end_ws = None

    # -- commands ----------------------------------------------------------------------

    def _ceilinged(self, speed_kmh: float) -> float:
        ceiling = self.limits.speed_ceiling(self.facing)
        if speed_kmh > ceiling + 1e-9:
            self._alert_once(
                "H2",
                f"ceiling-{self.facing}",
                f"Held at your {self.facing} ceiling of {ceiling:g} km/h.",
            )
            return ceiling
        return speed_kmh

    def _may_command(self) -> bool:
        return self.client.is_connected and self.state in (RunState.RUNNING, RunState.RESUMING)

    async def _command_speed(self, speed_kmh: float, *, force: bool = False) -> bool:
        """Send a speed, after the ceiling (H2); never while held, offline or aborted."""
        if self._abort is not None or not (force or self._may_command()):
            return False
        if not self.client.is_connected:
            return False
        speed = self._ceilinged(speed_kmh)
        try:
            snapped = await self.client.set_speed(speed)
        except client_errors.TreadmillError as exc:
            self.emit(Command("speed", speed, ok=False, error=str(exc)))
            self._command_failed(exc)
            return False
        self.emit(Command("speed", snapped.value))
        self._commanded_from_kmh = self.client.state.speed_kmh or 0.0
        self._commanded_kmh = snapped.value
        self._commanded_at_s = self.clock.now()
        return True

    async def _command_incline(self, incline_pct: float) -> None:
        if self._abort is not None or not self._may_command():
            return
        ceiling = self.limits.incline_ceiling(self.facing)
        if ceiling is not None and incline_pct > ceiling:
            incline_pct = ceiling
        if self._incline_pct is not None and abs(incline_pct - self._incline_pct) < 1e-9:
            return
        try:
            snapped = await self.client.set_incline(incline_pct)
        except client_errors.TreadmillError as exc:
            self.emit(Command("incline", incline_pct, ok=False, error=str(exc)))
            self._command_failed(exc)
            return
        self._incline_pct = snapped.value
        self.emit(Command("incline", snapped.value))

    def _command_failed(self, exc: Exception) -> None:
        if isinstance(exc, client_errors.ControlPointTimeout | client_errors.ControlPointUnusable):
            self._alert(
                "H6",
                "no_answer",
                "The treadmill stopped answering. Workout paused; reconnecting.",
                needs_ack=True,
            )
            self._hold("treadmill not answering", needs_confirm=True)
            self._spawn(self._relink())
        elif isinstance(exc, client_errors.ControlNotPermitted):
            self._alert(
                "H7",
                "control_lost",
                "The treadmill no longer takes commands. Use its console to stop or slow it.",
                needs_ack=True,
            )
            self._hold("control lost", needs_confirm=True)

    async def _start_belt(self) -> bool:
        if self._abort is not None or not self.client.is_connected:
            return False
        try:
            moving = await self.client.start()
        except client_errors.TreadmillError as exc:
            self.emit(Command("start", ok=False, error=str(exc)))
            self._command_failed(exc)
            return False
        self._belt_stopped = False
        self.emit(Command("start"))
        return moving

    async def _pause_belt(self) -> None:
        if not self.client.is_connected:
            return
        try:
            await self.client.pause()
        except client_errors.OperationFailed:
            pass  # already paused or stopped
        except client_errors.TreadmillError as exc:
            self.emit(Command("pause", ok=False, error=str(exc)))
            return
        self._commanded_kmh = None
        self.emit(Command("pause"))

    async def _stop_belt(self, reason: str) -> None:
        if not self.client.is_connected:
            self._alert(
                "H5",
                "stop_offline",
                "Not connected: stop the belt at the console or pull the safety key.",
            )
            return
        try:
            await self.client.stop()
        except client_errors.TreadmillError as exc:
            self.emit(Command("stop", ok=False, error=str(exc)))
            self._alert("H5", "stop_failed", f"Stop failed ({exc}): use the console stop.")
            return
        self._commanded_kmh = None
        self._belt_stopped = True
        self.emit(Command("stop"))

    async def _ramp_to(self, target_kmh: float, rate: float, *, workout_clock: bool) -> None:
        """Step the commanded speed to ``target_kmh`` one machine increment at a time.

        Each step waits increment/rate, so no change is faster than ``rate`` (H3). On the
        workout clock a hold freezes the ramp; off it (resume, adjustments) it runs on
        the clock directly. A target below the machine's slowest speed stops there.
        """
        rng = self.client.speed_range
        inc = rng.increment
        target = self._ceilinged(target_kmh)
        current = self._commanded_kmh
        if current is None:
            current = max(self.client.state.speed_kmh or 0.0, 0.0)
        while abs(target - current) > 1e-9:
            if target > current:
                nxt = min(target, _grid_above(current, rng.minimum, inc))
                nxt = max(nxt, rng.minimum)
            else:
                nxt = max(target, _grid_below(current, rng.minimum, inc))
                if nxt < rng.minimum - 1e-9:
                    return
            wait_s = abs(nxt - current) / rate if current > 0 else 0.0
            if workout_clock:
                await self._run_for(wait_s, [])
            else:
                await self.clock.sleep(wait_s)
                if self._abort is not None or self.state is RunState.PAUSED:
                    return
            if not await self._command_speed(nxt, force=not workout_clock):
                return
            current = nxt

    # -- the steps ---------------------------------------------------------------------

    async def _exec(self, index: int, step: Step) -> None:
        self.step_index = index
        match step.kind:
            case StepKind.START:
                await self._exec_start(step)
            case StepKind.RAMP:
                await self._exec_ramp(index, step)
            case StepKind.SEGMENT:
                await self._exec_segment(index, step)
            case StepKind.TURN:
                await self._exec_turn(step)
            case StepKind.FINISH:
                await self._ramp_to_stop()

    async def _exec_start(self, step: Step) -> None:
        self.emit(
            CueEvent(f"Stand facing {step.facing}, hands on the rails. The belt starts slowly.")
        )
        low = max(step.speed_kmh, self.client.speed_range.minimum)
        await self._command_speed(low)
        await self._start_belt()
        await self._command_speed(low)

    async def _exec_ramp(self, index: int, step: Step) -> None:
        nxt = self.timeline.steps[index + 1] if index + 1 < len(self.timeline.steps) else None
        prev = self.timeline.steps[index - 1] if index > 0 else None
        if nxt is not None and nxt.kind is StepKind.TURN:
            self._turn_event("slowing", nxt, "Slowing down for the turn. Hands on the rails.")
        elif prev is not None and prev.kind is StepKind.TURN:
            self._turn_event("speeding_up", prev, "Speeding up again, gently.")
        await self._command_incline(step.incline_pct)
        await self._ramp_to(step.speed_kmh, step.rate_kmh_per_s, workout_clock=True)
        if step.speed_kmh == 0 and nxt is not None and nxt.kind is StepKind.TURN:
            await self._pause_belt()

    def _turn_event(self, phase: TurnPhase, turn: Step, message: str) -> None:
        assert turn.to_facing is not None
        self.emit(Turnaround(phase, turn.facing, turn.to_facing, turn.speed_kmh, message))

    async def _exec_segment(self, index: int, step: Step) -> None:
        assert step.segment is not None
        self._offset_kmh = self._offset_incline_pct = 0.0
        self.emit(
            SegmentStarted(
                step.segment.index,
                step.label,
                step.facing,
                step.speed_kmh,
                step.incline_pct,
                step.duration_s,
            )
        )
        await self._command_incline(step.incline_pct)
        if self._commanded_kmh is None or abs(self._commanded_kmh - step.speed_kmh) > 1e-9:
            await self._ramp_to(
                step.speed_kmh, self.limits.ramp_rate(step.facing), workout_clock=False
            )
        marks: list[tuple[float, WorkoutEvent]] = [
            (cue.at_s, CueEvent(cue.text, step.segment.index)) for cue in step.segment.cues
        ]
        if step.facing == "backward" and not any(c.at_s == 0 for c in step.segment.cues):
            tip = BACKWARD_COACHING[step.segment.index % len(BACKWARD_COACHING)]
            marks.append((0.0, CueEvent(tip, step.segment.index)))
        turn = self.timeline.next_turn_after(index)
        if turn is not None and turn.to_facing is not None:
            warn_s = min(self.limits.turn_warning_s, step.duration_s)
            start = step.duration_s - warn_s
            marks.append(
                (
                    start,
                    Turnaround(
                        "warning",
                        turn.facing,
                        turn.to_facing,
                        turn.speed_kmh,
                        f"Turn coming: the belt slows down in {math.ceil(warn_s)} s. "
                        "Hands on the rails.",
                    ),
                )
            )
            for k in range(math.ceil(warn_s), 0, -1):
                marks.append((step.duration_s - k, Countdown("slowing for the turn", k)))
        await self._run_for(step.duration_s, marks)
        if self._adjust_task is not None:
            self._adjust_task.cancel()
            self._adjust_task = None
        self.emit(SegmentEnded(step.segment.index, step.label))

    async def _exec_turn(self, step: Step) -> None:
        assert step.to_facing is not None
        await self._while_held()
        if step.speed_kmh == 0:
            await self._pause_belt()
        await self._wait_for_turn_speed(step)
        self._turn_event("turn_now", step, f"Turn around now to face {step.to_facing}.")
        self.emit(CueEvent(f"Turn around now: face {step.to_facing}, hands on the rails."))
        self.facing = step.to_facing
        await self._run_for(step.duration_s, [])
        if step.confirm:
            await self._wait_for_turn_confirm(step)
        if step.speed_kmh == 0:
            low = self._slow_speed(self.client.speed_range.minimum)
            await self._command_speed(low, force=True)
            await self._start_belt()
            await self._command_speed(low)
        self._turn_event("done", step, "")

    async def _wait_for_turn_speed(self, step: Step) -> None:
        """Say "turn now" only once the treadmill reports the belt at turn speed (H1).

        The belt lags the command; a locked or slow machine may never get there, and
        then the belt is paused for the turn instead.
        """
        limit = step.speed_kmh + TURN_SPEED_TOLERANCE_KMH
        give_up_at = self.clock.now() + TURN_SLOWDOWN_LIMIT_S
        paused = False
        while (self.client.state.speed_kmh or 0.0) > limit or self._stale_speed():
            if self._abort is not None:
                raise WorkoutAborted(self._abort)
            if self.clock.now() >= give_up_at and not paused:
                self._alert(
                    "H1",
                    "turn_not_slow",
                    "The belt did not slow down for the turn: pausing it instead.",
                )
                await self._pause_belt()
                paused = True
                limit = TURN_SPEED_TOLERANCE_KMH
            await self._wait_wake(min(self.sample_period_s, 0.25))
            self._sample_if_due()
        if paused and step.speed_kmh > 0:
            await self._run_for(step.duration_s, [])
            low = self._slow_speed(step.speed_kmh)
            await self._command_speed(low, force=True)
            await self._start_belt()

    def _stale_speed(self) -> bool:
        """No Treadmill Data since the last speed command: the reading may be old."""
        updated = self.client.state.updated_s
        return updated is None or updated < self._commanded_at_s

    async def _wait_for_turn_confirm(self, step: Step) -> None:
        self._confirmed.clear()
        self._turn_event("waiting_for_confirm", step, "Press confirm when you have turned.")
        give_up_at = self.clock.now() + self.confirm_timeout_s
        self._awaiting_turn_confirm = True
        try:
            while not self._confirmed.is_set():
                if self._abort is not None:
                    raise WorkoutAborted(self._abort)
                await self._wait_wake(self.sample_period_s)
                self._sample_if_due()
                if self.clock.now() >= give_up_at and self.state is RunState.RUNNING:
                    self._hold(
                        "waiting for you to confirm the turn", needs_confirm=True, stop_belt=True
                    )
        finally:
            self._awaiting_turn_confirm = False
        await self._while_held()

    async def _ramp_to_stop(self) -> None:
        await self._stop_belt("finished")
        self.emit(CueEvent("Workout done. Step off when the belt has stopped."))

    # -- samples and safety checks (H8, H9, H12) ---------------------------------------

    def _sample_if_due(self) -> None:
        now = self.clock.now()
        if now + 1e-9 < self._next_sample_s:
            return
        self._next_sample_s = now + self.sample_period_s
        s = self.client.state
        ws = self.workout_s
        self._account(s.distance_m, s.energy_kcal, ws)
        self.emit(
            Sample(
                speed_kmh=s.speed_kmh,
                incline_pct=s.incline_pct,
                distance_m=round(self._distance_m, 1),
                facing=self.facing,
                workout_s=round(ws, 3),
                segment_left_s=self.segment_left_s,
                energy_kcal=self._energy_kcal,
                heart_rate_bpm=s.heart_rate_bpm,
                connected=s.connected,
                step=self.step_index,
                steps=s.steps,
            )
        )
        self._check_target()
        self._check_odometer()
        self._check_heart_rate()
        self._check_stale()

    def _gain(self, kind: str, last: float | None, value: float) -> tuple[float, float | None]:
        """What a running total gained since ``last``, and the new ``last``.

        Machines reset their session totals on stop and start: a large drop is a new
        session. A small step back is an out-of-order or bad record (H12): skipped and
        counted, so the totals never count the same metres twice.
        """
        if last is None or value >= last:
            return (value - last if last is not None else 0.0), value
        if value <= last * RESET_FRACTION:
            return value, value
        self.out_of_order += 1
        self._alert_once(
            "H12", f"out_of_order-{kind}", f"The treadmill's {kind} went backwards: skipped."
        )
        return 0.0, last

    def _account(self, distance_m: float | None, energy_kcal: float | None, ws: float) -> None:
        if distance_m is not None:
            delta, self._distance_last = self._gain("distance", self._distance_last, distance_m)
            self._distance_m += delta
            if self.facing == "backward":
                self._backward_distance_m += delta
        if energy_kcal is not None:
            gain, self._energy_last = self._gain("energy", self._energy_last, energy_kcal)
            self._energy_kcal = (self._energy_kcal or 0.0) + gain
        if self._last_sample_ws is not None and self.facing == "backward":
            self._backward_s += max(0.0, ws - self._last_sample_ws)
        self._last_sample_ws = ws

    def _check_target(self) -> None:
        """H8: the belt must get to what was commanded; never faster than asked."""
        s = self.client.state
        commanded = self._commanded_kmh
        if commanded is None or s.speed_kmh is None or self.state is not RunState.RUNNING:
            return
        if s.speed_kmh > commanded + 2 * TARGET_TOLERANCE_KMH and not self._told_fast():
            now = self.clock.now()
            allowed = abs(commanded - self._commanded_from_kmh) / ASSUMED_BELT_RATE_KMH_PER_S
            if now - self._commanded_at_s > allowed + 2.0:
                self._told.add("too_fast")
                self._alert(
                    "H8",
                    "too_fast",
                    f"The belt runs at {s.speed_kmh:.1f} km/h, faster than the "
                    f"{commanded:.1f} km/h asked: paused. If the machine counts in mph, "
                    "set its speed unit to mph.",
                    needs_ack=True,
                )
                self._hold("belt faster than asked", needs_confirm=True, stop_belt=True)
                return
        if self._speed_check_off:
            return
        gap = abs(s.speed_kmh - commanded)
        ramp_s = abs(commanded - self._commanded_from_kmh) / ASSUMED_BELT_RATE_KMH_PER_S
        if gap > TARGET_TOLERANCE_KMH and (
            self.clock.now() - self._commanded_at_s > ramp_s + TARGET_GRACE_S
        ):
            self._speed_check_off = True
            self._alert(
                "H8",
                "target_not_reached",
                f"The belt stays at {s.speed_kmh:.1f} km/h, not the {commanded:.1f} km/h asked. "
                "Its speed may be locked. Workout held: confirm to go on without speed checks.",
                needs_ack=True,
            )
            self._hold("target speed not reached", needs_confirm=True)

    def _check_odometer(self) -> None:
        """H8: the belt's distance must grow as fast as its reported speed says, no faster.

        A machine that puts mph numbers in the km/h fields reports back the number it was
        sent, so the speed alone looks right while the belt runs 1.6 times faster. Its
        distance, in metres, gives it away.
        """
        s = self.client.state
        if self.state is not RunState.RUNNING or s.distance_m is None or s.speed_kmh is None:
            self._odometer.clear()
            return
        now = self.clock.now()
        self._odometer.append((now, float(s.distance_m), s.speed_kmh))
        while self._odometer and now - self._odometer[0][0] > ODOMETER_WINDOW_S:
            self._odometer.popleft()
        if len(self._odometer) < 3 or now - self._odometer[0][0] < ODOMETER_WINDOW_S - 1:
            return
        points = list(self._odometer)
        reported_m = sum(
            (t2 - t1) * (v1 + v2) / 2 / 3.6
            for (t1, _, v1), (t2, _, v2) in itertools.pairwise(points)
        )
        measured_m = points[-1][1] - points[0][1]
        if measured_m < 0:
            self._odometer.clear()  # the machine's session restarted
            return
        if measured_m > reported_m * ODOMETER_RATIO and measured_m - reported_m > 5.0:
            if "too_fast" in self._told:
                return
            self._told.add("too_fast")
            ratio = measured_m / max(reported_m, 1e-9)
            self._alert(
                "H8",
                "too_fast",
                f"The belt covers {ratio:.1f} times the distance its speed says: it runs "
                "faster than asked. Paused. If the machine counts in mph, set its speed "
                "unit to mph.",
                needs_ack=True,
            )
            self._hold("belt faster than asked", needs_confirm=True, stop_belt=True)

    def _told_fast(self) -> bool:
        return "too_fast" in self._told

    def _check_heart_rate(self) -> None:
        ceiling = self.limits.max_heart_rate_bpm
        hr = self.client.state.heart_rate_bpm
        if ceiling is None or hr is None or hr <= ceiling:
            self._hr_over_since = None
            return
        if self.state is not RunState.RUNNING:
            return
        now = self.clock.now()
        if self._hr_over_since is None:
            self._hr_over_since = now
            return
        if now - self._hr_over_since >= self.limits.heart_rate_over_s:
            self._hr_over_since = None
            self._alert(
                "H9",
                "heart_rate",
                f"Heart rate {hr} bpm is above your {ceiling} bpm ceiling. Slowing down: "
                "breathe, hold the rails, confirm when you are ready.",
                needs_ack=True,
            )
            recovery = self._slow_speed(self.client.speed_range.minimum)
            self._hold("heart rate above the ceiling", needs_confirm=True)
            self._spawn(self._command_speed(recovery, force=True))

    def _check_stale(self) -> None:
        s = self.client.state
        if s.records != self._last_record_seen:
            self._last_record_seen = s.records
            self._last_record_at_s = self.clock.now()
            self._told.discard("stale")
            return
        if s.connected and self.clock.now() - self._last_record_at_s > STALE_DATA_S:
            self._alert_once(
                "H12", "stale", "No data from the treadmill for a while: watch the belt."
            )

    # -- what the client reports (H4, H6, H7, H12) --------------------------------------

    def _on_client_event(self, event: ce.ClientEvent) -> None:
        match event:
            case ce.SafetyKeyPulled():
                self._alert(
                    "H7",
                    "safety_key",
                    "Safety key pulled: the workout has ended. Make sure you are steady "
                    "before clipping it back on.",
                    needs_ack=True,
                )
                self._abort = "safety key"
                self._commanded_kmh = None
                self._wake.set()
            case ce.StoppedAtConsole(paused=paused):
                self._commanded_kmh = None
                self._alert(
                    "H7",
                    "console_stop",
                    f"{'Paused' if paused else 'Stopped'} at the console. Resume when ready.",
                )
                self._hold("stopped at the console", needs_confirm=False)
            case ce.StartedAtConsole():
                if self.state is RunState.PAUSED and self.client.is_connected:
                    self._request_resume()
            case ce.ControlLost(regained=False, reason=reason):
                self._alert(
                    "H7",
                    "control_lost",
                    "The treadmill no longer takes commands "
                    f"({reason or 'control taken'}). Use its console to stop or slow it.",
                    needs_ack=True,
                )
                self._hold("control lost", needs_confirm=True)
            case ce.ControlLost(regained=True):
                self._alert("H7", "control_regained", "Control was taken and taken back.")
            case ce.LinkDown():
                self._on_link_down()
            case ce.MalformedData(characteristic=name, error=error):
                self._alert_once(
                    "H12",
                    f"malformed-{name}",
                    f"Unreadable {name} from the treadmill ({error}); skipped and counted.",
                )
            case ce.RangeAdjusted(quantity=q, wanted=wanted, sent=sent, clamped=clamped):
                unit = "km/h" if q == "speed_kmh" else "%"
                how = "outside" if clamped else "between the steps of"
                self._alert_once(
                    "H4",
                    f"range-{q}",
                    f"{wanted:g} {unit} is {how} the treadmill's range: sent {sent:g} {unit}.",
                )
            case ce.TargetSpeedChanged(speed_kmh=kmh):
                ceiling = self.limits.speed_ceiling(self.facing)
                if kmh > ceiling + 1e-9:
                    self._alert(
                        "H2",
                        "console_over_ceiling",
                        f"The console set {kmh:g} km/h, above your {self.facing} "
                        f"ceiling of {ceiling:g} km/h.",
                    )
            case _:
                pass

    def _on_link_down(self) -> None:
        if self.state in (RunState.FINISHED, RunState.READY):
            return
        self._commanded_kmh = None
        self._alert(
            "H6",
            "link_lost",
            "Lost the link to the treadmill. Workout paused; the belt will not speed up "
            "again until you confirm. Use the console stop if you need it.",
            needs_ack=True,
        )
        self._hold("link lost", needs_confirm=True)
        if self.reconnect is not None and self._reconnecting is None:
            self._reconnecting = self._spawn(self._reconnect_loop(self.reconnect))

    async def _relink(self) -> None:
        with contextlib.suppress(LinkError, client_errors.TreadmillError):
            await self.client.disconnect()

    async def _reconnect_loop(self, policy: ReconnectPolicy) -> None:
        delay_s = policy.initial_s
        attempt = 0
        try:
            while self._abort is None and not self.client.is_connected:
                attempt += 1
                await self.clock.sleep(delay_s)
                try:
                    await self.client.connect()
                    await self.client.request_control()
                except (LinkError, client_errors.TreadmillError) as exc:
                    log.info("reconnect attempt %d failed: %s", attempt, exc)
                    if policy.attempts is not None and attempt >= policy.attempts:
                        self._alert("H6", "gave_up", "Could not reconnect to the treadmill.")
                        return
                    delay_s = min(delay_s * policy.factor, policy.max_s)
                    continue
                if (
                    self.client.state.belt is BeltStatus.RUNNING
                    or (self.client.state.speed_kmh or 0) > 0
                ):
                    await self._pause_belt()
                self._alert(
                    "H6",
                    "reconnected",
                    "Reconnected. The belt stays stopped until you confirm.",
                    needs_ack=True,
                )
                self._wake.set()
        finally:
            self._reconnecting = None

    # -- the whole run -----------------------------------------------------------------

    async def run(self) -> Summary:
        """Run the workout to its end, an abort, or an error (which stops the belt first)."""
        if self.timeline.has_backward and not self.risks_acknowledged:
            raise RisksNotAcknowledged(
                "This workout has backward segments: accept the risks first (H11)."
            )
        self._t0 = self.clock.now()
        self._next_sample_s = self._t0
        self._last_record_at_s = self._t0
        self.state = RunState.RUNNING
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
            self._alert("H4", "plan_adjusted", note)
        remove = self.client.add_listener(self._on_client_event)
        reason, completed = "completed", False
        try:
            for index, step in enumerate(self.timeline.steps):
                await self._exec(index, step)
            completed = True
        except WorkoutAborted as exc:
            reason = exc.reason
            if exc.reason != "safety key" and not self._belt_stopped:
                await self._stop_belt(exc.reason)
        except BaseException:
            # H5: whatever went wrong, the belt stops before anything else happens.
            self._abort = self._abort or "error"
            with contextlib.suppress(Exception):
                await asyncio.shield(self._stop_belt("error"))
            raise
        finally:
            remove()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self._sample_if_due()
        self._account(self.client.state.distance_m, self.client.state.energy_kcal, self.workout_s)
        if self._paused_since is not None:
            self._paused_total_s += self.clock.now() - self._paused_since
            self._paused_since = None
        self.state = RunState.FINISHED
        summary = Summary(
            duration_s=round(self.elapsed_s, 3),
            workout_s=round(self.workout_s, 3),
            distance_m=round(self._distance_m, 1),
            backward_s=round(self._backward_s, 1),
            backward_distance_m=round(self._backward_distance_m, 1),
            energy_kcal=self._energy_kcal,
            safety_events=self.alerts,
            completed=completed,
            reason=reason,
        )
        self.emit(Finished(summary))
        return summary


def _grid_above(value: float, origin: float, inc: float) -> float:
    k = math.floor((value - origin) / inc + 1e-6) + 1
    return round(origin + k * inc, 2)


def _grid_below(value: float, origin: float, inc: float) -> float:
    k = math.ceil((value - origin) / inc - 1e-6) - 1
    return round(origin + k * inc, 2)
