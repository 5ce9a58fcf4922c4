"""The simulated strap on its own: the bytes it sends for a curve, and its quirks."""

from __future__ import annotations

import pytest

from treadctl.clock import VirtualClock
from treadctl.ftms import uuids as ftms_uuids
from treadctl.hrs import (
    BodySensorLocation,
    HeartRateMeasurement,
    SensorContact,
    decode_body_sensor_location,
    decode_heart_rate_measurement,
    rr_room,
)
from treadctl.hrs import uuids as hrs_uuids
from treadctl.link.base import (
    ATT_ATTRIBUTE_NOT_FOUND,
    ATT_WRITE_NOT_PERMITTED,
    AttError,
    CharProperty,
)
from treadctl.sim.heart_rate_strap import (
    ATT_HRS_CONTROL_POINT_NOT_SUPPORTED,
    SimHeartRateStrap,
    StrapConfig,
    StrapQuirk,
    curve_through,
)

HRM = hrs_uuids.HEART_RATE_MEASUREMENT


class Inbox:
    """A client end: what the strap notifies to it."""

    def __init__(self) -> None:
        self.values: list[bytes] = []
        self.dropped = False

    def notify(self, uuid: str, data: bytes) -> None:
        assert uuid == HRM
        self.values.append(data)

    def server_disconnected(self) -> None:
        self.dropped = True

    def measurements(self) -> list[HeartRateMeasurement]:
        return [decode_heart_rate_measurement(v) for v in self.values]


async def sent_over(strap: SimHeartRateStrap, clock: VirtualClock, seconds: int) -> Inbox:
    inbox = Inbox()
    strap.attach(inbox).set_subscribed(HRM, True)
    for _ in range(seconds):
        await clock.advance(1.0)
        strap.tick()
    return inbox


def test_curve_through_points() -> None:
    curve = curve_through([(60, 120), (0, 80), (120, 120)])
    assert curve(-5) == 80
    assert curve(0) == 80
    assert curve(30) == pytest.approx(100)
    assert curve(90) == 120
    assert curve(1000) == 120
    assert curve_through([(10, 90)])(0) == 90
    with pytest.raises(ValueError, match="at least one point"):
        curve_through([])


async def test_a_steady_rate_gives_its_beats_as_rr_intervals() -> None:
    clock = VirtualClock()
    strap = SimHeartRateStrap(clock, curve=lambda _t: 120.0)
    measurements = (await sent_over(strap, clock, 10)).measurements()
    assert [m.heart_rate_bpm for m in measurements] == [120] * 10
    assert {m.contact for m in measurements} == {SensorContact.CONTACT}
    rr = [r for m in measurements for r in m.rr_1024 or ()]
    assert set(rr) == {512}  # 0.5 s in 1/1024 s
    assert len(rr) in (19, 20)  # two beats a second
    assert all(m.energy_kj is None for m in measurements)
    assert all(m.deviations == () for m in measurements)


async def test_rr_intervals_follow_a_rising_curve_oldest_first() -> None:
    clock = VirtualClock()
    strap = SimHeartRateStrap(clock, curve=curve_through([(0, 60), (60, 180)]))
    measurements = (await sent_over(strap, clock, 60)).measurements()
    rr = [r for m in measurements for r in m.rr_1024 or ()]
    assert rr == sorted(rr, reverse=True)  # the heart speeds up: each beat comes sooner
    assert sum(rr) / 1024 == pytest.approx(60, abs=0.6)
    assert measurements[-1].heart_rate_bpm == 180


async def test_off_the_chest_no_contact_and_no_beats() -> None:
    clock = VirtualClock()
    strap = SimHeartRateStrap(clock, curve=lambda _t: 100.0)
    strap.worn = False
    (m,) = (await sent_over(strap, clock, 1)).measurements()
    assert (m.heart_rate_bpm, m.contact, m.rr_1024) == (0, SensorContact.NO_CONTACT, None)


async def test_optical_sensor_cannot_tell_contact() -> None:
    clock = VirtualClock()
    config = StrapConfig(quirks=frozenset({StrapQuirk.CONTACT_NOT_SUPPORTED}))
    strap = SimHeartRateStrap(clock, config, curve=lambda _t: 100.0)
    on = (await sent_over(strap, clock, 2)).measurements()
    strap.worn = False
    off = (await sent_over(strap, clock, 1)).measurements()
    assert {m.contact for m in on + off} == {SensorContact.NOT_SUPPORTED}
    assert [m.heart_rate_bpm for m in on + off][-3:] == [100, 100, 0]


