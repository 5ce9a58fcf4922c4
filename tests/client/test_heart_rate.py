"""HeartRateStrap against the simulated strap over the loopback link, on a virtual clock."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from treadctl.client import TreadmillClient
from treadctl.client.events import ClientEvent, LinkDown
from treadctl.client.heart_rate import (
    ContactLost,
    ContactRestored,
    HeartRateStrap,
    MalformedHeartRate,
    StrapConnected,
    StrapConnectFailed,
    StrapEvent,
    StrapLost,
    StrapSilent,
)
from treadctl.clock import VirtualClock
from treadctl.hrs import HeartRateReading
from treadctl.hrs import uuids as hrs_uuids
from treadctl.sim import SimTreadmill
from treadctl.sim.heart_rate_strap import (
    HeartRateCurve,
    SimHeartRateStrap,
    StrapConfig,
    StrapQuirk,
    curve_through,
)
from treadctl.sim.loopback import LoopbackLink
from treadctl.strap import simulated_strap

HRM = hrs_uuids.HEART_RATE_MEASUREMENT


@dataclass
class StrapRig:
    clock: VirtualClock
    sim: SimHeartRateStrap
    link: LoopbackLink
    strap: HeartRateStrap
    heard: list[HeartRateReading | StrapEvent] = field(default_factory=list)

    def readings(self) -> list[HeartRateReading]:
        return [x for x in self.heard if isinstance(x, HeartRateReading)]

    def events(self, *kinds: type[Any]) -> list[Any]:
        wanted = kinds or (object,)
        return [
            x for x in self.heard if not isinstance(x, HeartRateReading) and isinstance(x, wanted)
        ]


@contextlib.asynccontextmanager
async def strap_rig(
    *quirks: StrapQuirk, curve: HeartRateCurve | None = None, **config: Any
) -> AsyncIterator[StrapRig]:
    clock = VirtualClock()
    sim = SimHeartRateStrap(clock, StrapConfig(quirks=frozenset(quirks), **config), curve=curve)
    link = LoopbackLink(sim, clock)
    rig = StrapRig(clock, sim, link, HeartRateStrap(link, clock))
    rig.strap.add_listener(rig.heard.append)
    async with sim.running(), clock.running(), rig.strap:
        yield rig


async def test_connects_reads_the_location_and_follows_the_curve() -> None:
    async with strap_rig(curve=curve_through([(0, 90), (30, 150)])) as r:
        assert await r.strap.wait_connected(5)
        await r.clock.sleep(30.5)
        (connected,) = r.events(StrapConnected)
        assert connected == StrapConnected("treadctl-hrm", "chest", reconnected=False)
        readings = r.readings()
        assert len(readings) == 30
        assert [x.bpm for x in readings[::10]] == [92, 112, 132]
        assert r.strap.reading == readings[-1]
        assert readings[-1].bpm == 150
        assert {(x.source, x.contact) for x in readings} == {("strap", "contact")}
        assert readings[-1].at_s == pytest.approx(r.clock.now(), abs=1.0)
        beats_s = sum(sum(x.rr_s) for x in readings)
        assert beats_s == pytest.approx(30, abs=1.0)  # every beat arrived, once
        assert r.strap.stats.malformed == 0


async def test_contact_lost_is_said_once_and_never_a_value() -> None:
    async with strap_rig(curve=lambda _t: 110.0) as r:
        await r.clock.sleep(3.5)
        r.sim.worn = False
        await r.clock.sleep(5)
        assert r.strap.reading is not None
        assert r.strap.reading.bpm is None
        assert r.strap.reading.contact == "no_contact"
        r.sim.worn = True
        await r.clock.sleep(3)
        assert r.events(ContactLost, ContactRestored) == [
            ContactLost("no_contact"),
            ContactRestored(110),
        ]
        assert [x.bpm for x in r.readings()] == [110] * 3 + [None] * 5 + [110] * 3
        assert r.strap.stats.unknown == 5


async def test_optical_sensor_off_the_skin_reads_zero_which_is_unknown() -> None:
    async with strap_rig(StrapQuirk.CONTACT_NOT_SUPPORTED, curve=lambda _t: 95.0) as r:
        await r.clock.sleep(2.5)
        r.sim.worn = False
        await r.clock.sleep(2)
        assert [(x.bpm, x.contact) for x in r.readings()] == [
            (95, "not_supported"),
            (95, "not_supported"),
            (None, "not_supported"),
            (None, "not_supported"),
        ]
        assert r.events(ContactLost) == [ContactLost("zero")]


async def test_sudden_zeros_are_gaps_not_values() -> None:
    async with strap_rig(StrapQuirk.SUDDEN_ZEROS, curve=lambda _t: 130.0, zero_every=5) as r:
        await r.clock.sleep(20.5)
        assert [x.bpm for x in r.readings()] == [130, 130, 130, 130, None] * 4
        assert r.events(ContactLost, ContactRestored) == [
            ContactLost("zero"),
            ContactRestored(130),
        ] * 3 + [ContactLost("zero")]


async def test_energy_and_empty_rr_lists_come_through() -> None:
    async with strap_rig(StrapQuirk.ENERGY, StrapQuirk.EMPTY_RR, curve=lambda _t: 45.0) as r:
        await r.clock.sleep(20.5)
        readings = r.readings()
        assert [x.energy_kj is not None for x in readings] == ([True] + [False] * 9) * 2
        assert all(x.bpm == 45 for x in readings)
        assert sum(sum(x.rr_s) for x in readings) == pytest.approx(20, abs=60 / 45)
        assert r.strap.stats.deviations["empty_rr_intervals"] > 0


async def test_a_drop_is_reported_and_the_strap_comes_back_on_its_own() -> None:
    async with strap_rig(curve=lambda _t: 100.0) as r:
        await r.clock.sleep(3.5)
        r.link.reachable = False
        r.sim.drop_connections()
        assert r.strap.reading is None
        assert not r.strap.connected
        await r.clock.sleep(6.5)  # attempts at once, then 1 s, 2 s later
        failed = r.events(StrapConnectFailed)
        assert [(f.attempt, f.retry_in_s) for f in failed] == [(1, 1.0), (2, 2.0), (3, 4.0)]
        assert "did not answer" in failed[0].error
        r.link.reachable = True
        assert await r.strap.wait_connected(10)
        await r.clock.sleep(2.5)
        kinds = [type(e).__name__ for e in r.events(StrapConnected, StrapLost, StrapConnectFailed)]
        assert kinds == ["StrapConnected", "StrapLost"] + ["StrapConnectFailed"] * 3 + [
            "StrapConnected"
        ]
        assert r.events(StrapConnected)[-1].reconnected
        assert r.strap.reading is not None
        assert r.strap.reading.bpm == 100
        assert r.strap.stats.losses == 1


async def test_the_back_off_stops_growing_at_its_ceiling() -> None:
    async with strap_rig() as r:
        r.link.reachable = False
        r.sim.drop_connections()
        await r.clock.sleep(200)
        waits = [f.retry_in_s for f in r.events(StrapConnectFailed)]
        assert waits[:6] == [1, 2, 4, 8, 16, 30]
        assert set(waits[6:]) == {30}


async def test_bad_bytes_are_counted_and_skipped() -> None:
    async with strap_rig(curve=lambda _t: 120.0) as r:
        await r.clock.sleep(1.5)
        r.link.notify(HRM, b"\x06")  # a rate-less value
        await r.clock.sleep(1)
        assert r.events(MalformedHeartRate) == [
            MalformedHeartRate("06", "1 byte is too short to hold a heart rate")
        ]
        assert r.strap.stats.malformed == 1
        assert [x.bpm for x in r.readings()] == [120, 120]


async def test_a_silent_strap_loses_its_reading() -> None:
    async with strap_rig(curve=lambda _t: 120.0) as r:
        await r.clock.sleep(2.5)
        r.link.drop_filter = lambda _uuid, _data: True
        await r.clock.sleep(4)
        assert r.strap.reading is not None  # 4.5 s since the last one: not yet
        await r.clock.sleep(2)
        assert r.strap.reading is None
        assert r.strap.connected
        (silent,) = r.events(StrapSilent)
        assert silent.silent_s == pytest.approx(5.0, abs=0.01)
        await r.clock.sleep(20)
        assert len(r.events(StrapSilent)) == 1  # said once
        r.link.drop_filter = None
        await r.clock.sleep(1)
        assert r.strap.reading is not None


async def test_a_listener_that_fails_does_not_stop_the_others() -> None:
    async with strap_rig(curve=lambda _t: 80.0) as r:

        def broken(_item: object) -> None:
            raise RuntimeError("listener bug")

        r.strap.add_listener(broken)
        remove = r.strap.add_listener(broken)
        remove()
        await r.clock.sleep(2.5)
        assert len(r.readings()) == 2


async def test_a_treadmill_is_not_a_strap_and_nothing_is_raised() -> None:
    clock = VirtualClock()
    treadmill = SimTreadmill(clock)
    strap = HeartRateStrap(LoopbackLink(treadmill, clock), clock)
    heard: list[object] = []
    strap.add_listener(heard.append)
    async with treadmill.running(), clock.running():
        await strap.start()
        assert not await strap.wait_connected(3.5)
        await strap.aclose()
    failures = [x for x in heard if isinstance(x, StrapConnectFailed)]
    assert failures
    assert "no Heart Rate Service" in failures[0].error
    assert not treadmill.connections


async def test_closing_while_it_waits_to_retry() -> None:
    clock = VirtualClock()
    sim = SimHeartRateStrap(clock)
    link = LoopbackLink(sim, clock)
    link.reachable = False
    strap = HeartRateStrap(link, clock)
    async with clock.running():
        await strap.start()
        await clock.sleep(10)
        await strap.aclose()
        assert strap.stats.connect_failures >= 3
        await strap.start()  # closed is closed
        assert not strap.connected
        assert not sim.connections


async def test_losing_the_strap_never_disturbs_the_treadmill() -> None:
    clock = VirtualClock()
    treadmill = SimTreadmill(clock)
    client = TreadmillClient(LoopbackLink(treadmill, clock), clock)
    client_events: list[ClientEvent] = []
    client.add_listener(client_events.append)
    sim = SimHeartRateStrap(clock, curve=lambda _t: 125.0)
    strap_link = LoopbackLink(sim, clock)
    async with treadmill.running(), sim.running(), clock.running():
        async with HeartRateStrap(strap_link, clock) as strap:
            await client.connect()
            await client.request_control()
            await client.start()
            await client.set_speed(2.0)
            assert await strap.wait_connected(5)
            await clock.sleep(5)
            strap_link.reachable = False
            sim.drop_connections()
            await clock.sleep(30)
            assert not strap.connected
            assert client.state.connected
            assert client.state.speed_kmh == pytest.approx(2.0)
            assert treadmill.belt.speed_kmh == pytest.approx(2.0)
            await client.set_speed(2.5)
            await clock.sleep(5)
            assert client.state.speed_kmh == pytest.approx(2.5)
        await client.aclose()
    assert not any(isinstance(e, LinkDown) for e in client_events)


async def test_the_simulated_strap_factory() -> None:
    clock = VirtualClock()
    heard: list[HeartRateReading | StrapEvent] = []
    async with clock.running(), simulated_strap(clock, curve=lambda _t: 140.0) as strap:
        assert (strap.kind, strap.name, strap.address) == (
            "simulator",
            "treadctl-hrm",
            "AA:BB:CC:DD:EE:02",
        )
        assert strap.sim is not None
        strap.client.add_listener(heard.append)
        assert await strap.client.wait_connected(5)
        await clock.sleep(3.5)
        strap.sim.curve = lambda _t: 150.0
        await clock.sleep(1)
        assert strap.client.reading is not None
        assert strap.client.reading.bpm == 150
    assert [x.bpm for x in heard if isinstance(x, HeartRateReading)][-2:] == [140, 150]
    assert not strap.client.connected
