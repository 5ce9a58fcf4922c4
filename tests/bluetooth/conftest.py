"""Real bleak against the fake BlueZ: a private dbus-daemon per test, the fake on it.

Nothing here patches bleak. ``DBUS_SYSTEM_BUS_ADDRESS`` points at a ``dbus-daemon`` of
the test's own (about 3 ms to start, its socket under a short folder in /tmp), the fake
``org.bluez`` serves simulated treadmills on it, and bleak, bleak-retry-connector,
:class:`BleakLink`, the client and the runner do the rest as they would on a real machine.
The simulators run on the real clock, fast: quick belts, 10 Hz data, short answers.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from treadctl.bluetooth.scan import release_bluez_connection
from treadctl.bluez_fake import FakeBlueZ, FakeDevice, PrivateBus
from treadctl.clock import MonotonicClock
from treadctl.sim import Quirk, SimConfig, SimTreadmill
from treadctl.sim.heart_rate_strap import (
    HeartRateCurve,
    SimHeartRateStrap,
    StrapConfig,
    StrapQuirk,
)

#: The longest a test waits for something that happens over D-Bus in milliseconds.
WAIT_S = 10.0
#: A simulated strap that notifies ten times a second, for real-time tests.
FAST_STRAP = {"notify_interval_s": 0.1}
#: A simulated treadmill quick enough for real-time tests.
FAST = {
    "data_rate_hz": 10.0,
    "accel_kmh_per_s": 5.0,
    "decel_kmh_per_s": 5.0,
    "cp_response_delay_s": 0.005,
}


async def until(predicate: Callable[[], bool], limit_s: float = WAIT_S) -> None:
    """Poll a condition a real-time exchange will make true (fails after ``limit_s``)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit_s
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


@pytest.fixture
def private_bus(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A dbus-daemon of this test's own; the system bus address points at it."""
    if not PrivateBus.available():
        pytest.skip("dbus-daemon is not installed (apt-get install dbus-daemon)")
    with PrivateBus() as bus:
        assert bus.address is not None
        monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", bus.address)
        yield bus.address


@dataclass
class Radio:
    """The fake BlueZ and the simulated treadmills (and straps) it serves, for one test."""

    fake: FakeBlueZ
    clock: MonotonicClock
    stack: contextlib.AsyncExitStack
    sims: list[SimTreadmill] = field(default_factory=list)

    async def treadmill(
        self,
        *quirks: Quirk,
        name: str = "treadctl-sim",
        address: str = "AA:BB:CC:DD:EE:01",
        device: dict[str, Any] | None = None,
        **config: Any,
    ) -> tuple[SimTreadmill, FakeDevice]:
        """A running simulated treadmill, in range of the fake adapter."""
        sim = SimTreadmill(
            self.clock,
            SimConfig(name=name, address=address, quirks=frozenset(quirks), **{**FAST, **config}),
        )
        await self.stack.enter_async_context(sim.running())
        self.sims.append(sim)
        return sim, self.fake.add_device(sim, **(device or {}))

    async def strap(
        self,
        *quirks: StrapQuirk,
        name: str = "treadctl-hrm",
        address: str = "AA:BB:CC:DD:EE:02",
        curve: HeartRateCurve | None = None,
        device: dict[str, Any] | None = None,
        **config: Any,
    ) -> tuple[SimHeartRateStrap, FakeDevice]:
        """A running simulated heart-rate strap, in range of the fake adapter."""
        strap = SimHeartRateStrap(
            self.clock,
            StrapConfig(
                name=name, address=address, quirks=frozenset(quirks), **{**FAST_STRAP, **config}
            ),
            curve=curve,
        )
        await self.stack.enter_async_context(strap.running())
        return strap, self.fake.add_device(strap, **(device or {}))


@contextlib.asynccontextmanager
async def radio_on(address: str, **fake_options: Any) -> AsyncIterator[Radio]:
    fake = FakeBlueZ(**fake_options)
    async with contextlib.AsyncExitStack() as stack:
        await stack.enter_async_context(fake.serving(address))
        radio = Radio(fake, MonotonicClock(), stack)
        try:
            yield radio
        finally:
            # bleak keeps one D-Bus connection per event loop: close it while the bus lives.
            await release_bluez_connection()


@pytest.fixture
async def radio(private_bus: str) -> AsyncIterator[Radio]:
    """The fake BlueZ with a powered adapter and no devices yet."""
    async with radio_on(private_bus) as r:
        yield r
