"""The simulator as an FTMS server: spec rules, physics, console events, quirks."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from treadctl.clock import VirtualClock
from treadctl.ftms import (
    ResultCode,
    StatusOp,
    decode_machine_status,
    decode_response,
    decode_speed_range,
    decode_training_status,
    decode_treadmill_data,
    encode_request,
    uuids,
)
from treadctl.ftms import control_point as cp
from treadctl.link.base import (
    ATT_CCCD_IMPROPERLY_CONFIGURED,
    ATT_PROCEDURE_ALREADY_IN_PROGRESS,
    AttError,
    CharProperty,
)
from treadctl.sim import BeltState, Quirk, SimConfig, SimConnection, SimTreadmill


@dataclass
class Sink:
    received: list[tuple[str, bytes]] = field(default_factory=list)
    dropped: bool = False

    def notify(self, uuid: str, data: bytes) -> None:
        self.received.append((uuid, data))

    def server_disconnected(self) -> None:
        self.dropped = True

    def of(self, uuid: str) -> list[bytes]:
        return [d for u, d in self.received if u == uuid]

    def responses(self) -> list[cp.ControlPointResponse]:
        return [decode_response(d) for d in self.of(uuids.CONTROL_POINT)]

    def statuses(self) -> list[Any]:
        return [decode_machine_status(d) for d in self.of(uuids.MACHINE_STATUS)]


@dataclass
class Bench:
    clock: VirtualClock
    sim: SimTreadmill
    sink: Sink
    conn: SimConnection

    async def send(self, request: cp.ControlRequest) -> cp.ControlPointResponse:
        self.conn.write(uuids.CONTROL_POINT, encode_request(request), response=True)
        await self.clock.advance(0.1)
        return self.sink.responses()[-1]


@contextlib.asynccontextmanager
async def bench(*quirks: Quirk, subscribe: bool = True, **config: Any) -> AsyncIterator[Bench]:
    clock = VirtualClock()
    sim = SimTreadmill(clock, SimConfig(quirks=frozenset(quirks), **config))
    sink = Sink()
    conn = sim.attach(sink)
    if subscribe:
        for uuid in (
            uuids.CONTROL_POINT,
            uuids.TREADMILL_DATA,
            uuids.MACHINE_STATUS,
            uuids.TRAINING_STATUS,
        ):
            conn.set_subscribed(uuid, True)
    async with sim.running():
        yield Bench(clock, sim, sink, conn)


async def started(b: Bench, speed_kmh: float | None = None) -> None:
    assert (await b.send(cp.RequestControl())).ok
    assert (await b.send(cp.StartOrResume())).ok
    if speed_kmh is not None:
        assert (await b.send(cp.SetTargetSpeed(speed_kmh=speed_kmh))).ok


async def test_control_point_needs_indications_enabled() -> None:
    async with bench(subscribe=False) as b:
        with pytest.raises(AttError) as err:
            b.conn.write(uuids.CONTROL_POINT, b"\x00", response=True)
        assert err.value.code == ATT_CCCD_IMPROPERLY_CONFIGURED


async def test_procedures_need_control_first() -> None:
    async with bench() as b:
        response = await b.send(cp.StartOrResume())
        assert response.result is ResultCode.CONTROL_NOT_PERMITTED
        assert b.sim.state is BeltState.STOPPED
        assert (await b.send(cp.RequestControl())).ok
        assert (await b.send(cp.StartOrResume())).ok
        assert b.sim.state.value == "running"


async def test_one_procedure_at_a_time() -> None:
    async with bench() as b:
        b.conn.write(uuids.CONTROL_POINT, b"\x00", response=True)
        with pytest.raises(AttError) as err:
            b.conn.write(uuids.CONTROL_POINT, b"\x07", response=True)
        assert err.value.code == ATT_PROCEDURE_ALREADY_IN_PROGRESS
        await b.clock.advance(0.1)
        assert [r.request_op_code for r in b.sink.responses()] == [0x00]


async def test_lax_machine_answers_two_writes_in_a_row() -> None:
    async with bench(Quirk.CONTROL_NOT_ENFORCED) as b:
        b.conn.write(uuids.CONTROL_POINT, b"\x07", response=True)
        b.conn.write(uuids.CONTROL_POINT, bytes.fromhex("026400"), response=True)
        await b.clock.advance(0.1)
        assert [(r.request_op_code, r.ok) for r in b.sink.responses()] == [(7, True), (2, True)]


async def test_speed_outside_range_is_invalid_parameter() -> None:
    async with bench(max_speed_kmh=10.0) as b:
        await started(b)
        response = await b.send(cp.SetTargetSpeed(speed_kmh=12.0))
        assert response.result is ResultCode.INVALID_PARAMETER
        response = await b.send(cp.SetTargetInclination(incline_pct=-3.0))
        assert response.result is ResultCode.INVALID_PARAMETER


async def test_unknown_and_unsupported_op_codes() -> None:
    async with bench() as b:
        await b.send(cp.RequestControl())
        b.conn.write(uuids.CONTROL_POINT, b"\x7a", response=True)
        await b.clock.advance(0.1)
        assert b.sink.responses()[-1].result is ResultCode.OP_CODE_NOT_SUPPORTED
        response = await b.send(cp.SetTargetPower(power_w=100))
        assert response.result is ResultCode.OP_CODE_NOT_SUPPORTED
        b.conn.write(uuids.CONTROL_POINT, b"\x02\x01", response=True)  # parameter cut short
        await b.clock.advance(0.1)
        assert b.sink.responses()[-1].result is ResultCode.INVALID_PARAMETER


async def test_start_while_started_fails_and_stop_while_stopped_fails() -> None:
    async with bench() as b:
        await started(b)
        assert (await b.send(cp.StartOrResume())).result is ResultCode.OPERATION_FAILED
        assert (await b.send(cp.StopOrPause(control=1))).ok
        assert (await b.send(cp.StopOrPause(control=1))).result is ResultCode.OPERATION_FAILED
        assert (await b.send(cp.StopOrPause(control=9))).result is ResultCode.INVALID_PARAMETER


async def test_acceleration_and_incline_rates_are_bounded() -> None:
    async with bench() as b:
        await started(b, speed_kmh=5.0)
        assert (await b.send(cp.SetTargetInclination(incline_pct=4.0))).ok
        t0 = b.clock.now()
        await b.clock.advance(2.0)
        b.sim.advance()
        elapsed = b.clock.now() - t0
        # started at 1.0 km/h target from 0 at 0.5 km/h/s: never faster than the rate
        assert b.sim.belt.speed_kmh <= 0.5 * (elapsed + 0.3) + 1e-9
        assert b.sim.belt.incline_pct == pytest.approx(0.5 * elapsed, abs=0.06)
        await b.clock.advance(20)
        b.sim.advance()
        assert b.sim.belt.speed_kmh == pytest.approx(5.0)
        assert b.sim.belt.incline_pct == pytest.approx(4.0)


async def test_distance_energy_elapsed_integrate() -> None:
    async with bench(accel_kmh_per_s=100.0) as b:
        await started(b, speed_kmh=3.6)  # 1 m/s
        await b.clock.advance(100)
        b.sim.advance()
        assert b.sim.belt.distance_m == pytest.approx(100, abs=1.0)
        assert b.sim.belt.elapsed_s == pytest.approx(100, abs=0.5)
        # 3.6 km/h level: (3.5 + 0.1 * 60) / 3.5 = 2.71 MET, 70 kg, 100 s
        assert b.sim.belt.energy_kcal == pytest.approx(2.714 * 70 * 100 / 3600, rel=0.05)


async def test_treadmill_data_rate_and_split_records() -> None:
    async with bench(data_rate_hz=2.0) as b:
        await started(b, speed_kmh=3.0)
        before = len(b.sink.of(uuids.TREADMILL_DATA))
        await b.clock.advance(10)
        packets = [decode_treadmill_data(d) for d in b.sink.of(uuids.TREADMILL_DATA)[before:]]
        complete = [p for p in packets if not p.more_data]
        assert len(complete) == 20
        assert any(p.more_data for p in packets)  # records are split at 20 bytes
        assert all(len(d) <= 20 for d in b.sink.of(uuids.TREADMILL_DATA))


async def test_console_events_are_notified() -> None:
    async with bench() as b:
        await started(b, speed_kmh=3.0)
        b.sim.console_pause()
        b.sim.console_start()
        b.sim.console_stop()
        b.sim.console_set_speed(4.0)
        ops = [(s.op, s.params.get("control")) for s in b.sink.statuses()]
        assert ops == [
            (StatusOp.STOPPED_OR_PAUSED_BY_USER, 2),
            (StatusOp.STARTED_OR_RESUMED_BY_USER, None),
            (StatusOp.STOPPED_OR_PAUSED_BY_USER, 1),
            (StatusOp.TARGET_SPEED_CHANGED, None),
        ]


async def test_safety_key_stops_fast_and_blocks_start() -> None:
    async with bench() as b:
        await started(b, speed_kmh=3.0)
        await b.clock.advance(10)
        b.sim.pull_safety_key()
        assert b.sink.statuses()[-1].op is StatusOp.STOPPED_BY_SAFETY_KEY
        await b.clock.advance(1.0)
        b.sim.advance()
        assert b.sim.belt.speed_kmh == 0.0  # 3 km/h at 4 km/h/s
        assert (await b.send(cp.StartOrResume())).result is ResultCode.OPERATION_FAILED
        b.sim.insert_safety_key()
        assert (await b.send(cp.StartOrResume())).ok


async def test_revoke_control_and_reset() -> None:
    async with bench() as b:
        await started(b)
        b.sim.revoke_control()
        assert b.sink.statuses()[-1].op is StatusOp.CONTROL_PERMISSION_LOST
        assert (await b.send(cp.SetTargetSpeed(speed_kmh=2.0))).result is (
            ResultCode.CONTROL_NOT_PERMITTED
        )
        await b.send(cp.RequestControl())
        assert (await b.send(cp.Reset())).ok
        assert not b.conn.has_control
        assert b.sim.state is BeltState.STOPPED


async def test_own_changes_go_to_other_clients_only() -> None:
    async with bench() as b:
        other = Sink()
        conn2 = b.sim.attach(other)
        conn2.set_subscribed(uuids.MACHINE_STATUS, True)
        await started(b, speed_kmh=2.5)
        assert not any(s.op is StatusOp.TARGET_SPEED_CHANGED for s in b.sink.statuses())
        assert any(
            s.op is StatusOp.TARGET_SPEED_CHANGED and s.speed_kmh == 2.5 for s in other.statuses()
        )


async def test_control_point_write_without_response_quirk() -> None:
    async with bench(Quirk.CP_WRITE_WITHOUT_RESPONSE) as b:
        props = b.sim.characteristics[uuids.CONTROL_POINT]
        assert CharProperty.WRITE_WITHOUT_RESPONSE in props
        assert CharProperty.WRITE not in props
        with pytest.raises(AttError):
            b.conn.write(uuids.CONTROL_POINT, b"\x00", response=True)
        b.conn.write(uuids.CONTROL_POINT, b"\x00", response=False)
        await b.clock.advance(0.1)
        assert b.sink.responses()[-1].ok


async def test_trailing_bytes_and_step_count_quirks() -> None:
    async with bench(Quirk.TRAILING_BYTES, Quirk.STEP_COUNT_BIT13, max_packet_len=None) as b:
        await started(b, speed_kmh=3.0)
        await b.clock.advance(60)
        record = decode_treadmill_data(b.sink.of(uuids.TREADMILL_DATA)[-1])
        assert "trailing_bytes" in record.deviations
        assert "step_count_bit13" in record.deviations
        assert record.steps is not None
        assert record.steps > 50
        b.sim.console_pause()
        assert "trailing_bytes" in b.sink.statuses()[-1].deviations


async def test_start_toggle_quirk_stops_a_running_belt() -> None:
    async with bench(Quirk.START_TOGGLES) as b:
        await started(b)
        assert (await b.send(cp.StartOrResume())).ok
        assert b.sim.state is BeltState.PAUSED


async def test_speed_locked_quirk_answers_success_and_ignores() -> None:
    async with bench(Quirk.SPEED_LOCKED) as b:
        await started(b, speed_kmh=5.0)
        await b.clock.advance(30)
        b.sim.advance()
        assert b.sim.belt.speed_kmh == pytest.approx(1.0)  # the start speed, not 5


async def test_mph_fields_quirk() -> None:
    async with bench(Quirk.MPH_FIELDS, max_packet_len=None) as b:
        r = decode_speed_range(b.sim.read(uuids.SUPPORTED_SPEED_RANGE))
        assert r.maximum == pytest.approx(9.9)  # 16 km/h as an mph number
        await started(b, speed_kmh=2.0)  # the machine reads this as 2 mph
        await b.clock.advance(30)
        b.sim.advance()
        assert b.sim.belt.speed_kmh == pytest.approx(3.22, abs=0.01)
        assert decode_treadmill_data(b.sink.of(uuids.TREADMILL_DATA)[-1]).speed_kmh == 2.0


async def test_target_speed_echo_and_rfu_training_status_quirks() -> None:
    async with bench(Quirk.TARGET_SPEED_ECHO, Quirk.TRAINING_STATUS_RFU) as b:
        await started(b, speed_kmh=3.0)
        await b.clock.advance(3)
        echoes = [s for s in b.sink.statuses() if s.op is StatusOp.TARGET_SPEED_CHANGED]
        assert len(echoes) >= 4
        assert echoes[0].speed_kmh is not None
        assert echoes[0].speed_kmh < 3.0
        status = decode_training_status(b.sink.of(uuids.TRAINING_STATUS)[-1])
        assert status.code == 0x10
        assert status.status is None


async def test_server_side_disconnect() -> None:
    async with bench() as b:
        b.sim.drop_connections()
        assert b.sink.dropped
        assert b.sim.connections == []
