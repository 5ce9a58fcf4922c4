"""The Bluetooth benchmarks' rig: a private dbus-daemon, the fake BlueZ and a simulator.

Everything runs in this one process and one event loop, as in the tests: bleak (and
bleak-retry-connector) on the client side, the fake ``org.bluez`` on the other, the
``dbus-daemon`` in between. So every figure includes both ends' Python work plus two
trips through the daemon per D-Bus message.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass

from treadctl.bluetooth.scan import release_bluez_connection
from treadctl.bluez_fake import FakeBlueZ, FakeDevice, PrivateBus
from treadctl.clock import MonotonicClock
from treadctl.sim import Quirk, SimConfig, SimTreadmill


@dataclass
class BleRig:
    bus_address: str
    fake: FakeBlueZ
    sim: SimTreadmill
    device: FakeDevice
    clock: MonotonicClock


@contextlib.contextmanager
def private_system_bus() -> Iterator[str]:
    """A private dbus-daemon, exported as the system bus for this process."""
    if not PrivateBus.available():
        raise SystemExit("dbus-daemon is not installed (apt-get install dbus-daemon)")
    previous = os.environ.get("DBUS_SYSTEM_BUS_ADDRESS")
    with PrivateBus() as bus:
        assert bus.address is not None
        os.environ["DBUS_SYSTEM_BUS_ADDRESS"] = bus.address
        try:
            yield bus.address
        finally:
            if previous is None:
                os.environ.pop("DBUS_SYSTEM_BUS_ADDRESS", None)
            else:
                os.environ["DBUS_SYSTEM_BUS_ADDRESS"] = previous


@contextlib.asynccontextmanager
async def ble_rig(
    bus_address: str, *quirks: Quirk, data_rate_hz: float = 10.0, cp_response_delay_s: float = 0.0
) -> AsyncIterator[BleRig]:
    clock = MonotonicClock()
    sim = SimTreadmill(
        clock,
        SimConfig(
            data_rate_hz=data_rate_hz,
            cp_response_delay_s=cp_response_delay_s,
            accel_kmh_per_s=5.0,
            decel_kmh_per_s=5.0,
            quirks=frozenset(quirks),
        ),
    )
    fake = FakeBlueZ()
    device = fake.add_device(sim)
    async with fake.serving(bus_address), sim.running():
        try:
            yield BleRig(bus_address, fake, sim, device, clock)
        finally:
            await release_bluez_connection()
