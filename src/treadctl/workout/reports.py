"""What the treadmill reports, and what the runner makes of it.

Data records (trusted or not, H12), the belt over its ceiling (H2) or not following
commands (H8), the speed unit (H8), status changes from the console (H7), the link going
and coming back (H6), commands that failed, and the sample each second with the monitors
(H8, H9, H12). :class:`Reports` decides; it acts through the runner's parts (the belt
commands, holds, alerts), as :class:`~treadctl.workout.steps.StepExecutor` does.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from treadctl.client import errors as client_errors
from treadctl.client import events as ce
from treadctl.client.state import BeltStatus, TreadmillState
from treadctl.link.base import LinkError
from treadctl.workout.advisory import OFFERS_ADVISORY
from treadctl.workout.events import Sample
from treadctl.workout.holds import RunState
from treadctl.workout.monitors import (
    Action,
    Alarm,
    UnitVerdict,
    unit_mismatch_alarm,
)
from treadctl.workout.totals import Step as TotalStep
from treadctl.workout.trust import Verdict

if TYPE_CHECKING:
    from treadctl.workout.runner import Runner

#: After reconnecting, wait this long for fresh data before deciding what the belt does.
FRESH_DATA_WAIT_S = 3.0
#: A belt that gets within this of a commanded speed, twice in a row, went there...
FOLLOW_TOLERANCE_KMH = 0.15
#: ...and two such speeds this far apart show that the belt follows speed commands.
FOLLOW_CHANGE_KMH = 0.3
#: A belt reporting standing still this long after a command has stopped.
STOPPED_UNHEARD_S = 4.0
#: Records without a distance after which the speed unit cannot be checked.
NO_DISTANCE_RECORDS = 5


class Reports:
    """The runner's ears: each report from the client, and the periodic sample."""

    def __init__(self, runner: Runner) -> None:
        self.r = runner
        self.next_sample_s = 0.0
        """When the next sample (and monitor check) is due, on the clock."""
        self._records_without_distance = 0
        self._relinking = False
        self._followed: list[float] = []

    def on_client_event(self, event: ce.ClientEvent) -> None:
        if self.r.advisory is not None and self.r.advisory.on_client_event(event):
            return
        match event:
            case ce.DataRecord(state=state):
                self._on_record(state)
            case ce.SafetyKeyPulled():
                self.r.alert(
                    "H7",
                    "safety_key",
                    "Safety key pulled: the workout has ended. Make sure you are steady "
                    "before clipping it back on.",
                    needs_ack=True,
                )
                self.r.abort_reason = "safety key"
                self.r.gate.close()
                self.r.belt.halted()
                self.r.wake_up()
            case ce.StoppedAtConsole(paused=paused):
                self.r.belt.halted()
                if not paused:
                    self.r.gate.forget_stored()  # a stopped machine starts at its own default
                self.r.alert(
                    "H7",
                    "console_stop",
                    f"{'Paused' if paused else 'Stopped'} at the console. Resume when ready.",
                )
                self.r.hold("stopped at the console", needs_confirm=False)
                self.r.spawn(self.r.belt.store_slow())
            case ce.StartedAtConsole():
                if self.r.gate.belt_running or not self.r.holds.live:
                    return  # our own start coming back, or nothing to resume
                self.r.gate.person_acted()
                self.r.gate.started(self.r.clock.now())
                self.r.spawn(self.r.belt.speed(self.r.gate.grid.minimum_kmh))
                if self.r.holds.state is RunState.PAUSED and self.r.client.is_connected:
                    self.r.request_resume()
            case ce.ControlLost(regained=False, reason=reason):
                self.r.alert(
                    "H7",
                    "control_lost",
                    "The treadmill no longer takes commands "
                    f"({reason or 'control taken'}). Use its console to stop or slow it.",
                    needs_ack=True,
                )
                self.r.hold("control lost", needs_confirm=True)
            case ce.ControlLost(regained=True):
                self.r.alert("H7", "control_regained", "Control was taken and taken back.")
            case ce.LinkDown():
                self._on_link_down()
            case ce.MalformedData(characteristic=name, error=error):
                self.r.alert_once(
                    "H12",
                    f"malformed-{name}",
                    f"Unreadable {name} from the treadmill ({error}); skipped and counted.",
                )
            case ce.TargetSpeedChanged(speed_kmh=kmh):
                self.r.ceilings.on_target_speed(kmh)
            case ce.RangeAdjusted(
                quantity="incline_pct", wanted=wanted, sent=sent, clamped=clamped
            ):
                how = "outside" if clamped else "between the steps of"
                self.r.alert_once(
                    "H4",
                    "range-incline_pct",
                    f"{wanted:g} % is {how} the treadmill's incline range: sent {sent:g} %.",
                )
            case _:
                pass

    def _on_record(self, state: TreadmillState) -> None:
        now = self.r.clock.now()
        self.r.wake_up()  # whoever waits on the belt decides on this reading at once
        speed_ok = False
        if state.speed_kmh is not None:
            verdict = self.r.trust.feed(now, state.speed_kmh)
            speed_ok = verdict is Verdict.ACCEPTED
            if verdict in (Verdict.OUT_OF_RANGE, Verdict.IMPLAUSIBLE):
                self.r.alert_once(
                    "H12",
                    f"implausible-speed-{verdict}",
                    f"A speed reading of {state.speed_kmh:g} km/h cannot be right "
                    f"({verdict.replace('_', ' ')}): ignored and counted.",
                )
            trusted = self.r.trust.trusted_kmh
            if trusted is not None and trusted > 0.1:
                self.r.seen_moving = True
            if self.r.advisory is not None:
                self.r.advisory.observe(now, trusted)  # the person drives: alarms, pace
            elif trusted is not None:
                self.r.gate.observe(now, trusted, steady=self.r.trust.steady())
                self.r.ceilings.check(trusted)
                self._check_follows()
        if state.distance_m is None:
            self._records_without_distance += 1
            if (
                self._records_without_distance == NO_DISTANCE_RECORDS
                and not self.r.gate.unit_verified
            ):
                self.r.gate.unit_verified = True
                self.r.alert_once(
                    "H8",
                    "unit_unchecked",
                    "This treadmill reports no distance, so treadctl cannot check its speed "
                    "unit: make sure the console shows the speeds you expect.",
                )
        else:
            self._records_without_distance = 0
            step = self.r.totals.feed_distance(now, state.distance_m, self.r.facing)
            self._tell_total_step("distance", step)
            if step is TotalStep.GREW and speed_ok:
                self._check_unit(now, state)  # only clean records judge the unit
        if state.energy_kcal is not None:
            self._tell_total_step("energy", self.r.totals.feed_energy(now, state.energy_kcal))

    def _tell_total_step(self, kind: str, step: TotalStep) -> None:
        if step is TotalStep.OUT_OF_ORDER:
            self.r.alert_once(
                "H12", f"out_of_order-{kind}", f"The treadmill's {kind} went backwards: skipped."
            )
        elif step is TotalStep.IMPOSSIBLE:
            self.r.alert_once(
                "H12", f"impossible-{kind}", f"The treadmill's {kind} jumped impossibly: skipped."
            )

    def _check_follows(self) -> None:
        """Has the belt settled at two commanded speeds a real change apart? Then it follows.

        A machine that ignores speed commands settles only at its own speed; one that
        follows settles where it is told, and every workout tells it at least two speeds
        (a segment's and a turn's) before anyone turns backward.
        """
        commanded = self.r.belt.commanded
        if self.r.gate.follows_speed or commanded is None or not self.r.gate.belt_running:
            return
        confirmed, latest = self.r.trust.confirmed, self.r.trust.latest
        if confirmed is None or latest is None or abs(latest.kmh - confirmed.kmh) > 0.05:
            return  # not steady
        if abs(latest.kmh - commanded.kmh) > FOLLOW_TOLERANCE_KMH or latest.kmh <= 0:
            return  # steady, but not where it was told
        self._followed.append(latest.kmh)
        if max(self._followed) - min(self._followed) >= FOLLOW_CHANGE_KMH:
            self.r.gate.follows_speed = True

    def _check_unit(self, now: float, state: TreadmillState) -> None:
        if self.r.gate.unit_verified and self.r.unit_monitor.verified:
            return
        # Advisory mode: nothing commands the belt, but its odometer still tells the unit.
        moving = self.r.gate.belt_running or (
            self.r.advisory is not None and (self.r.belt_actions.trusted_kmh() or 0.0) > 0
        )
        if self.r.holds.state is not RunState.RUNNING or not moving:
            self.r.unit_monitor.reset()
            return
        result = self.r.unit_monitor.check(now, state.distance_m, state.speed_kmh)
        if result is None:
            return
        verdict, ratio = result
        if verdict is UnitVerdict.VERIFIED:
            self.r.gate.unit_verified = True
            self.r.adjuster.reach_segment_speed()  # a speed held lower until now can be reached
        else:
            self.raise_alarm(unit_mismatch_alarm(ratio))

    def raise_alarm(self, alarm: Alarm) -> None:
        """Act on a monitor's alarm."""
        if self.r.advisory is not None:
            self.r.advisory.raise_alarm(alarm)  # nothing to command: said, and held
            return
        self.r.alert(alarm.hazard, alarm.kind, alarm.message, needs_ack=alarm.needs_ack)
        if alarm.belt_disobeys and alarm.kind not in OFFERS_ADVISORY:
            self.r.belt_actions.turn_backward_off("the belt did not do as it was told")
        action = alarm.action
        if action is Action.HOLD and alarm.belt_disobeys and self.r.facing == "backward":
            action = Action.PAUSE_BELT  # never leave a person backward on a belt that disobeys
        match action:
            case Action.TELL:
                return
            case Action.HOLD:
                self.r.hold_alarm = alarm
                self.r.hold(alarm.kind.replace("_", " "), needs_confirm=True)
            case Action.PAUSE_BELT:
                self.r.hold_alarm = alarm
                self.r.hold(alarm.kind.replace("_", " "), needs_confirm=True, pause_belt=True)
            case Action.END:
                self.r.abort_reason = self.r.abort_reason or alarm.kind.replace("_", " ")
                self.r.wake_up()
                self.r.spawn(self.r.belt_actions.stop(self.r.abort_reason))
            case Action.SLOW_AND_HOLD:
                self.r.hold_alarm = alarm
                self.r.hold(alarm.kind.replace("_", " "), needs_confirm=True)
                recovery = min(
                    self.r.gate.turn_speed_kmh() or self.r.gate.grid.minimum_kmh,
                    self.r.belt_actions.trusted_kmh() or 0.0,
                )
                self.r.spawn(self.r.belt.speed(max(recovery, self.r.gate.grid.minimum_kmh)))

    def _on_link_down(self) -> None:
        if not self.r.holds.live:
            return
        self.r.belt.halted()
        self.r.gate.forget_stored()
        self.r.trust.reset()
        if self._relinking or (self.r.reconnector is not None and self.r.reconnector.active):
            self._relinking = False
        elif self.r.advisory is not None:
            self.r.advisory.link_lost()
        else:
            self.r.alert(
                "H6",
                "link_lost",
                "Lost the link to the treadmill. Workout paused; the belt will not speed up "
                "again until you confirm. Use the console stop if you need it.",
                needs_ack=True,
            )
        self.r.hold("link lost", needs_confirm=True)
        if self.r.reconnector is not None and not self.r.reconnector.active and not self.r.aborted:
            self.r.spawn(self.r.reconnector.run())

    async def restored(self) -> None:
        """The link and control are back: see what the belt does, and keep it stopped."""
        records = self.r.client.state.records
        give_up_at = self.r.clock.now() + FRESH_DATA_WAIT_S
        while self.r.client.state.records == records and self.r.clock.now() < give_up_at:
            await self.r.clock.sleep(0.1)
        if self.r.advisory is not None:
            self.r.advisory.restored()
            self.r.wake_up()
            return
        state = self.r.client.state
        if state.belt is BeltStatus.RUNNING or (state.speed_kmh or 0) > 0:
            await self.r.belt.pause()
        else:
            self.r.belt.halted()
            await self.r.belt.store_slow()
        self.r.gate.need_person()
        self.r.alert(
            "H6",
            "reconnected",
            "Reconnected. The belt stays stopped until you confirm.",
            needs_ack=True,
        )
        self.r.wake_up()

    def command_failed(self, exc: Exception) -> None:
        if isinstance(exc, client_errors.ControlPointTimeout | client_errors.ControlPointUnusable):
            if self._relinking or (self.r.reconnector is not None and self.r.reconnector.active):
                return  # already on it
            self.r.alert(
                "H6",
                "no_answer",
                "The treadmill stopped answering. Workout paused; reconnecting.",
                needs_ack=True,
            )
            self.r.hold("treadmill not answering", needs_confirm=True)
            self._relinking = True
            self.r.spawn(self._drop_link())
        elif isinstance(exc, client_errors.ControlNotPermitted):
            self.r.alert(
                "H7",
                "control_lost",
                "The treadmill no longer takes commands. Use its console to stop or slow it.",
                needs_ack=True,
            )
            self.r.hold("control lost", needs_confirm=True)

    async def _drop_link(self) -> None:
        """Close the link after a control point timeout: no new procedure on this one."""
        with contextlib.suppress(LinkError, client_errors.TreadmillError):
            await self.r.client.disconnect()

    # -- samples and the monitors (H8, H9, H12) ----------------------------------------

    def sample_if_due(self) -> None:
        now = self.r.clock.now()
        if now + 1e-9 < self.next_sample_s:
            return
        self.next_sample_s = now + self.r.sample_period_s
        s = self.r.client.state
        ws = self.r.workout_s
        self.r.totals.tick(ws, self.r.facing)
        heart = self.r.heart.reading(now, s)
        bpm = None if heart is None else heart.bpm
        self.r.emit(
            Sample(
                speed_kmh=s.speed_kmh,
                incline_pct=s.incline_pct,
                distance_m=round(self.r.totals.distance_m, 1),
                facing=self.r.facing,
                workout_s=round(ws, 3),
                segment_left_s=self.r.segment_left_s,
                energy_kcal=self.r.totals.energy_kcal,
                heart_rate_bpm=bpm,
                heart_rate_source=None if heart is None else heart.source,
                connected=s.connected,
                step=self.r.step_index,
                steps=s.steps,
            )
        )
        running = self.r.holds.state is RunState.RUNNING
        if running and self.r.gate.belt_running and self._stopped_unheard(now):
            self.r.belt.halted()
            self.r.gate.forget_stored()
            self.r.alert(
                "H7",
                "belt_stopped",
                "The belt has stopped (at the console, or by the machine): workout paused. "
                "Resume when you are ready.",
            )
            self.r.hold("the belt stopped", needs_confirm=False)
            self.r.spawn(self.r.belt.store_slow())
        elif running and self.r.gate.belt_running:
            alarm = self.r.target_monitor.check(now, self.r.belt.commanded, self.r.trust.agreed_kmh)
            if alarm is not None:
                self.raise_alarm(alarm)
        if running:
            hr = self.r.hr_monitor.check(now, bpm)  # the strap's rate first; unknown is no value
            if hr is not None:
                self.raise_alarm(hr)
        self.r.heart.check(now, heart)
        stale = self.r.stale_monitor.check(now, s.records, s.connected)
        if stale is not None:
            self.raise_alarm(stale)
        if self.r.advisory is not None:
            self.r.advisory.tick(now)

    def _stopped_unheard(self, now: float) -> bool:
        """The belt reports standing still while treadctl thinks it runs: a stop it did
        not hear of (a status lost with the link, a deck whose start toggles)."""
        commanded = self.r.belt.commanded
        return (
            commanded is not None
            and now - commanded.at_s > STOPPED_UNHEARD_S
            and self.r.trust.stopped()
        )