async def test_sudden_zeros_and_empty_rr_lists() -> None:
    clock = VirtualClock()
    quirks = frozenset({StrapQuirk.SUDDEN_ZEROS, StrapQuirk.EMPTY_RR})
    strap = SimHeartRateStrap(
        clock, StrapConfig(quirks=quirks, zero_every=4), curve=lambda _t: 50.0
    )
    measurements = (await sent_over(strap, clock, 12)).measurements()
    assert [m.heart_rate_bpm for m in measurements] == [50, 50, 50, 0] * 3
    assert all(m.contact is SensorContact.CONTACT for m in measurements)
    assert strap.stats.zeros == 3
    # At 50 bpm some seconds hold no beat: the RR flag is still set, with nothing after it.
    assert all(m.rr_1024 is not None for m in measurements)
    assert any(m.rr_1024 == () for m in measurements if m.heart_rate_bpm)


async def test_energy_every_tenth_measurement_and_its_reset() -> None:
    clock = VirtualClock()
    strap = SimHeartRateStrap(
        clock, StrapConfig(quirks=frozenset({StrapQuirk.ENERGY})), curve=lambda _t: 150.0
    )
    assert strap.characteristics[hrs_uuids.HEART_RATE_CONTROL_POINT] == CharProperty.WRITE
    measurements = (await sent_over(strap, clock, 120)).measurements()
    with_energy = [i for i, m in enumerate(measurements) if m.energy_kj is not None]
    assert with_energy == list(range(0, 120, 10))
    # Keytel: -55.0969 + 0.6309*150 + 0.1988*70 + 0.2017*40 = 61.52 kJ/min, for 111 s.
    assert measurements[110].energy_kj == int(61.5216 * 111 / 60)
    rr = [r for m in measurements for r in m.rr_1024 or ()]
    assert set(rr) == {410}  # 0.4 s: the energy field moved them, it did not corrupt them
    assert all(len(m.rr_1024 or ()) <= rr_room(energy=True) for m in measurements)

    strap.write(hrs_uuids.HEART_RATE_CONTROL_POINT, b"\x01")
    assert strap.energy_kj == 0
    assert strap.stats.energy_resets == 1
    with pytest.raises(AttError) as refused:
        strap.write(hrs_uuids.HEART_RATE_CONTROL_POINT, b"\x02")
    assert refused.value.code == ATT_HRS_CONTROL_POINT_NOT_SUPPORTED


async def test_a_rate_above_255_goes_out_in_16_bits() -> None:
    clock = VirtualClock()
    strap = SimHeartRateStrap(clock, curve=lambda _t: 300.0)
    (m,) = (await sent_over(strap, clock, 1)).measurements()
    assert (m.heart_rate_bpm, m.rate_uint16) == (300, True)


def test_reads_and_refusals() -> None:
    clock = VirtualClock()
    strap = SimHeartRateStrap(clock, StrapConfig(location=BodySensorLocation.WRIST))
    conn = strap.attach(Inbox())
    assert decode_body_sensor_location(conn.read(hrs_uuids.BODY_SENSOR_LOCATION)).name == "wrist"
    assert conn.read(ftms_uuids.MODEL_NUMBER) == b"Simulated HRM"
    with pytest.raises(AttError) as missing:
        conn.read(ftms_uuids.TREADMILL_DATA)
    assert missing.value.code == ATT_ATTRIBUTE_NOT_FOUND
    with pytest.raises(AttError) as not_writable:
        conn.write(hrs_uuids.HEART_RATE_CONTROL_POINT, b"\x01", response=True)
    assert not_writable.value.code == ATT_WRITE_NOT_PERMITTED  # no energy, no control point
    with pytest.raises(AttError):
        conn.set_subscribed(hrs_uuids.BODY_SENSOR_LOCATION, True)


def test_drop_connections_tells_every_client() -> None:
    strap = SimHeartRateStrap(VirtualClock())
    inboxes = [Inbox(), Inbox()]
    for inbox in inboxes:
        strap.attach(inbox)
    strap.drop_connections()
    assert all(inbox.dropped for inbox in inboxes)
    assert strap.connections == []
