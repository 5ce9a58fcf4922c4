"""Executing the timeline's steps: start, ramps, segments, turnarounds (H1) and the finish.

Steps ask the runner's belt commands for speeds; the gate decides what goes out. A ramp
always continues from the speed the machine holds now (after a hold that is the slow
start speed), never from a value of its own. A turn happens on a slow, steady belt, or on
a stopped one. On a belt that does not do what it is told, backward segments are skipped.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from treadctl.errors import TreadctlError
from treadctl.workout.coaching import BACKWARD_TIPS
from treadctl.workout.events import (
    Countdown,
    CueEvent,
    SegmentEnded,
    SegmentStarted,
    Turnaround,
    TurnPhase,
    WorkoutEvent,
)
from treadctl.workout.gate import Refusal
from treadctl.workout.holds import RunState
from treadctl.workout.profile import Direction
from treadctl.workout.timeline import (
    FinishStep,
    RampStep,
    SegmentStep,
    StartStep,
    Step,
    TurnStep,
)
from treadctl.workout.turn_texts import (
    SLOWING_TEXT,
    SPEEDING_UP_TEXT,
    TURN_COUNTDOWN,
    turn_now_cue,
    turn_now_text,
    turn_warning_text,
)

if TYPE_CHECKING:
    from treadctl.workout.runner import Runner

#: Something to say at a moment of a step: an event, or a function deciding it then.
Mark = WorkoutEvent | Callable[[], WorkoutEvent | None]

#: How long a turn waits for the belt to report turn speed before pausing it (H1).
TURN_SLOWDOWN_LIMIT_S = 10.0
#: How long to wait for a paused belt to report standstill before saying so.
STANDSTILL_WAIT_S = 20.0
#: Before a turn on a paused belt, how long to let it settle at the slowest speed.
FOLLOW_SETTLE_S = 5.0
#: The step above the slowest speed the start uses to see that the belt follows.
FOLLOW_PROBE_KMH = 0.4
#: Readings are checked this often while waiting for the belt.
BELT_POLL_S = 0.25


class WorkoutAborted(TreadctlError):
    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def segment_started(step: SegmentStep) -> SegmentStarted:
    """The event a segment begins with (the commanding steps' and advisory mode's)."""
    return SegmentStarted(
        step.segment.index,
        step.label,
        step.facing,
        step.speed_kmh,
        step.incline_pct,
        step.duration_s,
    )


class StepExecutor:
    """Runs the steps of ``runner.timeline`` with the runner's parts."""

    def __init__(self, runner: Runner) -> None:
        self.r = runner
        self._warned_for: TurnStep | None = None
        """The turn whose warning was given: every turn on a moving belt gets one."""
        self._warned_holds = 0

    async def _ensure_warned(self, turn: TurnStep) -> None:
        """A turn not yet warned of (it only became possible after its warning was due),
        or warned of before a hold, is warned of now, with the full countdown, before the
        belt slows for it."""
        fresh = self._warned_holds == self.r.holds.count  # no hold since it was said
        if (self._warned_for is turn and fresh) or not self.r.gate.belt_running:
            return
        warn_s = self.r.limits.turn_warning_s
        await self.r.pacer.run_for(warn_s, self._warning_marks(turn, warn_s))

    # -- the whole timeline -------------------------------------------------------------

    async def run_all(self) -> None:
        steps = self.r.timeline.steps
        for index, step in enumerate(steps):
            self.r.step_index = index
            if self._skipped(index):
                continue
            match step:
                case StartStep():
                    await self._start(index, step)
                case RampStep():
                    await self._ramp_step(index, step)
                case SegmentStep():
                    await self._segment(index, step)
                case TurnStep():
                    await self._turn(step)
                case FinishStep():
                    await self.r.belt_actions.finish()

    def _skipped(self, index: int) -> bool:
        """Steps that do not apply: turns to where the person already faces, segments
        facing the other way, and (on a belt that disobeys) everything backward."""
        steps = self.r.timeline.steps
        step = steps[index]
        facing = self.r.facing
        match step:
            case TurnStep():
                return step.to_facing == facing or (
                    step.to_facing == "backward"
                    and self.r.belt_actions.backward_not_ready(ahead=True)
                )
            case SegmentStep():
                return step.facing != facing
            case RampStep():
                after = next(
                    (i for i in range(index + 1, len(steps)) if not isinstance(steps[i], RampStep)),
                    None,
                )
                return after is not None and self._skipped(after)
            case _:
                return False

    # -- steps --------------------------------------------------------------------------

    async def _start(self, index: int, step: StartStep) -> None:
        lead_in = " Face forward until the first turn." if step.duration_s > 0 else ""
        self.r.emit(
            CueEvent(
                f"Stand facing {step.facing}, hands on the rails. The belt starts slowly.{lead_in}"
            )
        )
        await self.r.belt_actions.start()
        await self.check_follows()
        if step.duration_s > 0:
            await self.r.pacer.run_for(step.duration_s, self._turn_marks(index, step))

    async def _ramp_step(self, index: int, step: RampStep) -> None:
        steps = self.r.timeline.steps
        nxt = steps[index + 1] if index + 1 < len(steps) else None
        prev = steps[index - 1] if index > 0 else None
        if isinstance(nxt, TurnStep):
            await self._ensure_warned(nxt)
            self._turn_event("slowing", nxt, SLOWING_TEXT)
        elif isinstance(prev, TurnStep) and step.speed_kmh > prev.speed_kmh:
            self._turn_event("speeding_up", prev, SPEEDING_UP_TEXT)
        await self.r.belt.incline(step.incline_pct)
        target = step.speed_kmh
        if isinstance(nxt, TurnStep):
            target = self.r.gate.turn_speed_kmh()
        await self.ramp_to(target, workout_clock=True)  # a turn on a paused belt pauses it

    async def ramp_to(self, target_kmh: float, *, workout_clock: bool) -> None:
        """Step the belt's target towards ``target_kmh``, one ramp step per step time (H3).

        Each step starts from the speed the machine holds now, so a ramp interrupted by a
        hold goes on from the slow restart, not from where it was. On the workout clock a
        hold freezes the ramp; off it (resume, adjustments) a hold ends it. A target
        below the machine's slowest speed stops there (a pause follows).
        """
        r = self.r
        while not r.aborted:
            if workout_clock:
                await r.pacer.while_held()
            elif r.holds.state is RunState.PAUSED:
                return
            gate = r.gate
            if not gate.belt_running:
                resting_kmh = r.belt.stored_kmh or gate.grid.minimum_kmh
                if target_kmh <= resting_kmh + 1e-6:
                    return  # going down: a belt at rest is there already
                if gate.start_refusal() is Refusal.BACKWARD_OFF:
                    return  # never start a disobeying belt with the person backward
                if not await r.belt_actions.start():
                    if workout_clock:
                        continue  # start_belt held the workout: wait for the person
                    return
            wanted = max(target_kmh, gate.grid.minimum_kmh)
            current = self._current_kmh()
            if abs(wanted - current) < 1e-6:
                return
            step_kmh = min(gate.ramp_step_kmh, abs(wanted - current))
            wait_s = step_kmh / gate.ramp_rate_kmh_per_s()
            if workout_clock:
                await r.pacer.run_for(wait_s, [])
            else:
                await r.clock.sleep(wait_s)
                if r.aborted or r.holds.state is RunState.PAUSED:
                    return
            if not gate.belt_running:
                continue  # a hold came and went: start again from the top
            # Where the machine is *now*: a hold during the wait changed it.
            current = self._current_kmh()
            if abs(wanted - current) < 1e-6:
                return
            nxt = (
                min(wanted, current + gate.ramp_step_kmh)
                if wanted > current
                else max(wanted, current - gate.ramp_step_kmh)
            )
            before = r.belt.stored_kmh
            if not await r.belt.speed(nxt):
                if r.aborted or r.holds.state is RunState.PAUSED or not r.client.is_connected:
                    if workout_clock:
                        continue
                    return
                return
            after = r.belt.stored_kmh
            held = before is not None and after is not None and abs(after - before) < 1e-6
            if (
                held
                and abs((after or 0.0) - wanted) > 1e-6
                and not self._gate_still_ramping(wanted)
            ):
                return  # the gate holds the speed at a limit: a ramp that cannot move is done

    def _current_kmh(self) -> float:
        """The speed the machine holds now (the trusted belt speed if unknown)."""
        r = self.r
        current = r.belt.stored_kmh
        if current is None:
            current = r.belt_actions.trusted_kmh() or r.gate.grid.minimum_kmh
        return current

    def _gate_still_ramping(self, wanted: float) -> bool:
        """Would the gate let the belt move towards ``wanted`` later (rate limit only)?"""
        decision = self.r.gate.speed(wanted, self.r.clock.now() + 3600)
        stored = self.r.belt.stored_kmh or 0.0
        return decision.wire is not None and abs(decision.kmh - stored) > 1e-6

    def _turn_event(self, phase: TurnPhase, turn: TurnStep, message: str) -> None:
        speed = self.r.gate.turn_speed_kmh()
        self.r.emit(Turnaround(phase, turn.facing, turn.to_facing, speed, message))

    async def _segment(self, index: int, step: SegmentStep) -> None:
        r = self.r
        await r.pacer.while_held()
        if step.facing == "backward" and r.gate.backward_off:
            await self.turn_forward_on_stopped_belt()
            return
        r.offset_kmh = r.offset_incline_pct = 0.0
        r.emit(segment_started(step))
        await r.belt.incline(step.incline_pct)
        stored = r.belt.stored_kmh
        if stored is None or abs(stored - step.speed_kmh) > 1e-6:
            await self.ramp_to(step.speed_kmh, workout_clock=False)
        await r.pacer.run_for(step.duration_s, self._segment_marks(index, step))
        r.adjuster.cancel()
        r.emit(SegmentEnded(step.segment.index, step.label))

    def _segment_marks(self, index: int, step: SegmentStep) -> list[tuple[float, Mark]]:
        marks: list[tuple[float, Mark]] = [
            (cue.at_s, CueEvent(cue.text, step.segment.index)) for cue in step.segment.cues
        ]
        if step.facing == "backward" and not any(c.at_s == 0 for c in step.segment.cues):
            tip = BACKWARD_TIPS[step.segment.index % len(BACKWARD_TIPS)]
            marks.append((0.0, CueEvent(tip.spoken, step.segment.index)))
        return marks + self._turn_marks(index, step)

    def _turn_marks(self, index: int, step: Step) -> list[tuple[float, Mark]]:
        """The warning and countdown before the turn that follows ``step``, if any."""
        turn = self.r.timeline.next_turn_after(index)
        if turn is None or turn.to_facing is None:
            return []
        return self._warning_marks(turn, step.duration_s)

    def _warning_marks(self, turn: TurnStep, duration_s: float) -> list[tuple[float, Mark]]:
        """The warning and countdown for ``turn`` at the end of ``duration_s``.

        Whether the turn will happen is decided when each mark is due, not before: a
        speed unit checked during the segment makes a turn possible that was not at its
        start (and :meth:`_ensure_warned` warns of it then, before the belt slows).
        """
        marks: list[tuple[float, Mark]] = []
        to_facing = turn.to_facing
        warn_s = min(self.r.limits.turn_warning_s, duration_s)

        def warning() -> WorkoutEvent | None:
            if self._turn_skipped(turn):
                return None
            self._warned_for, self._warned_holds = turn, self.r.holds.count
            return Turnaround(
                "warning",
                turn.facing,
                to_facing,
                self.r.gate.turn_speed_kmh(),
                turn_warning_text(math.ceil(warn_s)),
            )

        def countdown(k: int) -> Callable[[], WorkoutEvent | None]:
            return lambda: None if self._turn_skipped(turn) else Countdown(TURN_COUNTDOWN, k)

        marks.append((duration_s - warn_s, warning))
        for k in range(math.ceil(warn_s), 0, -1):
            marks.append((duration_s - k, countdown(k)))
        return marks

    def _turn_skipped(self, turn: TurnStep) -> bool:
        ready = self.r.gate.backward_ready(judge_following=False)
        return turn.to_facing == "backward" and ready is not None

    async def _turn(self, step: TurnStep) -> None:
        r = self.r
        await r.pacer.while_held()
        await self._ensure_warned(step)
        turn_kmh = r.gate.turn_speed_kmh()
        paused = turn_kmh == 0 or not r.gate.belt_running
        if turn_kmh == 0 and r.gate.belt_running:
            if not r.gate.follows_speed:
                # Settle at the slow speed first: it shows whether the belt follows.
                await self._wait_for_belt(r.gate.grid.minimum_kmh, limit_s=FOLLOW_SETTLE_S)
            await r.belt_actions.pause()
        elif not paused and (r.belt.stored_kmh or 0.0) > turn_kmh + 1e-6:
            await self.ramp_to(turn_kmh, workout_clock=False)  # not yet slowed (a resume)
        slow = await self._wait_for_belt(0.0 if paused else turn_kmh)
        if not slow:
            r.alert(
                "H1",
                "turn_not_slow",
                "The belt did not slow down for the turn: pausing it instead.",
            )
            if r.belt_actions.belt_disobeys(turn_kmh):
                r.belt_actions.turn_backward_off("it did not slow down for a turn")
            await r.belt_actions.pause()
            paused = True
            if not await self._wait_for_belt(0.0, limit_s=STANDSTILL_WAIT_S):
                r.alert(
                    "H1",
                    "belt_not_stopped",
                    "The belt does not report standing still: hold the rails, and turn only "
                    "once it has stopped. Use the console stop if you need it.",
                    needs_ack=True,
                )
                await self._wait_for_belt(0.0, limit_s=None)
        if step.to_facing == "backward" and r.gate.backward_off:
            r.gate.face(r.facing)
            r.hold("backward segments are off on this treadmill", needs_confirm=True)
            return
        if step.to_facing == "backward" and r.belt_actions.backward_not_ready():
            return  # stays facing forward; restarted by the next step
        await self._announce_turn(step)
        await r.pacer.run_for(step.duration_s, [])
        if step.confirm:
            await r.pacer.wait_for_turn_confirm(step)
        r.gate.face(r.facing)  # turned: the limits of the new facing alone from here
        self._turn_event("done", step, "")
        if paused:
            await r.belt_actions.restart_after_turn()

    async def _announce_turn(self, step: TurnStep) -> None:
        r = self.r
        r.belt_actions.set_facing(
            step.to_facing, turning=True
        )  # what the screen shows with the prompt
        self._turn_event("turn_now", step, turn_now_text(step.to_facing))
        r.emit(CueEvent(turn_now_cue(step.to_facing)))

    async def check_follows(self) -> None:
        """At the start, see that the belt goes where it is told: settled at its slowest
        speed, then at a step above. A belt that does not gets no backward bout."""
        r = self.r
        if r.gate.follows_speed or not r.gate.belt_running:
            return
        slow = r.gate.grid.minimum_kmh
        await self._wait_until(lambda: r.belt_actions.settled_near(slow), FOLLOW_SETTLE_S)
        probe = min(slow + FOLLOW_PROBE_KMH, r.gate.ceiling_kmh())
        if probe - slow < FOLLOW_PROBE_KMH - 1e-6:
            return
        await self.ramp_to(probe, workout_clock=False)
        await self._wait_until(lambda: r.belt_actions.settled_near(probe), FOLLOW_SETTLE_S)

    async def _wait_until(self, done: Callable[[], bool], limit_s: float) -> bool:
        r = self.r
        give_up_at = r.clock.now() + limit_s
        while not done():
            if r.aborted:
                raise WorkoutAborted(r.abort_reason or "aborted")
            if r.clock.now() >= give_up_at or r.holds.state is not RunState.RUNNING:
                return False
            await r.pacer.wait_wake(BELT_POLL_S)
            r.reports.sample_if_due()
        return True

    async def _wait_for_belt(
        self, limit_kmh: float, *, limit_s: float | None = TURN_SLOWDOWN_LIMIT_S
    ) -> bool:
        """Wait until trusted readings show the belt at or under ``limit_kmh`` and not rising.

        False when ``limit_s`` passed first (a locked or sluggish machine, or no data).
        """
        r = self.r
        give_up_at = None if limit_s is None else r.clock.now() + limit_s
        while not r.belt_actions.settled_at_or_below(limit_kmh):
            if r.aborted:
                raise WorkoutAborted(r.abort_reason or "aborted")
            if give_up_at is not None and r.clock.now() >= give_up_at:
                return False
            await r.pacer.wait_wake(BELT_POLL_S)
            r.reports.sample_if_due()
        return True

    async def turn_forward_on_stopped_belt(self) -> None:
        """The person faces backward on a belt that disobeys: stop it, turn them forward."""
        r = self.r
        if r.gate.belt_running:
            await r.belt_actions.pause()
        await self._wait_for_belt(0.0, limit_s=STANDSTILL_WAIT_S)
        facing: Direction = r.facing
        turn = TurnStep(
            start_s=0.0,
            duration_s=0.0,
            facing=facing,
            speed_kmh=0.0,
            incline_pct=0.0,
            to_facing="forward",
            label="turn around",
        )
        await self._announce_turn(turn)
        r.gate.face("forward")
        self._turn_event("done", turn, "")
        r.hold("backward segments are off on this treadmill", needs_confirm=True)
