"""Scanning and finding treadmills, and what Bluetooth problems look like to a user."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from bleak import BleakScanner

from tests.bluetooth.conftest import Radio, radio_on
from treadctl.bluetooth.errors import (
    AdapterOff,
    BlueZNotRunning,
    DeviceNotFound,
    NoAdapter,
    describe_error,
)
from treadctl.bluetooth.link import BleakLink
from treadctl.bluetooth.scan import FoundDevice, find_device, release_bluez_connection, scan
from treadctl.ftms import uuids

LISTEN_S = 0.3
HEART_RATE_SERVICE = uuids.sig_uuid(0x180D)


async def neighbourhood(radio: Radio) -> None:
    """Three treadmills advertising three ways, a heart-rate strap, a nameless beacon."""
    await radio.treadmill(name="Spec Treadmill", address="AA:BB:CC:00:00:01", device={"rssi": -70})
    await radio.treadmill(
        name="UUID Only", address="AA:BB:CC:00:00:02", device={"advertising": "uuid-only"}
    )
    await radio.treadmill(
        name="Toorx TRX", address="AA:BB:CC:00:00:03", device={"advertising": "name-only"}
    )
    radio.fake.add_device(
        None, address="11:22:33:44:55:66", name="HRM-Pro", service_uuids=[HEART_RATE_SERVICE]
    )
    radio.fake.add_device(None, address="11:22:33:44:55:77", name=None)


async def test_scan_lists_ftms_machines_by_service_data_and_by_uuid(radio: Radio) -> None:
    await neighbourhood(radio)
    found = await scan(LISTEN_S)
    assert [f.name for f in found] == ["Spec Treadmill", "UUID Only", "HRM-Pro"]
    spec, uuid_only, strap = found
    assert strap.seen_as == "heart-rate"  # listed after the treadmills, marked as a strap
    assert spec.seen_as == "service-data"
    assert spec.machine_types == ("treadmill",)
    assert spec.available is True
    assert spec.rssi is not None
    assert spec.rssi <= -70
    assert spec.is_treadmill
    assert uuid_only.seen_as == "service-uuid"
    assert uuid_only.available is None
    assert uuid_only.is_treadmill is None
    assert uuid_only.as_dict()["ftms"] is True


async def test_scan_all_adds_devices_known_only_by_name(radio: Radio) -> None:
    await neighbourhood(radio)
    found = await scan(LISTEN_S, include_all=True)
    names = [f.name for f in found]
    assert names == ["Spec Treadmill", "UUID Only", "HRM-Pro", "Toorx TRX"]
    toorx = next(f for f in found if f.name == "Toorx TRX")
    assert toorx.seen_as == "name"
    assert not toorx.is_ftms
    assert None not in names  # the nameless beacon says nothing worth showing


async def test_service_uuid_filter_is_applied_by_the_adapter(radio: Radio) -> None:
    await neighbourhood(radio)
    devices = await BleakScanner.discover(
        timeout=LISTEN_S, service_uuids=[uuids.FITNESS_MACHINE_SERVICE]
    )
    assert sorted(d.name or "" for d in devices) == ["Spec Treadmill", "UUID Only"]


async def test_find_by_name_any_case_or_by_address(radio: Radio) -> None:
    await neighbourhood(radio)
    by_name = await find_device("toorx trx", timeout_s=2)
    assert by_name.address == "AA:BB:CC:00:00:03"
    by_address = await find_device("aa-bb-cc-00-00-02", timeout_s=2)
    assert by_address.name == "UUID Only"
    with pytest.raises(DeviceNotFound) as missing:
        await find_device("KS-ST-A1P", timeout_s=LISTEN_S)
    assert "treadctl scan" in describe_error(missing.value)


async def test_a_connected_treadmill_advertises_itself_unavailable(radio: Radio) -> None:
    await radio.treadmill()
    link = BleakLink("treadctl-sim")
    await link.connect()
    try:
        (found,) = await scan(LISTEN_S)
        assert found.available is False
    finally:
        await link.disconnect()


async def scan_when_powered() -> list[FoundDevice]:
    """Scan once bleak has heard the adapter's Powered change (a signal: no ordering)."""
    for _ in range(50):
        try:
            return await scan(LISTEN_S)
        except AdapterOff:
            await asyncio.sleep(0.02)
    raise AssertionError("the adapter never came on")


async def test_adapter_powered_off(private_bus: str) -> None:
    async with radio_on(private_bus, powered=False) as radio:
        await radio.treadmill()
        with pytest.raises(AdapterOff) as off:
            await scan(LISTEN_S)
        assert "bluetoothctl power on" in describe_error(off.value)
        radio.fake.set_powered(True)  # as `bluetoothctl power on` would
        assert [f.name for f in await scan_when_powered()] == ["treadctl-sim"]


async def test_no_adapter(private_bus: str) -> None:
    async with radio_on(private_bus, adapter=False):
        with pytest.raises(NoAdapter) as none:
            await find_device("treadctl-sim", timeout_s=LISTEN_S)
        assert "No Bluetooth adapter" in describe_error(none.value)


async def test_bluez_not_running(private_bus: str) -> None:
    # A system bus with nobody owning org.bluez, as with bluetoothd stopped.
    try:
        with pytest.raises(BlueZNotRunning) as stopped:
            await scan(LISTEN_S)
        assert "systemctl start bluetooth" in describe_error(stopped.value)
    finally:
        await release_bluez_connection()


async def test_no_system_bus_at_all(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={tmp_path / 'nobody-here'}")
    with pytest.raises(BlueZNotRunning) as unreachable:
        await scan(LISTEN_S)
    assert "not reachable" in str(unreachable.value)
