"""A simulated heart-rate strap: a Heart Rate Service server on an injected clock.

It speaks the bytes of a real strap: Heart Rate Measurement (0x2A37) notified about once
a second, Body Sensor Location (0x2A38), and with the energy field the Heart Rate Control
Point (0x2A39) that resets it. The loopback link and the fake BlueZ serve it exactly as
they serve the simulated treadmill (:mod:`treadctl.sim.server`).

The rate follows a curve a test sets (``strap.curve``, seconds since the start to bpm);
beats fall at 60/bpm apart and go out as RR intervals, oldest first. ``strap.worn =
False`` takes it off the chest. Quirks, each seen on real sensors:

- ``contact-not-supported``: the contact bits say "not supported" (optical sensors, and
  some chest straps such as newer Polar H10 firmware); off the skin, the rate goes to 0.
- ``sudden-zeros``: a rate of 0 now and then, with contact (Polar OH1 and 360, straps
  right after contact comes back).
- ``empty-rr``: the RR flag set with no interval when no beat fell since the last packet.
- ``energy``: Energy Expended (kJ) in every tenth measurement, which moves the RR
  intervals two bytes on, and the control point that resets it.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections import deque
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from treadctl.clock import Clock
from treadctl.ftms import uuids as ftms_uuids
from treadctl.hrs import uuids
from treadctl.hrs.location import BodySensorLocation, SensorLocationValue
from treadctl.hrs.location import encode_body_sensor_location as encode_location
from treadctl.hrs.measurement import (
    ENERGY_MAX_KJ,
    HeartRateMeasurement,
    SensorContact,
    encode_heart_rate_measurement,
    rr_from_seconds,
    rr_room,
)
from treadctl.link.base import (
    ATT_ATTRIBUTE_NOT_FOUND,
    ATT_READ_NOT_PERMITTED,
    ATT_WRITE_NOT_PERMITTED,
    AttError,
    CharProperty,
)
from treadctl.sim.server import ServerSink, set_subscription

#: HRS §3.3.2: the Heart Rate Control Point's own error, "Control Point value not supported".
ATT_HRS_CONTROL_POINT_NOT_SUPPORTED = 0x80
RESET_ENERGY_EXPENDED = 0x01
#: The rate of a strap nobody set a curve for.
DEFAULT_RESTING_BPM = 65.0
#: Below this the sensor finds no beat at all.
MIN_BEAT_BPM = 20.0

HeartRateCurve = Callable[[float], float]
"""Seconds since the strap started to heart rate in bpm."""


class StrapQuirk(StrEnum):
    CONTACT_NOT_SUPPORTED = "contact-not-supported"
    SUDDEN_ZEROS = "sudden-zeros"
    EMPTY_RR = "empty-rr"
    ENERGY = "energy"


@dataclass(frozen=True, slots=True)
class StrapConfig:
    """What the simulated strap is. Times in seconds, rates in bpm."""

    name: str = "treadctl-hrm"
    address: str = "AA:BB:CC:DD:EE:02"
    quirks: frozenset[StrapQuirk] = field(default_factory=frozenset)
    notify_interval_s: float = 1.0
    resting_bpm: float = DEFAULT_RESTING_BPM
    location: BodySensorLocation = BodySensorLocation.CHEST
    #: With ``sudden-zeros``: every Nth measurement has a rate of 0.
    zero_every: int = 12
    #: With ``energy``: every Nth measurement carries the energy (HRS suggests 10).
    energy_every: int = 10
    #: For the energy estimate (Keytel et al. 2005, men): kJ/min from rate, weight, age.
    user_weight_kg: float = 70.0
    user_age_years: float = 40.0

    def has(self, quirk: StrapQuirk) -> bool:
        return quirk in self.quirks


def curve_through(points: Sequence[tuple[float, float]]) -> HeartRateCurve:
    """A piecewise-linear curve through ``(seconds, bpm)`` points, flat beyond the ends."""
    ordered = sorted(points)
    if not ordered:
        raise ValueError("a heart-rate curve needs at least one point")

    def bpm_at(t_s: float) -> float:
        if t_s <= ordered[0][0]:
            return ordered[0][1]
        for (t0, b0), (t1, b1) in itertools.pairwise(ordered):
            if t_s <= t1:
                return b0 + (b1 - b0) * (t_s - t0) / (t1 - t0) if t1 > t0 else b1
        return ordered[-1][1]

    return bpm_at


@dataclass(eq=False)
class StrapConnection:
    strap: SimHeartRateStrap
    sink: ServerSink
    subscribed: set[str] = field(default_factory=set)
    open: bool = True

    def read(self, uuid: str) -> bytes:
        return self.strap.read(uuid)

    def write(self, uuid: str, data: bytes, *, response: bool) -> None:
        self.strap.write(uuid, data)

    def set_subscribed(self, uuid: str, enabled: bool) -> None:
        set_subscription(self.subscribed, self.strap.characteristics, uuid, enabled)

    def close(self) -> None:
        self.strap.detach(self)


@dataclass
class StrapStats:
    measurements: int = 0
    notifications: int = 0
    zeros: int = 0
    energy_resets: int = 0


class SimHeartRateStrap:
    """A Heart Rate Service server whose rate follows ``curve``."""

    def __init__(
        self,
        clock: Clock,
        config: StrapConfig | None = None,
        *,
        curve: HeartRateCurve | None = None,
    ) -> None:
        self.clock = clock
        self.config = config or StrapConfig()
        resting = self.config.resting_bpm
        self.curve: HeartRateCurve = curve or (lambda _t_s: resting)
        self.worn = True
        """False: off the chest (no skin contact, no beats)."""
        self.connections: list[StrapConnection] = []
        self.stats = StrapStats()
        self.energy_kj = 0.0
        self._start_s = clock.now()
        self._last_beat_s = self._start_s
        self._last_advance_s = self._start_s
        self._pending_rr: deque[int] = deque()
        props: dict[str, CharProperty] = {
            uuids.HEART_RATE_MEASUREMENT: CharProperty.NOTIFY,
            uuids.BODY_SENSOR_LOCATION: CharProperty.READ,
            ftms_uuids.MANUFACTURER_NAME: CharProperty.READ,
            ftms_uuids.MODEL_NUMBER: CharProperty.READ,
        }
        if self.config.has(StrapQuirk.ENERGY):
            props[uuids.HEART_RATE_CONTROL_POINT] = CharProperty.WRITE
        self.characteristics: Mapping[str, CharProperty] = props

    # -- connections ---------------------------------------------------------------------

    def attach(self, sink: ServerSink) -> StrapConnection:
        conn = StrapConnection(self, sink)
        self.connections.append(conn)
        return conn

    def detach(self, conn: StrapConnection) -> None:
        conn.open = False
        if conn in self.connections:
            self.connections.remove(conn)

    def drop_connections(self) -> None:
        """Drop every link from the strap's side (out of range, battery out)."""
        for conn in list(self.connections):
            self.detach(conn)
            conn.sink.server_disconnected()

    def read(self, uuid: str) -> bytes:
        props = self.characteristics.get(uuid)
        if props is None:
            raise AttError(ATT_ATTRIBUTE_NOT_FOUND, f"no characteristic {uuid}")
        if uuid == uuids.BODY_SENSOR_LOCATION:
            return encode_location(SensorLocationValue(int(self.config.location)))
        if uuid == ftms_uuids.MANUFACTURER_NAME:
            return b"treadctl"
        if uuid == ftms_uuids.MODEL_NUMBER:
            return b"Simulated HRM"
        raise AttError(ATT_READ_NOT_PERMITTED, f"{uuid} is not readable")

    def write(self, uuid: str, data: bytes) -> None:
        if uuid not in self.characteristics or uuid != uuids.HEART_RATE_CONTROL_POINT:
            raise AttError(ATT_WRITE_NOT_PERMITTED, f"{uuid} is not writable")
        if data != bytes((RESET_ENERGY_EXPENDED,)):
            raise AttError(ATT_HRS_CONTROL_POINT_NOT_SUPPORTED, "control point value not supported")
        self.energy_kj = 0.0
        self.stats.energy_resets += 1

    # -- the heart -----------------------------------------------------------------------

    def bpm_now(self) -> float:
        return max(0.0, self.curve(self.clock.now() - self._start_s))

    def _advance(self) -> None:
        """Beats and energy up to now."""
        now = self.clock.now()
        elapsed_s = now - self._last_advance_s
        self._last_advance_s = now
        bpm = self.bpm_now()
        if not self.worn or bpm < MIN_BEAT_BPM:
            self._last_beat_s = now
            return
        c = self.config
        kj_per_min = -55.0969 + 0.6309 * bpm + 0.1988 * c.user_weight_kg + 0.2017 * c.user_age_years
        self.energy_kj = min(ENERGY_MAX_KJ, self.energy_kj + max(0.0, kj_per_min) * elapsed_s / 60)
        while True:
            beat_bpm = max(MIN_BEAT_BPM, self.curve(self._last_beat_s - self._start_s))
            interval_s = 60.0 / beat_bpm
            if self._last_beat_s + interval_s > now:
                break
            self._last_beat_s += interval_s
            self._pending_rr.append(rr_from_seconds(interval_s))

    def measurement(self) -> HeartRateMeasurement:
        """The next measurement, as the strap would send it now."""
        self._advance()
        c = self.config
        self.stats.measurements += 1
        n = self.stats.measurements
        supported = not c.has(StrapQuirk.CONTACT_NOT_SUPPORTED)
        if not self.worn:
            contact = SensorContact.NO_CONTACT if supported else SensorContact.NOT_SUPPORTED
        else:
            contact = SensorContact.CONTACT if supported else SensorContact.NOT_SUPPORTED
        bpm = round(self.bpm_now()) if self.worn else 0
        if c.has(StrapQuirk.SUDDEN_ZEROS) and n % c.zero_every == 0:
            bpm = 0
        if bpm == 0:
            self.stats.zeros += 1
        energy = c.has(StrapQuirk.ENERGY) and n % c.energy_every == 1
        room = rr_room(energy=energy, rate_uint16=bpm > 0xFF)
        rr = tuple(self._pending_rr.popleft() for _ in range(min(room, len(self._pending_rr))))
        if bpm == 0:
            rr = ()
        return HeartRateMeasurement(
            heart_rate_bpm=bpm,
            contact=contact,
            energy_kj=int(self.energy_kj) if energy else None,
            rr_1024=rr if rr or c.has(StrapQuirk.EMPTY_RR) else None,
        )

    def tick(self) -> None:
        """Notify one measurement to every subscribed client (the run loop's beat)."""
        data = encode_heart_rate_measurement(self.measurement())
        for conn in list(self.connections):
            if conn.open and uuids.HEART_RATE_MEASUREMENT in conn.subscribed:
                self.stats.notifications += 1
                conn.sink.notify(uuids.HEART_RATE_MEASUREMENT, data)

    async def run(self) -> None:
        """Notify at the configured interval until cancelled."""
        while True:
            await self.clock.sleep(self.config.notify_interval_s)
            self.tick()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[SimHeartRateStrap]:
        task = asyncio.create_task(self.run(), name=f"strap-{self.config.name}")
        try:
            yield self
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
