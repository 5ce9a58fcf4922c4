"""Advisory mode: treadmills that only report, through the runtime on the simulator, with
a simulated person at its console (ConsoleHand, or the test's own hand) and a virtual
clock. One scenario for each hazard that applies: H1, H2, H3, H8, H9; and H5's promise
that treadctl never claims a stop it cannot make."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncGenerator, AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.straps import StrappedRun, strapped_run
from treadctl.client import TreadmillClient
from treadctl.clock import Clock
from treadctl.config import Settings
from treadctl.ftms.control_point import SetTargetSpeed, StopOrPause
from treadctl.runtime.run import ConsoleHand
from treadctl.sessions import read_session
from treadctl.sim import BeltState, Quirk, SimConfig, SimTreadmill
from treadctl.sim.loopback import LoopbackLink
from treadctl.workout.events import (
    Advice,
    Command,
    CueEvent,
    Paused,
    SafetyAlert,
    SegmentStarted,
    Turnaround,
)
from treadctl.workout.ports import Treadmill
from treadctl.workout.runner import RunState

PROFILE = """\
title = "Advisory test"

[[segments]]
label = "Warm-up"
direction = "forward"
speed_kmh = 3.0
duration = "20s"

[[segments]]
label = "Backward bout"
direction = "backward"
speed_kmh = 2.0
duration = "30s"

