"""The belt keeps its promises under the faults a probe found (issue 9), judged from the
simulated belt itself, not from what the runner believes.

Each test reproduces one finding. ``w.judge`` watches the simulator's belt physics and
records every broken promise (ceiling, turn, rise, frozen, stopped); each test ends with
no violation, and checks the behaviour the fix brought.
"""

from __future__ import annotations

import asyncio
import gc
import itertools
import logging
from collections.abc import Callable

import pytest

from tests.workout.harness import BACK, COOL, WARM, Workout, workout
from treadctl.ftms import TreadmillData, encode_treadmill_data, uuids
from treadctl.ftms import control_point as cp
from treadctl.sim import BeltState, Quirk
from treadctl.workout.events import (
    Advice,
    Command,
    Finished,
    Paused,
    Resumed,
    SegmentStarted,
    Turnaround,
    WorkoutEvent,
)
from treadctl.workout.runner import RunState
from treadctl.workout.timeline import MachineTooFast, PlanLimits


def is_turn(phase: str) -> Callable[[WorkoutEvent], bool]:
    return lambda e: isinstance(e, Turnaround) and e.phase == phase


def segment(label: str) -> Callable[[WorkoutEvent], bool]:
    return lambda e: isinstance(e, SegmentStarted) and e.label == label


def awaiting(w: Workout) -> bool:
    return w.runner.status().awaiting_confirm


def clean(w: Workout) -> None:
    assert w.judge.observations > 100
    assert w.judge.violations == [], "\n".join(map(str, w.judge.violations))


def speeds_after(w: Workout, t_s: float) -> list[tuple[float, float]]:
    return [(t, c.value or 0.0) for t, c in w.commands("speed") if t >= t_s]


# -- 1. H3: a ramp interrupted by a hold goes on from the slow restart ----------------------


async def test_pause_in_the_speed_up_after_a_turn_restarts_slowly() -> None:
    async with workout() as w:
        w.start()
        await w.at_event(is_turn("speeding_up"))
        await w.rig.clock.sleep(1.5)
        w.runner.pause()
        await w.rig.clock.sleep(5)
        t_resume = w.rig.clock.now()
        w.runner.resume()
        await w.at_event(lambda e: isinstance(e, Resumed))
        stored = [v for t, v in speeds_after(w, 0) if t < t_resume][-1]
        assert stored == pytest.approx(0.5)  # left stored, slow, while paused
        after = speeds_after(w, t_resume)
        assert [v for _, v in after[:2]] == pytest.approx([0.5, 0.6])  # then step by step
        rising = [v for _, v in after]
        assert rising == sorted(rising)
        (t_start,) = [t for t, _ in w.commands("start") if t >= t_resume]
        changes = [(t_start, 0.5)] + [(t, v) for t, v in after if v > 0.5]
        for (t1, v1), (t2, v2) in itertools.pairwise(changes):
            assert v2 - v1 <= 0.25 * (t2 - t1) + 1e-6  # 0.25 km/h/s facing backward
        assert (await w.finish()).completed
        clean(w)


@pytest.mark.parametrize("fault", ["link", "console_pause"])
async def test_a_ramp_never_continues_from_stale_speed(fault: str) -> None:
    async with workout() as w:
        w.start()
        await w.at_event(is_turn("speeding_up"))
        await w.rig.clock.sleep(2)
        if fault == "link":
            w.rig.link.break_link()
            await w.until(lambda: bool(w.alerts("reconnected")), limit_s=60)
            w.runner.confirm()
        else:
            w.rig.sim.console_pause()
            await w.until(lambda: w.runner.state is RunState.PAUSED, limit_s=5)
            await w.rig.clock.sleep(5)
            w.runner.resume()
        summary = await w.finish()
        assert summary.completed
        clean(w)


# -- 2. H1/H2: a speed-locked machine never gets a backward bout on its own ------------------


@pytest.mark.parametrize("locked_kmh", [1.0, 4.0])
async def test_speed_locked_machine_turns_nobody_backward_on_its_own(locked_kmh: float) -> None:
    """A belt locked at its own speed: treadctl offers advisory mode, and then sends
    nothing more. Nobody at the console follows the advice here, so nobody is ever told
    to turn: the workout waits, saying again what to set, until the person stops."""
    async with workout(None, Quirk.SPEED_LOCKED, start_speed_kmh=locked_kmh) as w:
        w.start()
        await w.until(lambda: w.runner.status().awaiting_confirm, limit_s=200)
        offer = w.alerts("target_not_reached") or w.alerts("too_fast")
        assert "advisory mode" in offer[0].message
        w.runner.confirm()
        await w.until(lambda: bool(w.alerts("advisory_mode")), limit_s=10)
        switched_at = w.rig.clock.now()
        await w.rig.clock.sleep(300)
        assert not speeds_after(w, switched_at)
        assert not [e for e in w.of(Turnaround) if e.phase == "turn_now"]
        assert not [e for e in w.of(SegmentStarted) if e.facing == "backward"]
        assert w.runner.status().workout_s < 60  # paced by a belt that never got there
        assert len([e for e in w.events if isinstance(e, Advice)]) >= 10  # said again
        await w.runner.emergency_stop()
        summary = await w.finish()
        assert summary.backward_s == 0
        assert w.alerts("stop_at_console")
        clean(w)


