"""One scenario per hazard of the safety model (docs/safety.md), against the simulator."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest

from tests.workout.harness import BACK, COOL, FWD_BACK_FWD, WARM, workout
from treadctl.ftms import TreadmillData, encode_treadmill_data, uuids
from treadctl.ftms import control_point as cp
from treadctl.sim import BeltState, Quirk
from treadctl.workout.events import (
    Countdown,
    Paused,
    Resumed,
    SegmentStarted,
    Turnaround,
    WorkoutEvent,
)
from treadctl.workout.runner import RisksNotAcknowledged, RunState
from treadctl.workout.timeline import PlanLimits, StepKind


def is_turn(phase: str) -> Callable[[WorkoutEvent], bool]:
    return lambda e: isinstance(e, Turnaround) and e.phase == phase


def segment_started(label: str) -> Callable[[WorkoutEvent], bool]:
    return lambda e: isinstance(e, SegmentStarted) and e.label == label


async def test_h1_turnaround_is_warned_slowed_and_held() -> None:
    async with workout() as w:
        w.start()
        summary = await w.finish()
        assert summary.completed
        now = [t for t in w.log if isinstance(t.event, Turnaround) and t.event.phase == "turn_now"]
        assert len(now) == 2
        for turn in now:
            assert turn.belt_kmh <= 0.8 + 1e-6  # the belt is at turn speed when they turn
        warnings = [
            t for t in w.log if isinstance(t.event, Turnaround) and t.event.phase == "warning"
        ]
        assert [round(b.t_s - a.t_s) >= 5 for a, b in zip(warnings, now, strict=True)] == [
            True,
            True,
        ]
        countdowns = [e.seconds_left for e in w.of(Countdown)]
        assert countdowns[:5] == [5, 4, 3, 2, 1]
        # after "turn now" the belt is held at turn speed for the hold time
        after = next(t for t in w.log if t.t_s >= now[0].t_s + 4.9)
        assert after.belt_kmh <= 0.8 + 1e-6


async def test_h1_turn_waits_for_confirmation_and_pauses_if_none_comes() -> None:
    limits = PlanLimits(turn_confirm=True)
    async with workout(limits=limits) as w:
        w.start()
        await w.at_event(is_turn("waiting_for_confirm"))
        t_wait = w.rig.clock.now()
        await w.rig.clock.sleep(20)
        assert w.rig.sim.belt.speed_kmh <= 0.8 + 1e-6
        assert not any(isinstance(e, SegmentStarted) and e.facing == "backward" for e in w.events)
        await w.until(lambda: bool(w.of(Paused)), limit_s=60)
        assert w.rig.clock.now() - t_wait >= 29
        await w.rig.clock.sleep(10)
        assert w.rig.sim.belt.speed_kmh == 0  # nobody confirmed: the belt is paused
        w.runner.confirm()
        await w.at_event(segment_started("backward bout"))
        assert not w.runner.status().awaiting_confirm  # confirmed: nothing to wait for mid-bout
        await w.until(lambda: len([e for e in w.events if is_turn("waiting_for_confirm")(e)]) == 2)
        assert w.runner.status().awaiting_confirm
        w.runner.confirm()
        summary = await w.finish()
        assert summary.completed


async def test_h1_turn_pauses_the_belt_when_the_machine_cannot_go_slow_enough() -> None:
    async with workout(min_speed_kmh=1.0) as w:
        assert "paused for every turn" in " ".join(w.timeline.adjustments)
        w.start()
        await w.at_event(is_turn("turn_now"))
        await w.rig.clock.sleep(2)
        assert w.rig.sim.state is BeltState.PAUSED
        summary = await w.finish()
        assert summary.completed


async def test_h2_backward_ceiling_holds_on_every_command() -> None:
    fast_back = {**BACK, "speed_kmh": 5.0}
    async with workout([WARM, fast_back, COOL]) as w:
        assert any("ceiling" in note for note in w.timeline.adjustments)
        w.start()
        await w.at_event(segment_started("backward bout"))
        for _ in range(30):
            w.runner.adjuster.speed(+0.5)  # the user leans on the + key
        await w.finish()
        backward = [v for _, v, facing in w.speed_commands() if facing == "backward"]
        assert backward
        assert max(backward) == pytest.approx(3.0)  # got to the ceiling, never past it
        assert any(a.hazard == "H2" for a in w.alerts())


async def test_h3_speed_changes_are_ramped_gentler_backward() -> None:
    async with workout([WARM, {**BACK, "speed_kmh": 3.0}, COOL]) as w:
        w.start()
        await w.finish()
        sent = w.speed_commands()
        assert len(sent) > 20
        for (t1, v1, _), (t2, v2, facing) in itertools.pairwise(sent):
            rate = 0.25 if facing == "backward" else 0.5
            assert abs(v2 - v1) <= rate * (t2 - t1) + 1e-6 or abs(v2 - v1) < 1e-9


async def test_h4_range_adjustments_are_told_once() -> None:
    fast = {"direction": "forward", "speed_kmh": 14.0, "duration": "20s", "label": "fast"}
    async with workout([fast, {**fast, "label": "fast again"}], max_speed_kmh=10.0) as w:
        notes = " ".join(w.timeline.adjustments)
        assert "10 km/h on this treadmill" in notes
        w.start()
        await w.finish()
        assert max(c.value or 0 for _, c in w.commands("speed")) == 10.0
        h4 = [a for a in w.alerts() if a.hazard == "H4"]
        assert len(h4) == len(w.timeline.adjustments)  # each told once, not per command


async def test_h5_emergency_stop_goes_first_and_ends_the_workout() -> None:
    async with workout(latency_s=0.05) as w:
        w.start()
        await w.at_event(segment_started("backward bout"))
        w.runner.adjuster.speed(+0.5)  # a ramp is in flight
        await w.rig.clock.sleep(0.3)
        await w.runner.emergency_stop()
        summary = await w.finish()
        assert not summary.completed
        assert summary.reason == "emergency stop"
        last = w.rig.sim.stats.requests[-1]
        assert isinstance(last, cp.StopOrPause)
        assert last.is_stop
        assert w.rig.sim.state is BeltState.STOPPED


async def test_h5_belt_stops_when_the_run_is_cancelled() -> None:
    async with workout() as w:
        w.start()
        await w.at_event(segment_started("backward bout"))
        assert w.task is not None
        w.task.cancel()
        with pytest.raises(BaseException):  # noqa: B017, PT011 - CancelledError
            await w.task
        assert w.rig.sim.state is BeltState.STOPPED


async def test_h6_link_loss_pauses_freezes_and_never_restores_speed_alone() -> None:
    async with workout() as w:
        w.start()
        await w.at_event(segment_started("backward bout"))
        await w.rig.clock.sleep(10)
        w.rig.link.reachable = False
        w.rig.link.break_link()
        frozen = w.runner.workout_s
        await w.rig.clock.sleep(20)
        assert w.runner.state is RunState.PAUSED
        assert w.runner.workout_s == pytest.approx(frozen)
        assert [a.kind for a in w.alerts() if a.hazard == "H6"] == ["link_lost"]
        commands_offline = len(w.commands())
        w.rig.link.reachable = True
        await w.until(lambda: w.rig.client.is_connected, limit_s=30)
        await w.until(lambda: bool(w.alerts("reconnected")), limit_s=10)
        await w.rig.clock.sleep(30)
        # reconnected: the belt stays stopped, no speed is sent, the clock stays frozen
        assert w.rig.sim.belt.speed_kmh == 0
        after = [c for _, c in w.commands()[commands_offline:]]
        assert [c.name for c in after] == ["pause", "speed"]
        assert after[1].value == pytest.approx(0.5)  # the slow start speed, left stored
        assert w.runner.workout_s == pytest.approx(frozen)
        n = len(w.commands("speed"))
        w.runner.confirm()
        await w.at_event(lambda e: isinstance(e, Resumed))
        resume_speeds = [c.value for _, c in w.commands("speed")[n:]]
        assert resume_speeds[0] is not None
        assert resume_speeds[0] <= 0.8 + 1e-9  # back up from slow, not a jump to 2 km/h
        summary = await w.finish()
        assert summary.completed
    async with workout() as reference:  # the same workout without the outage
        reference.start()
        plain = await reference.finish()
    # the minute offline and the wait for the person did not count
    assert summary.workout_s == pytest.approx(plain.workout_s, abs=3)


async def test_h6_no_commands_are_queued_while_offline() -> None:
    async with workout(reconnect=None) as w:
        w.start()
        await w.at_event(segment_started("warm-up"))
        w.rig.link.break_link()
        before = len(w.rig.sim.stats.requests)
        w.runner.adjuster.speed(+0.5)
        w.runner.resume()
        await w.rig.clock.sleep(30)
        assert w.alerts("offline")
        assert not [c for _, c in w.commands() if c.ok is False]
        await w.rig.client.connect()
        await w.rig.client.request_control()
        await w.rig.clock.sleep(5)
        requests = w.rig.sim.stats.requests[before:]
        assert [type(r).__name__ for r in requests] == ["RequestControl"]
        await w.runner.emergency_stop()
        await w.finish()


async def test_h7_safety_key_aborts_with_a_clear_message() -> None:
    async with workout() as w:
        w.start()
        await w.at_event(segment_started("backward bout"))
        w.rig.sim.pull_safety_key()
        summary = await w.finish()
        assert summary.reason == "safety key"
        assert not summary.completed
        (alert,) = w.alerts("safety_key")
        assert alert.needs_ack
        assert "Safety key pulled" in alert.message


async def test_h7_console_stop_pauses_and_resume_continues() -> None:
    async with workout() as w:
        w.start()
        await w.at_event(segment_started("warm-up"))
        await w.rig.clock.sleep(5)
        w.rig.sim.console_pause()
        await w.until(lambda: w.runner.state is RunState.PAUSED, limit_s=5)
        frozen = w.runner.workout_s
        await w.rig.clock.sleep(30)
        assert w.runner.workout_s == pytest.approx(frozen)
        w.runner.resume()
        summary = await w.finish()
        assert summary.completed


async def test_h7_control_lost_is_re_requested_then_pauses_if_refused() -> None:
    async with workout() as w:
        w.start()
        await w.at_event(segment_started("warm-up"))
        w.rig.sim.revoke_control()
        await w.until(lambda: bool(w.alerts("control_regained")), limit_s=5)
        assert w.runner.state.value == "running"
        await w.rig.clock.sleep(15)  # outside the retry window
        w.rig.sim.revoke_control()
        other = w.rig.sim.attach(w.rig.link)
        other.has_control = True  # another app grabs it before we can
        await w.until(lambda: bool(w.alerts("control_lost")), limit_s=5)
        assert w.runner.state is RunState.PAUSED
        await w.runner.emergency_stop()
        await w.finish()


async def test_h8_locked_speed_warns_and_holds_without_piling_on() -> None:
    async with workout(None, Quirk.SPEED_LOCKED) as w:
        w.start()
        await w.until(lambda: bool(w.alerts("target_not_reached")), limit_s=120)
        assert w.runner.state is RunState.PAUSED
        assert "advisory mode" in w.alerts("target_not_reached")[0].message
        sent = len(w.commands("speed"))
        await w.rig.clock.sleep(60)
        assert len(w.commands("speed")) == sent  # held: no pile of speed commands
        w.runner.confirm()  # go on in advisory mode (tests/workout/test_advisory.py)
        await w.until(lambda: w.runner.status().advisory, limit_s=10)
        await w.rig.clock.sleep(30)
        assert len(w.commands("speed")) == sent  # nothing more is sent
        assert len(w.alerts("target_not_reached")) == 1
        await w.runner.emergency_stop()
        summary = await w.finish()
        assert not summary.completed


async def test_h8_belt_faster_than_asked_is_paused() -> None:
    # The machine reads km/h numbers as mph: 3.0 "km/h" becomes 4.8 km/h.
    async with workout(None, Quirk.MPH_FIELDS, max_packet_len=None) as w:
        w.start()
        await w.until(lambda: bool(w.alerts("unit_mismatch")), limit_s=120)
        assert "mph" in w.alerts("unit_mismatch")[0].message
        await w.rig.clock.sleep(20)
        assert w.rig.sim.belt.speed_kmh == 0
        await w.runner.emergency_stop()
        await w.finish()


async def test_h9_heart_rate_over_the_ceiling_slows_and_holds() -> None:
    async with workout(limits=PlanLimits(max_heart_rate_bpm=150, heart_rate_over_s=10)) as w:
        w.start()
        await w.at_event(segment_started("backward bout"))
        w.rig.sim.heart_rate_bpm = 165
        await w.rig.clock.sleep(5)
        assert not w.alerts("heart_rate")  # not yet: N seconds above first
        await w.until(lambda: bool(w.alerts("heart_rate")), limit_s=20)
        await w.rig.clock.sleep(10)
        assert w.runner.state is RunState.PAUSED
        assert w.rig.sim.belt.speed_kmh <= 0.8 + 1e-6
        w.rig.sim.heart_rate_bpm = 120
        w.runner.confirm()
        summary = await w.finish()
        assert summary.completed


async def test_h11_backward_workout_needs_acknowledged_risks() -> None:
    async with workout(acknowledged=False) as w:
        with pytest.raises(RisksNotAcknowledged, match="H11"):
            await w.runner.run()
        assert w.rig.sim.stats.requests[-1].__class__ is cp.RequestControl  # nothing moved
    async with workout([WARM, COOL], acknowledged=False) as w:  # forward only: no question
        w.start()
        assert (await w.finish()).completed


async def test_h12_malformed_notifications_never_stop_the_workout() -> None:
    async with workout() as w:
        w.start()
        await w.at_event(segment_started("backward bout"))
        for junk in (b"", b"\x01", b"\xff\xff\x00", b"\x00\x00\x01"):
            w.rig.link.notify("00002acd-0000-1000-8000-00805f9b34fb", junk)
        w.rig.link.notify("00002ada-0000-1000-8000-00805f9b34fb", b"")
        summary = await w.finish()
        assert summary.completed
        kinds = {a.kind for a in w.alerts() if a.hazard == "H12"}
        assert kinds == {"malformed-treadmill-data", "malformed-machine-status"}
        assert w.rig.client.state.malformed >= 2


async def test_pause_and_resume_ramp_up_again() -> None:
    async with workout() as w:
        w.start()
        await w.at_event(segment_started("warm-up"))
        await w.rig.clock.sleep(10)
        w.runner.pause()
        await w.rig.clock.sleep(15)
        assert w.rig.sim.belt.speed_kmh == 0
        n = len(w.commands("speed"))
        w.runner.resume()
        await w.at_event(lambda e: isinstance(e, Resumed))
        ramp = [v for _, v, _ in w.speed_commands()[n:]]
        assert ramp[:2] == pytest.approx([0.5, 0.6])  # slow, then one step at a time
        assert ramp[-1] == pytest.approx(3.0)
        assert ramp == sorted(ramp)
        assert (await w.finish()).completed


async def test_step_timeline_has_turns_at_every_direction_change() -> None:
    async with workout(FWD_BACK_FWD) as w:
        kinds = [s.kind for s in w.timeline.steps]
        assert kinds.count(StepKind.TURN) == 2
        for i, step in enumerate(w.timeline.steps):
            if step.kind is StepKind.TURN:
                assert step.speed_kmh <= 0.8
                assert w.timeline.steps[i - 1].kind is StepKind.RAMP


async def test_h5_emergency_stop_sends_one_stop() -> None:
    async with workout() as w:
        w.start()
        await w.at_event(segment_started("warm-up"))
        await w.runner.emergency_stop()
        await w.finish()
        assert [c.name for _, c in w.commands()][-1:] == ["stop"]
        assert len(w.commands("stop")) == 1
        stops = [r for r in w.rig.sim.stats.requests if isinstance(r, cp.StopOrPause)]
        assert len(stops) == 1


async def test_h12_out_of_order_records_are_skipped_not_counted_twice() -> None:
    async with workout([WARM, COOL]) as w:
        w.start()
        await w.at_event(segment_started("cool-down"))
        before = w.rig.client.state.distance_m
        assert before is not None
        # a stale record from a few seconds ago arrives late: distance 5 m lower
        stale = encode_treadmill_data(TreadmillData.of(speed_kmh=3.0, distance_m=before - 5))
        w.rig.link.notify(uuids.TREADMILL_DATA, stale[0])
        summary = await w.finish()
        assert w.runner.out_of_order >= 1
        assert w.alerts("out_of_order-distance")
        final = w.rig.sim.belt.distance_m
        assert summary.distance_m == pytest.approx(final, abs=3)  # not final + before


async def test_user_adjustments_stay_within_ceilings_and_reset_next_segment() -> None:
    async with workout() as w:
        w.start()
        await w.at_event(segment_started("backward bout"))
        for _ in range(20):
            w.runner.adjuster.incline(+0.5)  # backward incline ceiling: 5 %
        for _ in range(3):
            w.runner.adjuster.speed(-0.1)
        await w.rig.clock.sleep(15)
        inclines = [c.value for _, c in w.commands("incline")]
        assert max(v for v in inclines if v is not None) == pytest.approx(5.0)
        assert w.rig.sim.belt.incline_pct == pytest.approx(5.0)
        assert w.rig.sim.belt.speed_kmh == pytest.approx(1.7, abs=0.05)
        await w.at_event(segment_started("cool-down"))
        await w.rig.clock.sleep(15)
        assert w.rig.sim.belt.incline_pct == pytest.approx(0.0)  # the next segment's own
        assert w.rig.sim.belt.speed_kmh == pytest.approx(3.0)
        assert (await w.finish()).completed


async def test_h6_link_loss_mid_command_raises_one_alarm() -> None:
    async with workout(latency_s=0.2) as w:
        w.start()
        await w.at_event(is_turn("speeding_up"))  # the ramp into the backward bout

        def drop_link_with_the_answer(uuid: str, data: bytes) -> bool:
            if uuid != uuids.CONTROL_POINT or data[1] != cp.ControlOp.SET_TARGET_SPEED:
                return False
            w.rig.link.drop_filter = None
            w.rig.link.break_link()  # the answer to a speed command was on its way
            return True

        w.rig.link.drop_filter = drop_link_with_the_answer
        await w.until(lambda: not w.rig.client.is_connected, limit_s=5)
        await w.rig.clock.sleep(10)
        h6 = [a.kind for a in w.alerts() if a.hazard == "H6"]
        assert h6 == ["link_lost", "reconnected"]  # not also "no answer" and a second reconnect
        assert [c.error for _, c in w.commands() if not c.ok] == [
            "the link dropped during the procedure"
        ]
        await w.until(lambda: bool(w.alerts("reconnected")), limit_s=30)
        w.runner.confirm()
        assert (await w.finish()).completed
