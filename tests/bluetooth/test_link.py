"""BleakLink and the treadmill client through unmodified bleak and the fake BlueZ.

Each deviation from ftms.md that lives below the workout (write type, answers by
notification, control not enforced, trailing bytes, bit-13 steps, a toggling Start)
is exercised over real D-Bus, and so are link loss, reconnects and the errors a user
can meet on the way to a treadmill.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from bleak import BleakClient

from tests.bluetooth.conftest import Radio, until
from treadctl.bluetooth.device import describe_treadmill
from treadctl.bluetooth.errors import (
    ConnectionFailed,
    DeviceNotFound,
    ServiceMissing,
    describe_error,
)
from treadctl.bluetooth.link import BleakLink
from treadctl.bluetooth.scan import find_device
from treadctl.bluez_fake import FTMS_CHARACTERISTICS
from treadctl.client import BeltStatus, TreadmillClient
from treadctl.client import errors as client_errors
from treadctl.ftms import uuids
from treadctl.ftms.control_point import RequestControl, SetTargetSpeed, StartOrResume
from treadctl.link.base import (
    ATT_ATTRIBUTE_NOT_FOUND,
    ATT_CCCD_IMPROPERLY_CONFIGURED,
    ATT_PROCEDURE_ALREADY_IN_PROGRESS,
    ATT_READ_NOT_PERMITTED,
    AttError,
    CharProperty,
    LinkLost,
)
from treadctl.link.recording import RecordingLink
from treadctl.sim import BeltState, Quirk


async def test_connect_reads_device_information_and_controls_the_belt(radio: Radio) -> None:
    sim, _ = await radio.treadmill()
    link = BleakLink("treadctl-sim")
    client = TreadmillClient(link, radio.clock)
    try:
        await client.connect()
        assert link.address == sim.config.address
        assert client.device_info == {
            "manufacturer": "treadctl",
            "model": "Simulated Treadmill",
            "firmware": "sim-1.0",
        }
        chars = link.characteristics()
        assert chars[uuids.CONTROL_POINT] == CharProperty.WRITE | CharProperty.INDICATE
        assert chars[uuids.TREADMILL_DATA] == CharProperty.NOTIFY
        await client.request_control()
        assert await client.start()
        await client.set_speed(2.5)
        assert sim.belt.target_speed_kmh == pytest.approx(2.5)
        await until(lambda: (client.state.speed_kmh or 0) >= 2.5)
        assert [type(r) for r in sim.stats.requests] == [
            RequestControl,
            StartOrResume,
            SetTargetSpeed,
        ]
        assert any("firmware sim-1.0" in line for line in describe_treadmill(client))
    finally:
        await client.aclose()
    assert not link.is_connected


async def test_write_without_response_control_point(radio: Radio, tmp_path: Path) -> None:
    """UREVO: the control point is Write Without Response; its answers still arrive."""
    sim, _ = await radio.treadmill(Quirk.CP_WRITE_WITHOUT_RESPONSE)
    log_path = tmp_path / "ble.jsonl"
    link = RecordingLink(BleakLink(sim.config.address), log_path)
    client = TreadmillClient(link, radio.clock)
    try:
        await client.connect()
        props = link.characteristics()[uuids.CONTROL_POINT]
        assert props == CharProperty.WRITE_WITHOUT_RESPONSE | CharProperty.INDICATE
        await client.request_control()
        await client.start()
        await client.set_speed(3.0)
        assert sim.belt.target_speed_kmh == pytest.approx(3.0)
    finally:
        await client.aclose()
        link.close()
    lines = [json.loads(line) for line in log_path.read_text().splitlines()[1:]]
    writes = [line for line in lines if line["dir"] == "write"]
    assert [w["hex"] for w in writes] == ["00", "07", "022c01"]
    assert all(w["response"] is False for w in writes)
    answers = [x["hex"] for x in lines if x["dir"] == "notify" and x["char"] == "control-point"]
    assert answers[-3:] == ["800001", "800701", "800201"]


@pytest.mark.parametrize("enforced", [True, False])
async def test_control_not_enforced(radio: Radio, enforced: bool) -> None:
    """Some machines take commands without Request Control; spec ones refuse (0x05)."""
    quirks = () if enforced else (Quirk.CONTROL_NOT_ENFORCED,)
    sim, _ = await radio.treadmill(*quirks)
    client = TreadmillClient(BleakLink(sim.config.address), radio.clock)
    try:
        await client.connect()
        if enforced:
            with pytest.raises(client_errors.ControlNotPermitted):
                await client.set_speed(2.0)
            assert not sim.belt.target_speed_kmh
        else:
            await client.set_speed(2.0)
            await client.start()
            assert sim.state is BeltState.RUNNING
            assert sim.belt.target_speed_kmh == pytest.approx(2.0)
    finally:
        await client.aclose()


async def test_trailing_bytes_and_bit13_steps(radio: Radio) -> None:
    """UREVO/KingSmith: extra bytes after records, and steps under flag bit 13."""
    sim, _ = await radio.treadmill(Quirk.TRAILING_BYTES, Quirk.STEP_COUNT_BIT13)
    client = TreadmillClient(BleakLink(sim.config.address), radio.clock)
    try:
        await client.connect()
        await client.request_control()
        await client.start()
        await client.set_speed(4.0)
        await until(lambda: (client.state.steps or 0) > 0 and client.state.speed_kmh == 4.0)
        assert client.stats.deviations["trailing_bytes"] > 0
        assert client.stats.deviations["step_count_bit13"] > 0
        assert client.stats.malformed.total() == 0
    finally:
        await client.aclose()


@pytest.mark.parametrize("start_toggles", [True, False])
async def test_start_that_toggles(radio: Radio, start_toggles: bool) -> None:
    """Vitalwalk: Start stops a running belt. With the device setting, a belt already
    running (started at the console) gets no Start; without it, it stops."""
    sim, _ = await radio.treadmill(Quirk.START_TOGGLES)
    sim.console_start()
    await until(lambda: sim.belt.speed_kmh > 0)
    client = TreadmillClient(
        BleakLink(sim.config.address), radio.clock, start_toggles=start_toggles
    )
    try:
        await client.connect()
        await client.request_control()
        before = client.state.belt
        await client.start(wait_moving_s=0)
        assert before is BeltStatus.UNKNOWN
        starts = [r for r in sim.stats.requests if isinstance(r, StartOrResume)]
        if start_toggles:
            assert starts == []
            assert sim.state is BeltState.RUNNING
            assert client.state.belt is BeltStatus.RUNNING
        else:
            assert len(starts) == 1
            assert sim.state is BeltState.PAUSED  # the hazard the setting exists for
    finally:
        await client.aclose()


async def test_link_loss_is_reported_once_and_connect_works_again(radio: Radio) -> None:
    sim, device = await radio.treadmill()
    link = BleakLink(sim.config.address)
    client = TreadmillClient(link, radio.clock)
    losses: list[int] = []
    link.on_disconnect(lambda: losses.append(1))
    try:
        await client.connect()
        await client.request_control()
        device.drop()  # out of range
        await until(lambda: len(losses) == 1)
        assert not link.is_connected
        assert not client.state.connected
        with pytest.raises(LinkLost):
            await link.read(uuids.FITNESS_MACHINE_FEATURE)

        await client.connect()  # a new bleak client on the same link
        await client.request_control()
        assert link.connects == 2
        assert client.state.connected
        await until(lambda: client.state.records > 0)

        await client.disconnect()  # ours this time: reported too, once
        await until(lambda: len(losses) == 2)
        await asyncio.sleep(0.05)
        assert len(losses) == 2
        assert radio.fake.stats.disconnects_by_device == 1
        assert radio.fake.stats.disconnects_by_client == 1
    finally:
        await client.aclose()


async def test_att_errors_come_back_as_codes(radio: Radio) -> None:
    sim, _ = await radio.treadmill(cp_response_delay_s=0.5)
    link = BleakLink(sim.config.address)
    try:
        await link.connect()
        with pytest.raises(AttError) as not_subscribed:
            await link.write(uuids.CONTROL_POINT, b"\x00", response=True)
        assert not_subscribed.value.code == ATT_CCCD_IMPROPERLY_CONFIGURED

        answers: list[bytes] = []
        await link.subscribe(uuids.CONTROL_POINT, answers.append)
        await link.write(uuids.CONTROL_POINT, b"\x00", response=True)
        with pytest.raises(AttError) as busy:  # one procedure at a time (FTMS §4.16.3)
            await link.write(uuids.CONTROL_POINT, b"\x07", response=True)
        assert busy.value.code == ATT_PROCEDURE_ALREADY_IN_PROGRESS
        await until(lambda: answers == [b"\x80\x00\x01"])

        with pytest.raises(AttError) as not_readable:
            await link.read(uuids.TREADMILL_DATA)
        assert not_readable.value.code == ATT_READ_NOT_PERMITTED
        with pytest.raises(AttError) as missing:
            await link.read(uuids.SERIAL_NUMBER)
        assert missing.value.code == ATT_ATTRIBUTE_NOT_FOUND
    finally:
        await link.disconnect()


async def test_connection_refused(radio: Radio) -> None:
    await radio.treadmill(device={"refuse_connections": True})
    link = BleakLink("treadctl-sim", connect_attempts=2)
    with pytest.raises(ConnectionFailed) as failed:
        await link.connect()
    assert "Software caused connection abort" in str(failed.value)
    assert "other apps" in describe_error(failed.value)
    assert radio.fake.stats.refused == 2


async def test_device_without_fitness_machine_service(radio: Radio) -> None:
    await radio.treadmill(device={"hide": FTMS_CHARACTERISTICS, "advertising": "name-only"})
    link = BleakLink("treadctl-sim")
    with pytest.raises(ServiceMissing) as missing:
        await link.connect()
    assert "no Fitness Machine Service" in str(missing.value)
    assert "FTMS" in describe_error(missing.value)
    assert not link.is_connected
    await until(lambda: radio.fake.stats.disconnects_by_client == 1)


async def test_no_control_point_is_read_only(radio: Radio) -> None:
    sim, _ = await radio.treadmill(device={"hide": {uuids.CONTROL_POINT}})
    sim.console_start()
    client = TreadmillClient(BleakLink("treadctl-sim"), radio.clock)
    try:
        await client.connect()
        assert not client.can_control
        await until(lambda: (client.state.speed_kmh or 0) > 0)
        with pytest.raises(client_errors.MissingCharacteristic) as refused:
            await client.request_control()
        assert "read-only, stats without control" in describe_error(refused.value)
        assert any("read-only" in line for line in describe_treadmill(client))
    finally:
        await client.aclose()


async def test_device_not_found_says_to_scan(radio: Radio) -> None:
    await radio.treadmill()
    link = BleakLink("Bowflex T9", find_timeout_s=0.3)
    with pytest.raises(DeviceNotFound) as not_found:
        await link.connect()
    assert "'Bowflex T9'" in str(not_found.value)
    assert "treadctl scan" in describe_error(not_found.value)


async def test_pairing_connects_and_is_remembered(radio: Radio) -> None:
    """bleak's pair=True (Trusted, then Pair, which connects, as bluetoothd does)."""
    _, device = await radio.treadmill()
    found = await find_device("treadctl-sim", timeout_s=2)
    assert found.device is not None
    client = BleakClient(found.device, pair=True)
    await client.connect()
    try:
        assert device.paired
        assert device.trusted
        assert await client.read_gatt_char(uuids.MODEL_NUMBER) == b"Simulated Treadmill"
    finally:
        await client.disconnect()
    assert not device.connected
    assert device.paired  # bonded devices stay paired