# -- 3. H2: a machine slower than the ceiling, a turn speed above it -----------------------


async def test_a_machine_that_cannot_go_as_slow_as_the_ceiling_is_refused() -> None:
    limits = PlanLimits(max_backward_speed_kmh=0.8)
    with pytest.raises(MachineTooFast, match=r"slowest speed is 1\.0 km/h.*ceiling of 0\.8"):
        async with workout(
            [WARM, {**BACK, "speed_kmh": 0.8}, COOL], limits=limits, min_speed_kmh=1.0
        ):
            pass


async def test_turn_speed_above_the_backward_ceiling_turns_at_the_ceiling() -> None:
    limits = PlanLimits(max_backward_speed_kmh=0.8, turn_speed_kmh=1.2)
    async with workout([WARM, {**BACK, "speed_kmh": 0.8}, COOL], limits=limits) as w:
        w.judge.turn_speed_kmh = 1.2  # the promise is min(turn speed, both ceilings)
        w.start()
        assert (await w.finish()).completed
        turns = [
            t for t in w.log if isinstance(t.event, Turnaround) and t.event.phase == "turn_now"
        ]
        assert len(turns) == 2
        assert all(t.belt_kmh <= 0.8 + 0.05 for t in turns)
        clean(w)


# -- 4. H2 on an mph machine set up as one: round down on its own grid ----------------------


