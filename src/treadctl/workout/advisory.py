"""Advisory mode: a workout on a treadmill that treadctl cannot command.

Some treadmills only report: they have no control point, they refuse control (another
app holds it), or they acknowledge commands while the belt ignores them (found by H8).
treadctl then offers an advisory workout instead of refusing. Before each segment it
says and shows what to set at the console; it watches the belt the treadmill reports,
and paces the workout by what the belt really does: a segment's clock runs only while
the belt is at its speed (within :data:`AT_SPEED_KMH`).

It cannot slow or stop the belt, and says so at the start: the console's STOP and the
safety key are the stop. What it can do, it does at once: it tells the person to turn
only once the belt reports the turn speed, and it alarms (a safety alert: the voice's
alert tone and the screen's banner) when the belt is above the ceiling for the way the
person faces (H2), faster than the turn speed while they turn (H1), or speeding up
faster than the backward ramp rate (H3). It never says the belt has stopped unless the
belt reports 0.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from treadctl.client import errors as client_errors
from treadctl.client import events as ce
from treadctl.errors import TreadctlError
from treadctl.link.base import LinkError
from treadctl.workout.advisory_alarms import STOP_WORDS, TURN_MARGIN_KMH, AdvisoryAlarms
from treadctl.workout.advisory_words import segment_marks, set_words, turn_kmh, turn_marks
from treadctl.workout.events import (
    Advice,
    CueEvent,
    Resumed,
    SegmentEnded,
    Turnaround,
)
from treadctl.workout.holds import RunState
from treadctl.workout.monitors import Action, Alarm
from treadctl.workout.steps import BELT_POLL_S, Mark, WorkoutAborted, segment_started
from treadctl.workout.timeline import (
    FinishStep,
    RampStep,
    SegmentStep,
    StartStep,
    TurnStep,
)

if TYPE_CHECKING:
    from treadctl.workout.runner import Runner

#: The belt this close to the speed asked for is at it: the segment's clock runs.
AT_SPEED_KMH = 0.3
#: Without a reading for this long the belt is unknown: the clock waits.
STALE_S = 2.0
#: Advice not yet followed is said again after this long.
REMIND_S = 20.0
#: At the end, how long to wait for the belt to report standing still.
FINISH_WAIT_S = 120.0
#: Alarms whose confirmation switches a workout to advisory mode.
OFFERS_ADVISORY = ("target_not_reached", "too_fast", "commands_ignored")


class SwitchToAdvisory(TreadctlError):
    """Raised in the commanding steps once the person has accepted advisory mode: the
    runner catches it and goes on with the advisory steps."""


class Advisory:
    """Advisory mode for one runner: its steps, what it watches, and what it says."""

    def __init__(self, runner: Runner, reason: str, *, offered: bool = False) -> None:
        self.r = runner
        self.reason = reason
        self.offered = offered
        """The person already accepted it (a switch after an H8 alarm): no second ask."""
        self.active = False
        """Its steps are running (the commanding ones have handed over)."""
        self.advice: Advice | None = None
        self._advice_text = ""
        self._advised_at = 0.0
        self._pace_kmh: float | None = None
        self._waiting = False
        self.alarms = AdvisoryAlarms(runner)
        self._segment_step: SegmentStep | None = None
        self._capped = False
        self._warned = False
        """The coming turn has been announced (a turn is never sprung on anyone)."""
        self._stop_told = False

    # -- what the front ends read ---------------------------------------------------------

    def statement(self) -> str:
        return (
            f"Advisory mode: {self.reason}. treadctl cannot set the speed or stop this belt: "
            "it tells you what to set at the console and when, and watches the belt. Clip "
            "the safety key to your clothes; the console's STOP is your stop."
        )

    # -- the steps -------------------------------------------------------------------------

    async def run_all(self, start: int = 0, left_s: float | None = None) -> None:
        """Run the timeline from step ``start`` (``left_s``: what is left of it)."""
        r = self.r
        self.active = True
        if self.offered:
            r.alert("H5", "advisory_mode", self.statement())
        else:
            r.alert("H5", "advisory_mode", self.statement() + " Confirm to begin.", needs_ack=True)
            r.hold(
                "advisory mode: treadctl cannot stop this belt, the console's STOP is your "
                "stop; clip the safety key",
                needs_confirm=True,
            )
        await r.pacer.while_held()
        steps = r.timeline.steps
        for index in range(start, len(steps)):
            r.step_index = index
            step = steps[index]
            left = left_s if index == start else None
            match step:
                case StartStep():
                    await self._start(index, step)
                case RampStep():
                    continue  # the belt ramps at the console: said with the next speed
                case SegmentStep():
                    await self._segment(index, step, left)
                case TurnStep():
                    await self._turn(step)
                case FinishStep():
                    await self._finish()

    async def _start(self, index: int, step: StartStep) -> None:
        if step.duration_s <= 0:
            return  # the first segment's advice starts the belt
        r = self.r
        r.emit(CueEvent(f"Stand facing {step.facing}, hands on the rails."))
        self.advise(
            f"Start the belt at the console and set {step.speed_kmh:.1f} km/h, facing "
            f"{step.facing}.",
            step.speed_kmh,
        )
        await r.pacer.while_held()
        await self._paced(
            step.duration_s,
            turn_marks(self.r, index, step.duration_s, self._turn_warned),
            step.speed_kmh,
        )

    async def _segment(self, index: int, step: SegmentStep, left_s: float | None) -> None:
        r = self.r
        await r.pacer.while_held()
        if step.facing != r.facing:
            await self._turn(
                TurnStep(
                    start_s=step.start_s,
                    duration_s=r.limits.turn_hold_s,
                    facing=r.facing,
                    speed_kmh=turn_kmh(self.r),
                    incline_pct=step.incline_pct,
                    to_facing=step.facing,
                    label="turn around",
                )
            )
        r.offset_kmh = r.offset_incline_pct = 0.0
        r.emit(segment_started(step))
        self._segment_step = step
        kmh = self._segment_kmh(step)
        self.advise(set_words(self.r, kmh, step.incline_pct, capped=self._capped), kmh)
        duration_s = step.duration_s if left_s is None else left_s
        marks = segment_marks(self.r, index, step, duration_s, self._turn_warned)
        try:
            await self._paced(duration_s, marks, kmh)
        finally:
            self._segment_step = None
        r.emit(SegmentEnded(step.segment.index, step.label))

    def _segment_kmh(self, step: SegmentStep) -> float:
        """The segment's speed, held under the ceiling as careful as the unit check allows
        (until the odometer has shown the reported speed is in km/h)."""
        r = self.r
        careful = r.gate.facing_ceiling_kmh(step.facing)
        self._capped = step.speed_kmh > careful + 1e-6
        if not self._capped:
            return step.speed_kmh
        return max(r.gate.grid.minimum_kmh, int(careful * 10) / 10)

    def unit_checked(self) -> None:
        """The speed unit is checked: a segment held lower may go to its own speed."""
        step = self._segment_step
        if step is None or not self._capped:
            return
        kmh = self._segment_kmh(step) + self.r.offset_kmh
        self._pace_kmh = kmh
        self.advise(set_words(self.r, kmh, capped=self._capped), kmh)

    async def _turn(self, step: TurnStep) -> None:
        r = self.r
        await r.pacer.while_held()
        if step.to_facing == r.facing:
            return
        turn_speed_kmh = turn_kmh(self.r)
        if not self._warned:
            r.emit(
                Turnaround(
                    "warning",
                    step.facing,
                    step.to_facing,
                    turn_speed_kmh,
                    "Turn coming: slow down first. Hands on the rails.",
                )
            )
        self._warned = False
        if turn_speed_kmh > 0:
            self.advise(
                f"Slow the belt to {turn_speed_kmh:.1f} km/h at the console. Turn around only "
                f"when it reads {turn_speed_kmh:.1f} km/h or less.",
                turn_speed_kmh,
            )
            await self._wait(lambda: r.trust.settled_at_or_below(turn_speed_kmh, TURN_MARGIN_KMH))
        else:
            self.advise("Pause the belt at the console. Turn around only once it has stopped.", 0.0)
            await self._wait(r.trust.stopped)
        belt = r.belt_actions.trusted_kmh() or 0.0
        r.belt_actions.set_facing(step.to_facing, turning=True)
        self.alarms.turn_limit_kmh = turn_speed_kmh
        to = step.to_facing
        r.emit(
            Turnaround(
                "turn_now",
                step.facing,
                to,
                turn_speed_kmh,
                f"Turn around now to face {to}: the belt reads {belt:.1f} km/h.",
            )
        )
        r.emit(CueEvent(f"Turn around now: face {to}, hands on the rails."))
        await r.pacer.run_for(step.duration_s, [])
        if step.confirm:
            await r.pacer.wait_for_turn_confirm(step)
        self.alarms.turn_limit_kmh = None
        r.gate.face(r.facing)
        r.emit(Turnaround("done", step.facing, to, turn_speed_kmh, ""))

    async def _finish(self) -> None:
        r = self.r
        self.advise("Workout done: slow down and stop the belt at the console.", 0.0)
        stopped = await self._wait(r.trust.stopped, limit_s=FINISH_WAIT_S)
        if stopped:
            r.emit(CueEvent("Workout done. The belt has stopped: step off carefully."))
            return
        belt = r.belt_actions.trusted_kmh()
        shown = f" ({belt:.1f} km/h)" if belt is not None else ""
        r.alert(
            "H5",
            "belt_still_moving",
            f"The belt still reports moving{shown}: {STOP_WORDS}.",
            needs_ack=True,
        )
        r.emit(CueEvent("Workout done."))

    # -- pacing -----------------------------------------------------------------------------

    async def _paced(
        self, duration_s: float, marks: Sequence[tuple[float, Mark]], pace_kmh: float
    ) -> None:
        """``duration_s`` of workout time that runs only while the belt is at ``pace_kmh``."""
        self._pace_kmh = pace_kmh
        self._update_clock(self.r.clock.now())
        try:
            await self.r.pacer.run_for(duration_s, marks)
        finally:
            self._pace_kmh = None
            self.r.holds.unstall()

    async def _wait(self, done: Callable[[], bool], *, limit_s: float | None = None) -> bool:
        """Wait, the workout clock stopped, until the belt does what was asked."""
        r = self.r
        give_up_at = None if limit_s is None else r.clock.now() + limit_s
        self._waiting = True
        try:
            while not done():
                if r.aborted:
                    raise WorkoutAborted(r.abort_reason or "aborted")
                if give_up_at is not None and r.clock.now() >= give_up_at:
                    return False
                await r.pacer.while_held()
                r.holds.stall()
                await r.pacer.wait_wake(BELT_POLL_S)
                r.reports.sample_if_due()
            return True
        finally:
            self._waiting = False
            r.holds.unstall()

    def _update_clock(self, now_s: float) -> None:
        pace = self._pace_kmh
        if pace is None or self._waiting:
            return
        holds = self.r.holds
        belt = self._fresh_kmh(now_s)
        if belt is not None and abs(belt - pace) <= AT_SPEED_KMH:
            holds.unstall()
        else:
            holds.stall()

    def _fresh_kmh(self, now_s: float) -> float | None:
        latest = self.r.trust.latest
        if latest is None or now_s - latest.t_s > STALE_S:
            return None
        return self.r.belt_actions.trusted_kmh()

    # -- advice -------------------------------------------------------------------------------

    def advise(
        self, text: str, kmh: float | None, incline_pct: float | None = None, *, step: bool = True
    ) -> None:
        """Say what to set. ``step``: the advice of the step itself (said again when not
        followed, and after a hold); else a passing one (a heart-rate hold, a pause)."""
        advice = Advice(text, kmh, incline_pct)
        if step:
            self.advice = advice
            self._advice_text = text
        self._advised_at = self.r.clock.now()
        self.r.emit(advice)

    def _turn_warned(self) -> None:
        self._warned = True

    # -- what the belt does (every trusted reading) -------------------------------------------

    def observe(self, now_s: float, trusted_kmh: float | None) -> None:
        if not self.r.holds.live:
            return
        self._update_clock(now_s)
        if trusted_kmh is not None:
            self.alarms.observe(now_s, trusted_kmh)

    def tick(self, now_s: float) -> None:
        """About once a second: the clock, and advice not yet followed said again."""
        r = self.r
        if not self.active or r.holds.state is not RunState.RUNNING:
            return
        self._update_clock(now_s)
        advice = self.advice
        behind = self._waiting or (self._pace_kmh is not None and r.holds.stalled)
        if advice is None or not behind or now_s - self._advised_at < REMIND_S:
            return
        belt = self._fresh_kmh(now_s)
        reads = f"it reads {belt:.1f} km/h" if belt is not None else "no reading from it"
        wait = "The workout waits" if self._waiting else "The segment's clock waits"
        text = f"{self._advice_text} {wait} until the belt gets there ({reads})."
        self._advised_at = now_s
        r.emit(Advice(text, advice.speed_kmh, advice.incline_pct))

    # -- what the runner hands over ------------------------------------------------------------

    def on_client_event(self, event: ce.ClientEvent) -> bool:
        """Console stops, starts and speeds are the workout's way here: True if handled."""
        match event:
            case (
                ce.StoppedAtConsole()
                | ce.StartedAtConsole()
                | ce.TargetSpeedChanged()
                | ce.ControlLost()
            ):
                return True
            case _:
                return False

    async def resumed(self) -> None:
        """A hold ends: there is no belt to bring back; say again what to set."""
        r = self.r
        r.holds.resumed()
        r.hr_monitor.reset()
        r.emit(Resumed())
        if self.active and self.advice is not None and (self._pace_kmh or self._waiting):
            self.advise(self._advice_text, self.advice.speed_kmh, self.advice.incline_pct)

    def paused(self) -> None:
        self.advise(
            "Workout clock paused. treadctl cannot pause the belt: use the console's pause "
            "if you want it stopped.",
            None,
            step=False,
        )

    def speed_adjusted(self, wanted_kmh: float) -> None:
        """The person's +/- (worked out within the ceilings by the runner's Adjuster)."""
        self._pace_kmh = wanted_kmh
        self.advise(f"Set {wanted_kmh:.1f} km/h at the console.", wanted_kmh)

    def incline_adjusted(self, wanted_pct: float) -> None:
        self.advise(f"Set the incline to {wanted_pct:g} % at the console.", None, wanted_pct)

    def raise_alarm(self, alarm: Alarm) -> None:
        """A monitor's alarm, where treadctl cannot touch the belt: said, and held."""
        r = self.r
        if alarm.action is Action.SLOW_AND_HOLD:  # H9
            slow = turn_kmh(r) or r.gate.grid.minimum_kmh
            named = r.hr_monitor.named or "your heart-rate ceiling"
            bpm = r.hr_monitor.last_bpm
            r.alert(
                alarm.hazard,
                alarm.kind,
                f"Heart rate {bpm} bpm is above {named}. Slow the belt to {slow:.1f} km/h at "
                "the console, breathe, hold the rails; confirm when you are ready.",
                needs_ack=True,
            )
            r.hold(alarm.kind.replace("_", " "), needs_confirm=True)
            self.advise(f"Slow the belt to {slow:.1f} km/h at the console.", slow, step=False)
            return
        message = alarm.message
        if alarm.action is Action.PAUSE_BELT:  # treadctl cannot: the person may
            message = message.replace(
                "Paused.", "Workout held: slow or pause the belt at the console."
            )
        r.alert(alarm.hazard, alarm.kind, message, needs_ack=alarm.needs_ack)
        if alarm.action is not Action.TELL:
            r.hold(alarm.kind.replace("_", " "), needs_confirm=True)

    def link_lost(self) -> None:
        self.alarms.forget()  # what the belt does after the gap is said afresh
        self.r.alert(
            "H6",
            "link_lost",
            "Lost the link to the treadmill: treadctl cannot see the belt now. Workout "
            f"paused; slow down or stop at the console if you need to ({STOP_WORDS}). "
            "Confirm once it says reconnected.",
            needs_ack=True,
        )

    def restored(self) -> None:
        self.alarms.forget()
        self.r.alert(
            "H6",
            "reconnected",
            "Reconnected: treadctl sees the belt again. Confirm to go on.",
            needs_ack=True,
        )

    async def stop(self, reason: str) -> None:
        """Stop asked for (the stop key, an error, the end of a stopped workout).

        treadctl cannot stop this belt, and says so once. Where the treadmill has a
        control point it sends a Stop anyway (a machine that ignores speeds may still
        obey it), without ever claiming it worked: only a belt that reports 0 has stopped.
        """
        r = self.r
        if not self._stop_told:
            self._stop_told = True
            r.alert("H5", "stop_at_console", f"treadctl cannot stop this belt: {STOP_WORDS}.")
        if r.client.is_connected and r.client.can_control:
            with contextlib.suppress(LinkError, client_errors.TreadmillError):
                await r.belt.stop()