[[segments]]
label = "Cool-down"
direction = "forward"
speed_kmh = 3.0
duration = "20s"
"""

NO_CP = frozenset({Quirk.NO_CONTROL_POINT})


@contextlib.asynccontextmanager
async def advisory_run(
    folder: Path,
    *quirks: Quirk,
    hand_delay_s: float | None = 2.0,
    settings: Settings | None = None,
    **options: Any,
) -> AsyncIterator[tuple[StrappedRun, ConsoleHand]]:
    """A workout on a simulator with ``quirks``; a hand at its console follows the advice
    (``hand_delay_s`` None: the test moves the console itself)."""
    async with strapped_run(
        folder,
        None,
        settings=settings,
        profile=PROFILE,
        quirks=frozenset(quirks),
        auto_confirm_s=options.pop("auto_confirm_s", 1.0),
        **options,
    ) as run:
        hand = ConsoleHand(run.treadmill, run.clock, run.runner, delay_s=hand_delay_s or 0.0)
        if hand_delay_s is not None:
            run.listeners.append(hand.heard)
        yield run, hand
        hand.cancel()


def turned_at(run: StrappedRun) -> list[float]:
    """The real belt speed each time treadctl said "turn around now"."""
    return [
        belt
        for (_, event), belt in zip(run.log, run.belt, strict=True)
        if isinstance(event, Turnaround) and event.phase == "turn_now"
    ]


def first_time(run: StrappedRun, cls: type[Any], **fields: Any) -> float:
    for t, event in run.log:
        if isinstance(event, cls) and all(getattr(event, k) == v for k, v in fields.items()):
            return t
    raise AssertionError(f"no {cls.__name__} {fields}")


async def test_no_control_point_gives_an_advisory_workout_paced_by_the_belt(
    tmp_path: Path,
) -> None:
    async with advisory_run(tmp_path, Quirk.NO_CONTROL_POINT) as (run, _hand):
        result = await run.finish()
    summary = result.summary
    assert summary.completed
    intro = run.alerts("advisory_mode")[0]
    assert intro.needs_ack
    assert "has no control point" in intro.message
    assert "cannot set the speed or stop this belt" in intro.message
    assert "Clip the safety key" in intro.message
    assert "the console's STOP is your stop" in intro.message
    advised = [e.speed_kmh for e in run.of(Advice)]
    assert advised == [3.0, 0.8, 2.0, 0.8, 3.0, 0.0]  # segment, turn, segment, turn, ..., stop
    assert run.of(Advice)[0].text.startswith("Start the belt at the console and set 3.0 km/h")
    assert "a step at a time" in run.of(Advice)[2].text  # up, facing backward: gently
    assert not run.of(Command)  # nothing can be sent to this machine
    # Turns only on a belt at the turn speed; the segments ran their full time at speed.
    assert len(turned_at(run)) == 2
    assert all(belt <= 0.8 + 0.1 for belt in turned_at(run))
    assert 30 <= summary.backward_s <= 30 + 5 + 1.5  # the bout, and the turn facing back
    assert summary.workout_s >= 70
    # Stopped claimed only once the belt reported 0.
    done = run.cues("The belt has stopped")
    assert len(done) == 1
    assert run.belt[[e for _, e in run.log].index(done[0])] == 0
    header = read_session(result.log_path).header
    assert "no control point" in header["advisory"]


async def test_a_segment_clock_runs_only_while_the_belt_is_at_its_speed(tmp_path: Path) -> None:
    async with advisory_run(tmp_path, Quirk.NO_CONTROL_POINT, hand_delay_s=None) as (run, hand):
        sim = run.treadmill
        await run.until(lambda: bool(run.of(Advice)), limit_s=30)
        sim.console_set_speed(2.5)  # not what was asked: 3.0
        sim.console_start()
        await run.clock.sleep(30)
        status = run.runner.status()
        assert status.workout_s < 1.0  # the warm-up's clock has not run
        assert status.segment_left_s == pytest.approx(20, abs=0.5)
        reminder = run.of(Advice)[-1]
        assert "The segment's clock waits until the belt gets there" in reminder.text
        assert "it reads 2.5 km/h" in reminder.text
        run.listeners.append(hand.heard)
        sim.console_set_speed(3.0)
        await run.clock.sleep(12)
        assert run.runner.status().workout_s == pytest.approx(12 - 1, abs=1.5)
        result = await run.finish()
    assert result.summary.completed


async def test_control_refused_gives_an_advisory_workout(tmp_path: Path) -> None:
    holder: dict[str, SimTreadmill] = {}

    @contextlib.asynccontextmanager
    async def held_elsewhere(clock: Clock) -> AsyncGenerator[Treadmill]:
        sim = SimTreadmill(clock, SimConfig())
        holder["sim"] = sim
        link = LoopbackLink(sim, clock)
        other = sim.attach(LoopbackLink(sim, clock))
        other.has_control = True  # another app has it
        client = TreadmillClient(link, clock)
        async with sim.running():
            try:
                yield Treadmill(client, "simulator", "treadctl-sim", sim.config.address, sim)
            finally:
                await client.aclose()

    async with advisory_run(tmp_path, treadmill=held_elsewhere) as (run, _hand):
        result = await run.finish()
    assert result.summary.completed
    assert "did not give control" in run.alerts("advisory_mode")[0].message
    assert not [r for r in holder["sim"].stats.requests if isinstance(r, SetTargetSpeed)]


async def test_h8_commands_acknowledged_but_ignored_are_found_and_advisory_offered(
    tmp_path: Path,
) -> None:
    async with advisory_run(tmp_path, Quirk.COMMANDS_IGNORED) as (run, _hand):
        result = await run.finish()
    assert result.summary.completed
    alarms = [(e.kind, e.hazard) for e in run.alerts() if e.kind in ("commands_ignored",)]
    assert alarms == [("commands_ignored", "H8")]
    offer = run.alerts("commands_ignored")[0]
    assert "advisory mode" in offer.message
    assert offer.needs_ack
    switched = run.alerts("advisory_mode")[0]
    assert not switched.needs_ack  # the offer was the question: not asked twice
    t_switch = first_time(run, SafetyAlert, kind="advisory_mode")
    sent_after = [e for t, e in run.log if isinstance(e, Command) and t > t_switch]
    assert not sent_after  # from then on nothing is sent
    assert 30 <= result.summary.backward_s <= 30 + 5 + 1.5
    assert all(belt <= 0.9 for belt in turned_at(run))


async def test_h8_a_locked_speed_offers_advisory_mode(tmp_path: Path) -> None:
    async with advisory_run(tmp_path, Quirk.SPEED_LOCKED) as (run, _hand):
        result = await run.finish()
    assert result.summary.completed
    assert len(run.alerts("target_not_reached")) == 1
    assert not run.alerts("backward_off")  # offered advisory instead
    t_switch = first_time(run, SafetyAlert, kind="advisory_mode")
    assert not [
        e for t, e in run.log if isinstance(e, Command) and e.name == "speed" and t > t_switch
    ]
    assert 30 <= result.summary.backward_s <= 30 + 5 + 1.5


async def test_h2_a_belt_over_the_backward_ceiling_alarms_at_once(tmp_path: Path) -> None:
    async with advisory_run(tmp_path, Quirk.NO_CONTROL_POINT) as (run, hand):
        await run.until(
            lambda: any(
                isinstance(e, SegmentStarted) and e.facing == "backward" for e in run.events
            )
        )
        await run.clock.sleep(15)
        run.listeners.remove(hand.heard)
        hand.cancel()
        run.treadmill.console_set_speed(4.0)  # above the 3.0 km/h backward ceiling
        crossed: list[float] = []
        await run.until(lambda: bool(run.alerts("over_ceiling")), limit_s=30)
        for (t, _), belt in zip(run.log, run.belt, strict=True):
            if belt > 3.15 and not crossed:
                crossed.append(t)
        alarm = run.alerts("over_ceiling")[0]
        t_alarm = first_time(run, SafetyAlert, kind="over_ceiling")
        assert alarm.hazard == "H2"
        assert "backward speed ceiling of 3.0 km/h" in alarm.message
        assert "slow it at the console now" in alarm.message
        assert crossed
        assert t_alarm - crossed[0] <= 1.5  # at once: the next trusted readings
        run.treadmill.console_set_speed(2.0)  # the person slows it
        run.listeners.append(hand.heard)
        result = await run.finish()
    assert result.summary.completed
    assert len(run.alerts("over_ceiling")) == 1


async def test_h1_no_turn_until_the_belt_reads_turn_speed_and_an_alarm_if_it_rises(
    tmp_path: Path,
) -> None:
    async with advisory_run(tmp_path, Quirk.NO_CONTROL_POINT) as (run, hand):
        await run.until(lambda: any(e.speed_kmh == 0.8 for e in run.of(Advice)), limit_s=120)
        run.listeners.remove(hand.heard)
        hand.cancel()  # the person does not slow down
        await run.clock.sleep(45)
        assert not [e for e in run.of(Turnaround) if e.phase == "turn_now"]
        reminders = [e for e in run.of(Advice) if e.speed_kmh == 0.8]
        assert len(reminders) >= 3  # said again every 20 s
        assert "The workout waits until the belt gets there (it reads 3.0 km/h)" in (
            reminders[-1].text
        )
        run.treadmill.console_set_speed(0.8)
        await run.until(lambda: any(e.phase == "turn_now" for e in run.of(Turnaround)), limit_s=30)
        assert turned_at(run) == [pytest.approx(0.8, abs=0.1)]
        run.treadmill.console_set_speed(2.0)  # during the turn itself
        await run.until(lambda: bool(run.alerts("turn_too_fast")), limit_s=5)
        alarm = run.alerts("turn_too_fast")[0]
        assert alarm.hazard == "H1"
        assert "too fast to turn around" in alarm.message
        run.listeners.append(hand.heard)
        result = await run.finish()
    assert result.summary.completed


async def test_h3_a_quick_backward_speed_up_alarms_a_gentle_one_does_not(
    tmp_path: Path,
) -> None:
    # The hand raises the speed a step at a time, at the backward ramp rate: no alarm.
    async with advisory_run(tmp_path / "gentle", Quirk.NO_CONTROL_POINT) as (run, _hand):
        result = await run.finish()
    assert result.summary.completed
    assert not run.alerts("speed_up_too_quick")

    async with advisory_run(tmp_path / "quick", Quirk.NO_CONTROL_POINT) as (run, hand):
        await run.until(lambda: any(e.phase == "done" for e in run.of(Turnaround)), limit_s=120)
        run.listeners.remove(hand.heard)
        hand.cancel()
        run.treadmill.console_set_speed(2.0)  # straight from 0.8, at the motor's pace
        await run.until(lambda: bool(run.alerts("speed_up_too_quick")), limit_s=10)
        alarm = run.alerts("speed_up_too_quick")[0]
        assert alarm.hazard == "H3"
        assert "a step at a time" in alarm.message
        assert run.treadmill.belt.speed_kmh < 2.0  # while it is still speeding up
        run.listeners.append(hand.heard)
        result = await run.finish()
    assert result.summary.completed


async def test_h9_in_advisory_mode_asks_to_slow_down_and_holds(tmp_path: Path) -> None:
    settings = Settings(max_heart_rate_bpm=150, heart_rate_over_s=5)
    async with advisory_run(
        tmp_path, Quirk.NO_CONTROL_POINT, settings=settings, auto_confirm_s=None
    ) as (run, _hand):
        await run.until(lambda: run.runner.status().awaiting_confirm, limit_s=10)
        run.runner.confirm()  # into advisory mode
        # Once the odometer has checked the speed unit (until then speeds are careful).
        await run.until(lambda: run.runner.gate.unit_verified, limit_s=60)
        run.treadmill.heart_rate_bpm = 171
        await run.until(lambda: bool(run.alerts("heart_rate")), limit_s=20)
        alarm = run.alerts("heart_rate")[0]
        assert "Heart rate 171 bpm" in alarm.message
        assert "Slow the belt to 0.8 km/h at the console" in alarm.message
        assert "Slowing down" not in alarm.message  # it cannot: never claimed
        assert run.runner.state is RunState.PAUSED
        assert run.of(Advice)[-1].speed_kmh == 0.8
        advisory = run.runner.advisory
        assert advisory is not None
        step_advice = advisory.advice  # what the step itself asks, kept through the hold
        assert step_advice is not None
        await run.until(lambda: run.treadmill.belt.speed_kmh <= 0.85, limit_s=20)
        run.treadmill.heart_rate_bpm = 120
        run.runner.confirm()
        await run.until(lambda: run.runner.state is RunState.RUNNING, limit_s=5)
        assert run.of(Advice)[-1] == step_advice  # said again: back to the step's speed
        result = await run.finish()
    assert result.summary.completed
    assert not run.of(Command)


async def test_h5_the_stop_key_never_claims_a_stop_it_cannot_make(tmp_path: Path) -> None:
    async with advisory_run(tmp_path, Quirk.NO_CONTROL_POINT) as (run, _hand):
        await run.until(lambda: run.runner.status().workout_s > 5, limit_s=60)
        await run.runner.emergency_stop("stopped from the keyboard")
        result = await run.finish()
        assert run.treadmill.state is BeltState.RUNNING  # nothing could stop it
    assert not result.summary.completed
    told = run.alerts("stop_at_console")
    assert len(told) == 1
    assert told[0].message == (
        "treadctl cannot stop this belt: press STOP on the console, or pull the safety key."
    )
    assert not run.cues("The belt has stopped")
    assert not [e for e in run.events if isinstance(e, CueEvent) and "stopped" in e.text]


async def test_h5_where_a_stop_can_be_sent_it_is_sent_and_still_not_claimed(
    tmp_path: Path,
) -> None:
    async with advisory_run(tmp_path, Quirk.COMMANDS_IGNORED) as (run, _hand):
        await run.until(lambda: bool(run.alerts("advisory_mode")), limit_s=60)
        await run.until(lambda: run.treadmill.belt.speed_kmh > 1.0, limit_s=60)
        await run.runner.emergency_stop("stopped from the keyboard")
        result = await run.finish()
    assert not result.summary.completed
    assert isinstance(run.treadmill.stats.requests[-1], StopOrPause)  # sent, and ignored
    assert run.treadmill.belt.speed_kmh > 1.0
    assert run.alerts("stop_at_console")
    assert not run.cues("The belt has stopped")


async def test_a_link_loss_in_advisory_mode_holds_and_says_what_it_cannot_see(
    tmp_path: Path,
) -> None:
    async with advisory_run(tmp_path, Quirk.NO_CONTROL_POINT) as (run, _hand):
        await run.until(lambda: run.runner.status().workout_s > 5, limit_s=60)
        link = run.runner.client.link
        assert isinstance(link, LoopbackLink)
        link.reachable = False
        link.break_link()
        await run.until(lambda: bool(run.alerts("link_lost")), limit_s=5)
        assert "cannot see the belt" in run.alerts("link_lost")[0].message
        assert run.runner.state is RunState.PAUSED
        await run.clock.sleep(5)
        link.reachable = True
        result = await run.finish()
    assert result.summary.completed
    assert run.alerts("reconnected")
    assert [e for e in run.events if isinstance(e, Paused)]
