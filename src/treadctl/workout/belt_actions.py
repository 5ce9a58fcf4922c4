"""What the runner does with the belt beyond one command: start it and hold when it will
not start, restart it after a turn on a stopped belt, stop it (one alarm however many
asked), finish and wait for it to stand still, and switch backward off on a belt that
disobeys. The commands themselves go through :mod:`treadctl.workout.belt` and the gate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from treadctl.workout.belt import StartResult
from treadctl.workout.events import CueEvent
from treadctl.workout.holds import RunState
from treadctl.workout.monitors import commands_ignored_alarm
from treadctl.workout.profile import Direction
from treadctl.workout.reports import FOLLOW_TOLERANCE_KMH
from treadctl.workout.steps import WorkoutAborted

if TYPE_CHECKING:
    from treadctl.workout.runner import Runner

#: How long the end waits for the belt to report standing still.
FINISH_STOP_WAIT_S = 30.0


class BeltActions:
    """The runner's belt actions, with their alerts and holds."""

    def __init__(self, runner: Runner) -> None:
        self.r = runner
        self._stop_failure_told = False

    def turn_backward_off(self, why: str) -> None:
        if self.r.gate.backward_off:
            return
        self.r.gate.turn_backward_off()
        self.r.alert(
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
        why = self.r.gate.backward_ready(judge_following=not ahead)
        if why is None:
            return False
        if not self.r.gate.backward_off:
            self.r.alert_once("H2", f"backward_skipped-{why}", f"Backward bout skipped: {why}.")
        return True

    async def start(self) -> bool:
        """Start the belt slowly; on a refusal, say why and hold for the person."""
        records = self.r.client.state.records
        result = await self.r.belt.start()
        if result is StartResult.NOT_MOVING and self._start_ignored(records):
            self.r.reports.raise_alarm(commands_ignored_alarm())  # H8: offers advisory mode
            return False
        if result is StartResult.NOT_MOVING and self._still_at_rest(records):
            self._not_started()
            return False
        if result in (StartResult.MOVING, StartResult.NOT_MOVING):
            return True
        if self.r.aborted or result is StartResult.OVERTAKEN:
            return False  # a pause or stop overtook it: that is the hold
        if result is StartResult.REFUSED_BY_MACHINE:
            self.r.alert(
                "H7",
                "start_refused",
                "The treadmill would not start. Is the safety key in place? Check the console, "
                "then confirm.",
                needs_ack=True,
            )
        elif result is StartResult.REFUSED_BY_GATE and self.r.gate.backward_off:
            self.r.alert_once(
                "H8", "backward_off_start", "The belt stays stopped while you face backward."
            )
        if self.r.holds.state is RunState.RUNNING or self.r.holds.state is RunState.RESUMING:
            self.r.holds.resume_failed()
            self.r.hold("the belt did not start", needs_confirm=True)
        return False

    def _still_at_rest(self, records_before: int) -> bool:
        """The machine took the Start, its data keeps coming, and the belt stands: paused
        at its console while the link was down, or its start was lost. No ramp may run
        ahead of a belt at rest: a start at the console later would jump to its target."""
        state = self.r.client.state
        return (
            self.r.client.is_connected
            and state.records >= records_before + 3
            and (state.speed_kmh or 0.0) <= 0.0
        )

    def _not_started(self) -> None:
        """Hold with the belt taken as at rest and the slow speed stored again."""
        r = self.r
        r.belt.halted()
        r.gate.forget_stored()
        r.alert(
            "H7",
            "belt_not_started",
            "The belt did not start. Check the safety key and the console (start the belt "
            "there if it waits for you), then confirm.",
            needs_ack=True,
        )
        if r.holds.state is RunState.RESUMING:
            r.holds.resume_failed()
        r.hold("the belt did not start", needs_confirm=True)
        r.spawn(r.belt.store_slow())

    def _start_ignored(self, records_before: int) -> bool:
        """A Start acknowledged, data coming in, and the belt still reports 0, on a belt
        never seen moving in this workout (later, a console or a lost link explains it)."""
        r = self.r
        state = r.client.state
        return (
            r.advisory is None
            and not r.seen_moving
            and r.client.is_connected
            and state.records >= records_before + 3
            and (state.speed_kmh or 0.0) <= 0.0
        )

    async def pause(self) -> None:
        await self.r.belt.pause()

    async def restart_after_turn(self) -> None:
        """After a turn on a paused belt: start it again from its slowest speed."""
        if self.r.gate.backward_off:
            self.r.hold(
                "this treadmill starts at its own speed: confirm to start it", needs_confirm=True
            )
            await self.r.pacer.while_held()
            return
        await self.start()

    async def stop(self, reason: str) -> None:
        if self.r.advisory is not None:
            await self.r.advisory.stop(reason)
            return
        if not self.r.client.is_connected:
            self.r.gate.close()
            self.r.alert(
                "H5",
                "stop_offline",
                "Not connected: stop the belt at the console or pull the safety key.",
            )
            return
        ok, error = await self.r.belt.stop()
        if not ok and not self._stop_failure_told:
            self._stop_failure_told = True  # one stop, shared by whoever asked: one alarm
            self.r.alert("H5", "stop_failed", f"Stop failed ({error}): use the console stop.")

    async def finish(self) -> None:
        """Stop the belt at the end, and wait until it reports standing still."""
        await self.stop("finished")
        give_up_at = self.r.clock.now() + FINISH_STOP_WAIT_S
        while self.r.client.is_connected and not self.r.trust.stopped():
            if self.r.aborted:
                raise WorkoutAborted(self.r.abort_reason or "aborted")
            if self.r.clock.now() >= give_up_at:
                belt = self.trusted_kmh()
                shown = f" ({belt:.1f} km/h)" if belt is not None else ""
                self.r.alert(
                    "H5",
                    "belt_still_moving",
                    f"The belt still reports moving{shown}: stop it at the console.",
                    needs_ack=True,
                )
                break
            await self.r.pacer.wait_wake(0.25)
            self.r.reports.sample_if_due()
        self.r.emit(CueEvent("Workout done. The belt has stopped: step off carefully."))

    def set_facing(self, facing: Direction, *, turning: bool = False) -> None:
        self.r.facing = facing
        self.r.gate.face(facing, turning=turning)

    def belt_disobeys(self, commanded_kmh: float) -> bool:
        """Does the trusted belt speed stay well above ``commanded_kmh``?"""
        belt = self.trusted_kmh()
        return belt is not None and belt > commanded_kmh + 0.3

    def trusted_kmh(self) -> float | None:
        return self.r.trust.trusted_kmh

    def settled_near(self, kmh: float) -> bool:
        """Two trusted readings in a row close to ``kmh``, the belt not moving."""
        confirmed, latest = self.r.trust.confirmed, self.r.trust.latest
        return (
            confirmed is not None
            and latest is not None
            and abs(latest.kmh - confirmed.kmh) <= 0.05
            and abs(latest.kmh - kmh) <= FOLLOW_TOLERANCE_KMH
        )

    def settled_at_or_below(self, limit_kmh: float) -> bool:
        if limit_kmh <= 0:
            return self.r.trust.stopped()
        return self.r.trust.settled_at_or_below(limit_kmh)
