"""The treadmill client against the simulator over the loopback link."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from tests.rig import rig
from treadctl.client import BeltStatus, errors
from treadctl.client.events import (
    ControlLost,
    LinkDown,
    MalformedData,
    RangeAdjusted,
    SafetyKeyPulled,
    StartedAtConsole,
    StoppedAtConsole,
    TargetSpeedChanged,
)
from treadctl.ftms import control_point as cp
from treadctl.ftms import uuids
from treadctl.sim import Quirk

ALL_QUIRKS = list(Quirk)


async def test_connect_reads_features_ranges_and_device_info() -> None:
    async with rig(max_speed_kmh=12.0, incline_increment_pct=1.0) as r:
        await r.client.connect()
        assert r.client.speed_range.maximum == 12.0
        assert r.client.incline_range.increment == 1.0
        assert r.client.features is not None
        assert r.client.device_info["manufacturer"] == "treadctl"
        assert r.client.state.connected
        assert not r.client.state.has_control


async def test_workout_basics_reach_the_belt() -> None:
    async with rig() as r:
        await r.ready(speed_kmh=3.0)
        await r.client.set_incline(2.0)
        await r.clock.sleep(10)
        s = r.client.state
        assert s.speed_kmh == pytest.approx(3.0)
        assert s.incline_pct == pytest.approx(2.0)
        assert s.belt is BeltStatus.RUNNING
        assert s.distance_m is not None
        assert s.distance_m > 0
        assert s.elapsed_s is not None
        assert s.elapsed_s >= 25
        await r.client.pause()
        await r.clock.sleep(10)
        assert r.sim.belt.speed_kmh == 0
        assert r.client.state.belt.value == "paused"
        await r.client.start()
        assert r.sim.belt.target_speed_kmh == pytest.approx(3.0)
        await r.client.stop()
        assert r.client.state.belt is BeltStatus.STOPPED


async def test_commands_are_clamped_and_rounded_never_truncated() -> None:
    async with rig(max_speed_kmh=10.0) as r:
        await r.ready()
        snapped = await r.client.set_speed(1.15)
        assert snapped.value == pytest.approx(1.2)  # not 1.1
        assert isinstance(r.sim.stats.requests[-1], cp.SetTargetSpeed)
        assert r.sim.stats.requests[-1].speed_kmh == pytest.approx(1.2)
        snapped = await r.client.set_speed(25.0)
        assert snapped.clamped
        assert snapped.value == 10.0
        adjusted = r.events_of(RangeAdjusted)
        assert [(e.wanted, e.sent, e.clamped) for e in adjusted] == [
            (1.15, 1.2, False),
            (25.0, 10.0, True),
        ]
        incline = await r.client.set_incline(2.3)
        assert incline.value == pytest.approx(2.5)
        with pytest.raises(ValueError, match="stop"):
            await r.client.set_speed(0)


async def test_stop_goes_ahead_of_queued_commands_and_cancels_them() -> None:
    async with rig(latency_s=0.05) as r:
        await r.ready(speed_kmh=3.0)
        first = asyncio.create_task(r.client.set_speed(3.5))
        queued = [asyncio.create_task(r.client.set_speed(v)) for v in (4.0, 4.5, 5.0)]
        await asyncio.sleep(0)
        await r.client.stop()
        for task in queued:
            with pytest.raises(errors.ProcedureCancelled):
                await task
        await first
        ops = [type(q).__name__ for q in r.sim.stats.requests[-2:]]
        assert ops == ["SetTargetSpeed", "StopOrPause"]
        assert not any(
            isinstance(q, cp.SetTargetSpeed) and q.speed_kmh > 3.5 for q in r.sim.stats.requests
        )
        await r.clock.sleep(15)
        assert r.sim.belt.speed_kmh == 0


async def test_stop_does_not_wait_behind_a_hung_procedure() -> None:
    async with rig() as r:
        await r.ready(speed_kmh=3.0)
        r.link.drop_filter = lambda uuid, data: uuid == uuids.CONTROL_POINT and data[1] == 0x02
        hung = asyncio.create_task(r.client.set_speed(4.0))
        await r.clock.sleep(0.1)
        t0 = r.clock.now()
        await r.client.stop()
        assert r.clock.now() - t0 <= r.client.stop_preempt_s + 0.1
        assert r.sim.state.value == "stopped"
        with pytest.raises(errors.ControlPointTimeout):
            await hung


async def test_timeout_makes_the_control_point_unusable_until_reconnect() -> None:
    async with rig(client_options={"cp_timeout_s": 5.0}) as r:
        await r.ready()
        r.link.drop_filter = lambda uuid, data: uuid == uuids.CONTROL_POINT
        t0 = r.clock.now()
        with pytest.raises(errors.ControlPointTimeout):
            await r.client.set_speed(2.0)
        assert r.clock.now() - t0 == pytest.approx(5.0, abs=0.1)
        r.link.drop_filter = None
        with pytest.raises(errors.ControlPointUnusable):
            await r.client.set_speed(2.0)
        await r.client.stop()  # a stop is still attempted, and goes through
        assert r.sim.state.value == "stopped"
        await r.client.disconnect()
        await r.client.connect()
        await r.client.request_control()
        assert r.client.state.has_control


async def test_result_codes_become_typed_errors() -> None:
    async with rig() as r:
        await r.client.connect()
        with pytest.raises(errors.ControlNotPermitted):
            await r.client.set_speed(2.0)
        await r.client.request_control()
        r.sim.pull_safety_key()
        with pytest.raises(errors.OperationFailed):
            await r.client.start(wait_moving_s=0)


async def test_console_and_safety_key_events() -> None:
    async with rig() as r:
        await r.ready(speed_kmh=2.0)
        r.sim.console_pause()
        r.sim.console_start()
        r.sim.console_set_speed(2.5)
        r.sim.pull_safety_key()
        await r.clock.sleep(1)
        assert r.events_of(StoppedAtConsole) == [StoppedAtConsole(paused=True)]
        assert len(r.events_of(StartedAtConsole)) == 1
        assert r.events_of(TargetSpeedChanged)[-1].speed_kmh == 2.5
        assert len(r.events_of(SafetyKeyPulled)) == 1
        assert r.client.state.belt is BeltStatus.STOPPED


async def test_control_lost_is_re_requested_once() -> None:
    async with rig() as r:
        await r.ready()
        r.sim.revoke_control()
        await r.clock.sleep(1)
        assert r.events_of(ControlLost) == [ControlLost(regained=True)]
        assert r.client.state.has_control
        r.sim.revoke_control()  # again at once: no second fight for it
        await r.clock.sleep(1)
        assert r.events_of(ControlLost)[-1].regained is False
        assert not r.client.state.has_control


async def test_control_lost_to_another_app_is_reported() -> None:
    async with rig() as r:
        await r.ready()
        r.sim.revoke_control()
        for conn in r.sim.connections:  # the other app takes control first
            conn.has_control = False
        other = r.sim.attach(r.link)
        other.has_control = True
        await r.clock.sleep(1)
        lost = r.events_of(ControlLost)
        assert len(lost) == 1
        assert not lost[0].regained
        assert "not permitted" in lost[0].reason


async def test_link_loss_fails_pending_and_blocks_commands() -> None:
    async with rig(latency_s=0.05) as r:
        await r.ready(speed_kmh=3.0)
        pending = asyncio.create_task(r.client.set_speed(3.5))
        await r.clock.sleep(0.06)
        r.link.break_link()
        with pytest.raises(errors.TreadmillError):
            await pending
        assert r.events_of(LinkDown) == [LinkDown()]
        assert not r.client.state.connected
        with pytest.raises(errors.NotConnected):
            await r.client.set_speed(2.0)
        with pytest.raises(errors.NotConnected):
            await r.client.stop()


async def test_malformed_notifications_are_counted_and_skipped() -> None:
    async with rig() as r:
        await r.ready(speed_kmh=2.0)
        r.link.notify(uuids.TREADMILL_DATA, b"\x00")
        r.link.notify(uuids.MACHINE_STATUS, b"")
        r.link.notify(uuids.CONTROL_POINT, b"\x80\x02")
        await r.clock.sleep(2)
        bad = r.events_of(MalformedData)
        assert [e.characteristic for e in bad] == [
            "treadmill-data",
            "machine-status",
            "control-point",
        ]
        assert r.client.state.malformed == 3
        assert r.client.state.speed_kmh == pytest.approx(2.0)  # data kept flowing


async def test_split_records_are_merged() -> None:
    async with rig(max_packet_len=12) as r:
        await r.ready(speed_kmh=3.0)
        s = r.client.state
        assert None not in (s.speed_kmh, s.distance_m, s.energy_kcal, s.elapsed_s)


#: Machines the client cannot move: advisory mode's (tests/workout/test_advisory.py).
NOT_COMMANDABLE = {Quirk.NO_CONTROL_POINT, Quirk.COMMANDS_IGNORED}


@pytest.mark.parametrize("quirk", sorted(NOT_COMMANDABLE), ids=str)
async def test_a_machine_that_cannot_be_commanded_never_moves_on_a_command(quirk: Quirk) -> None:
    async with rig(quirk) as r:
        with contextlib.suppress(Exception):  # a missing control point may refuse outright
            await r.ready(speed_kmh=3.0)
        await r.clock.sleep(5)
        assert (r.client.state.speed_kmh or 0.0) == 0.0
        assert r.sim.belt.speed_kmh == 0.0


@pytest.mark.parametrize("quirk", [q for q in ALL_QUIRKS if q not in NOT_COMMANDABLE], ids=str)
async def test_client_works_with_each_quirk(quirk: Quirk) -> None:
    mph = quirk is Quirk.MPH_FIELDS
    async with rig(quirk, client_options={"speed_unit": "mph"} if mph else None) as r:
        await r.ready(speed_kmh=3.0)
        await r.client.start()  # a second start must never toggle the belt off
        await r.clock.sleep(5)
        if quirk is Quirk.SPEED_LOCKED:
            assert r.client.state.speed_kmh == pytest.approx(1.0)  # ignored in firmware
        else:
            assert r.client.state.speed_kmh == pytest.approx(3.0, abs=0.07)
        assert r.client.state.belt is BeltStatus.RUNNING
        starts = [q for q in r.sim.stats.requests if isinstance(q, cp.StartOrResume)]
        assert len(starts) == 1
        await r.client.stop()
        await r.clock.sleep(10)
        assert r.sim.belt.speed_kmh == 0
        assert r.client.state.malformed == 0


async def test_lossy_slow_link_keeps_state_flowing() -> None:
    async with rig(latency_s=0.03, client_options={"cp_timeout_s": 2.0}) as r:
        await r.ready(speed_kmh=3.0)
        before = r.client.state.records
        r.link.drop_rate = 0.3  # from now on, lose 30 % of notifications
        await r.clock.sleep(60)
        assert r.link.dropped > 20
        # a record is lost when either of its two packets is: about half get through
        assert 30 < r.client.state.records - before < 110
        assert r.client.state.malformed == 0
        assert r.client.state.speed_kmh == pytest.approx(3.0)


def test_state_changes_are_copies_and_unknown_fields_are_refused() -> None:
    from treadctl.client.state import BeltStatus, TreadmillState  # noqa: PLC0415

    before = TreadmillState()
    after = before.with_changes({"speed_kmh": 2.5, "belt": BeltStatus.RUNNING})
    assert (after.speed_kmh, after.belt) == (2.5, BeltStatus.RUNNING)
    assert before.speed_kmh is None  # the old state is untouched
    assert after == TreadmillState(speed_kmh=2.5, belt=BeltStatus.RUNNING)
    with pytest.raises(TypeError, match="speed_mph"):
        before.with_changes({"speed_mph": 1.0})