async def test_ceiling_holds_on_an_mph_grid() -> None:
    limits = PlanLimits(max_backward_speed_kmh=2.5)
    back = {**BACK, "speed_kmh": 2.5}
    async with workout(
        [WARM, back, COOL], Quirk.MPH_FIELDS, limits=limits, client_options={"speed_unit": "mph"}
    ) as w:
        w.start()
        assert (await w.finish()).completed
        backward_wire = [
            r.speed_kmh for r in w.rig.sim.stats.requests if isinstance(r, cp.SetTargetSpeed)
        ]
        assert 1.6 not in backward_wire[len(backward_wire) // 3 : 2 * len(backward_wire) // 3]
        backward = [v for _, v, facing in w.speed_commands() if facing == "backward"]
        assert max(backward) <= 2.5
        clean(w)


# -- 5. H2/H8: an mph machine left at km/h ----------------------------------------------------


async def test_unit_mismatch_pauses_switches_to_mph_and_stays_checked() -> None:
    switched: list[str] = []
    async with workout(None, Quirk.MPH_FIELDS, max_packet_len=None) as w:
        w.runner.on_unit_switch = switched.append
        w.start()
        await w.until(lambda: bool(w.alerts("unit_mismatch")), limit_s=120)
        assert "mph" in w.alerts("unit_mismatch")[0].message
        await w.rig.clock.sleep(15)
        assert w.rig.sim.belt.speed_kmh == 0
        w.runner.confirm()
        summary = await w.finish()
        assert summary.completed
        assert switched == ["mph"]
        assert w.rig.client.speed_unit == "mph"
        assert len(w.alerts("unit_mismatch")) == 1
        clean(w)


async def test_mph_machine_is_held_under_the_ceilings_before_its_unit_is_checked() -> None:
    fast_start = [{**BACK, "speed_kmh": 3.0, "label": "first"}, COOL]
    async with workout(fast_start, Quirk.MPH_FIELDS, max_packet_len=None) as w:
        w.start()
        await w.until(lambda: bool(w.alerts("unit_mismatch")), limit_s=200)
        await w.runner.emergency_stop()
        await w.finish()
        clean(w)


# -- 6. H12/H3: one implausible reading changes nothing ---------------------------------------


def inject(w: Workout, speed_kmh: float) -> None:
    data = TreadmillData.of(speed_kmh=speed_kmh)
    for packet in encode_treadmill_data(data):
        w.rig.link.notify(uuids.TREADMILL_DATA, packet)


async def test_one_impossible_reading_is_not_believed() -> None:
    async with workout() as w:
        w.start()
        await w.at_event(segment("warm-up"))
        await w.rig.clock.sleep(5)
        w.rig.sim.console_pause()
        await w.until(lambda: w.runner.state is RunState.PAUSED, limit_s=5)
        await w.rig.clock.sleep(8)
        inject(w, 100.0)
        inject(w, 14.0)
        await w.rig.clock.sleep(0.2)
        w.runner.resume()
        await w.at_event(lambda e: isinstance(e, Resumed))
        assert max(c.value or 0 for _, c in w.commands("speed")) <= 3.0
        assert w.alerts("implausible-speed-out_of_range")
        assert (await w.finish()).completed
        clean(w)


async def test_one_stray_reading_is_not_a_belt_too_fast() -> None:
    """H8 acts on readings the next one confirms: a single plausible but wrong reading
    (the campaign's seed 38: 1.9 km/h on a belt at 1.2) neither pauses the belt nor
    offers advisory mode."""
    async with workout() as w:
        w.start()
        await w.at_event(segment("warm-up"))
        await w.rig.clock.sleep(8)  # long past the speed command
        belt_kmh = w.rig.sim.belt.speed_kmh
        inject(w, belt_kmh + 0.7)
        await w.rig.clock.sleep(2.0)
        assert not w.alerts("too_fast")
        assert w.runner.state is RunState.RUNNING
        assert (await w.finish()).completed
        clean(w)


async def test_a_console_pause_missed_while_the_link_was_down_is_no_ramp_on_a_belt_at_rest() -> (
    None
):
    """The campaign's seed 10872: the console paused the belt while the link was down.
    After the reconnect and a confirm, Start must really go out (the client's "running"
    was stale), and no speed may climb while the belt stands."""
    async with workout() as w:
        w.start()
        await w.at_event(segment("warm-up"))
        await w.rig.clock.sleep(5)
        w.rig.link.reachable = False
        w.rig.link.break_link()
        await w.rig.clock.sleep(1)
        w.rig.sim.console_pause()  # nobody hears it
        await w.rig.clock.sleep(5)
        w.rig.link.reachable = True
        await w.until(lambda: bool(w.alerts("reconnected")), limit_s=30)
        paused_at = len(w.rig.sim.stats.requests)
        w.runner.confirm()
        await w.until(lambda: w.rig.sim.belt.speed_kmh > 0, limit_s=30)
        after = w.rig.sim.stats.requests[paused_at:]
        assert any(isinstance(r, cp.StartOrResume) for r in after)
        # every speed sent before the belt moved was the slow start speed
        started = [r for r in after if isinstance(r, cp.StartOrResume)]
        before_start = after[: after.index(started[0])]
        speeds = [r.speed_kmh for r in before_start if isinstance(r, cp.SetTargetSpeed)]
        assert all(kmh <= 1.0 for kmh in speeds)
        assert (await w.finish()).completed
        clean(w)


async def test_one_low_reading_does_not_say_turn_now() -> None:
    async with workout() as w:
        w.start()
        await w.at_event(is_turn("slowing"))
        await w.rig.clock.sleep(1.0)
        inject(w, 0.7)
        await w.rig.clock.sleep(0.3)
        assert not w.of(Turnaround) or not any(e.phase == "turn_now" for e in w.of(Turnaround))
        assert (await w.finish()).completed
        clean(w)


# -- also found --------------------------------------------------------------------------------


async def test_confirm_during_the_reconnect_handshake_is_refused() -> None:
    async with workout(latency_s=0.3) as w:
        w.start()
        await w.at_event(segment("backward bout"))
        w.rig.link.break_link()
        await w.until(lambda: w.runner.reconnector is not None and w.runner.reconnector.active)
        await w.until(lambda: w.rig.client.is_connected, limit_s=30)
        assert not w.alerts("reconnected")
        w.runner.confirm()  # mid-handshake: connected, but the belt not yet checked
        assert w.alerts("still_reconnecting")
        assert w.runner.state is RunState.PAUSED
        await w.until(lambda: bool(w.alerts("reconnected")), limit_s=30)
        frozen = w.runner.workout_s
        await w.rig.clock.sleep(20)
        assert w.runner.workout_s == pytest.approx(frozen)  # the clock waits for the person
        assert w.rig.sim.belt.speed_kmh == 0
        w.runner.confirm()
        assert (await w.finish()).completed
        assert not w.alerts("target_not_reached")
        clean(w)


async def test_resume_inside_the_ramp_after_a_paused_turn_starts_the_belt() -> None:
    async with workout(limits=PlanLimits(turn_speed_kmh=0.0)) as w:
        w.start()
        await w.at_event(is_turn("done"))
        w.runner.pause()
        await w.rig.clock.sleep(5)
        w.runner.resume()
        await w.at_event(lambda e: isinstance(e, Resumed))
        await w.rig.clock.sleep(10)
        assert w.rig.sim.state is BeltState.RUNNING
        assert w.rig.sim.belt.speed_kmh > 1.0
        assert (await w.finish()).completed
        clean(w)


async def test_no_segment_starts_while_held_after_a_link_drop_mid_ramp() -> None:
    async with workout(reconnect=None) as w:
        w.start()
        await w.at_event(is_turn("speeding_up"))
        await w.rig.clock.sleep(1)
        w.rig.link.break_link()
        await w.rig.clock.sleep(30)
        assert not w.of(SegmentStarted)[1:]  # the backward bout has not started
        await w.runner.emergency_stop()
        await w.finish()
        clean(w)


async def test_a_second_stop_during_an_abort_shares_the_first() -> None:
    async with workout(latency_s=0.05) as w:
        w.start()
        await w.at_event(segment("backward bout"))
        await asyncio.gather(w.runner.emergency_stop(), w.runner.emergency_stop("remote stop"))
        await w.finish()
        assert not w.alerts("stop_failed")
        assert len(w.commands("stop")) == 1
        assert w.rig.sim.state is BeltState.STOPPED
        clean(w)


async def test_control_refused_then_confirm_asks_for_control_again() -> None:
    async with workout() as w:
        w.start()
        await w.at_event(segment("warm-up"))
        await w.rig.clock.sleep(11)
        w.rig.sim.revoke_control()
        other = w.rig.sim.attach(w.rig.link)
        other.has_control = True
        await w.until(lambda: bool(w.alerts("control_lost")), limit_s=5)
        other.has_control = False
        w.rig.sim.detach(other)
        w.runner.confirm()
        await w.at_event(lambda e: isinstance(e, Resumed), limit_s=30)
        assert w.rig.client.state.has_control
        assert (await w.finish()).completed
        clean(w)


async def test_a_lossy_link_does_not_stall_the_workout() -> None:
    async with workout(cp_response_delay_s=0.05) as w:
        answers = {"n": 0}

        def drop_every_40th_answer(uuid: str, data: bytes) -> bool:
            if uuid != uuids.CONTROL_POINT:
                return False
            answers["n"] += 1
            return answers["n"] % 40 == 0

        w.rig.link.drop_filter = drop_every_40th_answer
        w.start()
        while w.runner.state is not RunState.FINISHED:
            await w.until(
                lambda: w.runner.status().awaiting_confirm or w.runner.state is RunState.FINISHED,
                limit_s=900,
            )
            if w.runner.status().awaiting_confirm and w.alerts("reconnected"):
                w.runner.confirm()
            await w.rig.clock.sleep(1)
        summary = await w.finish()
        assert summary.completed
        assert w.alerts("no_answer")
        clean(w)


async def test_own_pause_echoed_by_the_machine_is_not_a_console_pause() -> None:
    async with workout(None, Quirk.STATUS_ECHO) as w:
        w.start()
        await w.at_event(segment("warm-up"))
        w.runner.pause()
        await w.rig.clock.sleep(5)
        assert not w.alerts("console_stop")
        assert w.runner.pause_reason == "paused by you"
        w.runner.resume()
        assert (await w.finish()).completed
        clean(w)


async def test_a_start_refused_by_the_machine_holds_the_workout() -> None:
    async with workout() as w:
        w.rig.sim.safety_key_in = False
        w.start()
        await w.until(lambda: bool(w.alerts("start_refused")), limit_s=10)
        await w.rig.clock.sleep(30)
        assert w.runner.state is RunState.PAUSED
        assert w.runner.workout_s < 1
        assert not w.alerts("target_not_reached")
        w.rig.sim.insert_safety_key()
        w.runner.confirm()
        assert (await w.finish()).completed
        clean(w)


async def test_finished_comes_once_the_belt_reports_stopped() -> None:
    async with workout() as w:
        w.start()
        await w.finish()
        (done,) = [t for t in w.log if isinstance(t.event, Finished)]
        assert done.belt_kmh == 0
        clean(w)


async def test_no_unretrieved_not_connected_future(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR, logger="asyncio")
    async with workout(latency_s=0.2) as w:
        w.start()
        await w.at_event(is_turn("speeding_up"))
        sent = len(w.rig.sim.stats.requests)
        await w.until(lambda: len(w.rig.sim.stats.requests) > sent, limit_s=2)
        w.rig.link.break_link()
        await w.until(lambda: bool(w.alerts("reconnected")), limit_s=30)
        w.runner.confirm()
        assert (await w.finish()).completed
    gc.collect()
    await asyncio.sleep(0)
    assert "never retrieved" not in caplog.text
    assert not [c for c in w.of(Command) if c.error and "Future" in c.error]
    assert w.of(Paused)
