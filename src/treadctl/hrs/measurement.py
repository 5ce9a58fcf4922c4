"""Heart Rate Measurement (0x2A37): the rate, sensor contact, energy and RR intervals.

Layout (HRS 1.0 §3.1, little-endian): a flags byte, then the rate (uint8, or uint16 when
flag bit 0 is set), then Energy Expended (uint16 kJ, when bit 3 is set), then RR
intervals (uint16 each in 1/1024 s, oldest first, when bit 4 is set) to the end of the
value. Bits 1 and 2 are the sensor contact status: bit 2 says the strap can tell, bit 1
that it feels skin. So the RR intervals start two bytes later when energy is present.

Real straps bend this: optical sensors never support contact, some send a rate of 0
or set the RR flag with no interval after it, and some pad the value. The decoder takes
all of it and lists what it met in ``deviations``; it raises only
:class:`HeartRateDecodeError`, when not even the rate is there.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from treadctl.hrs.deviations import HrsDeviation
from treadctl.hrs.errors import HeartRateDecodeError, HeartRateEncodeError

FLAG_RATE_UINT16 = 0x01
FLAG_CONTACT_DETECTED = 0x02
FLAG_CONTACT_SUPPORTED = 0x04
FLAG_ENERGY = 0x08
FLAG_RR_INTERVALS = 0x10
RFU_FLAGS = 0xE0

#: RR intervals count in 1/1024 s.
RR_UNITS_PER_S = 1024
#: Energy Expended stays at this value once reached (HRS §3.1.1.3).
ENERGY_MAX_KJ = 0xFFFF
UINT8_MAX = 0xFF
UINT16_MAX = 0xFFFF
#: Payload of one notification at the default ATT MTU (23).
DEFAULT_PACKET_LEN = 20


class SensorContact(StrEnum):
    NOT_SUPPORTED = "not_supported"
    """The sensor cannot tell (optical sensors, some older straps)."""
    NO_CONTACT = "no_contact"
    """It can tell, and it feels no skin: the rate it sends means nothing."""
    CONTACT = "contact"


@dataclass(frozen=True, slots=True)
class HeartRateMeasurement:
    """One Heart Rate Measurement notification.

    ``rr_1024`` is None when the RR-interval field is absent, and ``()`` when its flag
    is set with no interval after it. ``rate_uint16`` is the wire format of the rate.
    ``missing`` names fields the flags promise that the bytes did not hold.
    """

    heart_rate_bpm: int
    contact: SensorContact = SensorContact.NOT_SUPPORTED
    energy_kj: int | None = None
    rr_1024: tuple[int, ...] | None = None
    rate_uint16: bool = False
    missing: tuple[str, ...] = ()
    deviations: tuple[HrsDeviation, ...] = ()

    @property
    def rr_s(self) -> tuple[float, ...]:
        """The RR intervals in seconds, oldest first."""
        return tuple(r / RR_UNITS_PER_S for r in self.rr_1024 or ())

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "heart_rate_bpm": self.heart_rate_bpm,
            "rate_format": "uint16" if self.rate_uint16 else "uint8",
            "contact": str(self.contact),
        }
        if self.energy_kj is not None:
            out["energy_kj"] = self.energy_kj
        if self.rr_1024 is not None:
            out["rr_1024"] = list(self.rr_1024)
            out["rr_s"] = [round(s, 4) for s in self.rr_s]
        if self.missing:
            out["missing"] = list(self.missing)
        out["deviations"] = [str(d) for d in self.deviations]
        return out


def _contact_of(flags: int) -> SensorContact:
    if not flags & FLAG_CONTACT_SUPPORTED:
        return SensorContact.NOT_SUPPORTED
    return SensorContact.CONTACT if flags & FLAG_CONTACT_DETECTED else SensorContact.NO_CONTACT


def _u16(data: bytes | bytearray | memoryview, offset: int) -> int:
    return data[offset] | data[offset + 1] << 8


def decode_heart_rate_measurement(data: bytes | bytearray | memoryview) -> HeartRateMeasurement:
    """Decode one Heart Rate Measurement value.

    Raises:
        HeartRateDecodeError: the value is too short to hold its heart rate.
    """
    size = len(data)
    if size < 2:
        unit = "byte" if size == 1 else "bytes"
        raise HeartRateDecodeError(f"{size} {unit} is too short to hold a heart rate")
    flags = data[0]
    deviations: list[HrsDeviation] = []
    missing: list[str] = []
    if flags & RFU_FLAGS:
        deviations.append(HrsDeviation.RFU_BITS)
    wide = bool(flags & FLAG_RATE_UINT16)
    if wide:
        if size < 3:
            raise HeartRateDecodeError("16-bit heart rate cut short: 1 byte of 2")
        bpm, offset = _u16(data, 1), 3
    else:
        bpm, offset = data[1], 2
    energy: int | None = None
    if flags & FLAG_ENERGY:
        if size - offset >= 2:
            energy = _u16(data, offset)
            offset += 2
        else:
            missing.append("energy_kj")
            offset = size
    rr: tuple[int, ...] | None = None
    if flags & FLAG_RR_INTERVALS:
        count, odd = divmod(size - offset, 2)
        rr = tuple(_u16(data, offset + 2 * i) for i in range(count))
        if missing or odd:
            missing.append("rr_intervals")
        elif not count:
            deviations.append(HrsDeviation.EMPTY_RR_INTERVALS)
    elif offset < size:
        deviations.append(HrsDeviation.TRAILING_BYTES)
    if missing:
        deviations.append(HrsDeviation.TRUNCATED)
    return HeartRateMeasurement(
        heart_rate_bpm=bpm,
        contact=_contact_of(flags),
        energy_kj=energy,
        rr_1024=rr,
        rate_uint16=wide,
        missing=tuple(missing),
        deviations=tuple(deviations),
    )


def _flags(m: HeartRateMeasurement, wide: bool) -> int:
    flags = FLAG_RATE_UINT16 if wide else 0
    if m.contact is SensorContact.CONTACT:
        flags |= FLAG_CONTACT_SUPPORTED | FLAG_CONTACT_DETECTED
    elif m.contact is SensorContact.NO_CONTACT:
        flags |= FLAG_CONTACT_SUPPORTED
    if m.energy_kj is not None:
        flags |= FLAG_ENERGY
    if m.rr_1024 is not None:
        flags |= FLAG_RR_INTERVALS
    return flags


def _check(name: str, value: int, maximum: int) -> int:
    if not 0 <= value <= maximum:
        raise HeartRateEncodeError(f"{name}={value} does not fit 0..{maximum}")
    return value


def encode_heart_rate_measurement(m: HeartRateMeasurement) -> bytes:
    """The bytes of ``m``: the rate as uint16 if ``rate_uint16`` or above 255, else uint8.

    Raises:
        HeartRateEncodeError: a value outside its field's range.
    """
    wide = m.rate_uint16 or m.heart_rate_bpm > UINT8_MAX
    out = bytearray((_flags(m, wide),))
    bpm = _check("heart_rate_bpm", m.heart_rate_bpm, UINT16_MAX)
    out += bpm.to_bytes(2 if wide else 1, "little")
    if m.energy_kj is not None:
        out += _check("energy_kj", m.energy_kj, ENERGY_MAX_KJ).to_bytes(2, "little")
    for rr in m.rr_1024 or ():
        out += _check("rr_1024", rr, UINT16_MAX).to_bytes(2, "little")
    return bytes(out)


def rr_room(
    *, energy: bool, rate_uint16: bool = False, packet_len: int = DEFAULT_PACKET_LEN
) -> int:
    """How many RR intervals fit in one notification of ``packet_len`` bytes."""
    used = 1 + (2 if rate_uint16 else 1) + (2 if energy else 0)
    return max(0, (packet_len - used) // 2)


def rr_from_seconds(seconds: float) -> int:
    """An RR interval in seconds as the wire's 1/1024 s units (nearest, within uint16)."""
    return min(UINT16_MAX, max(0, round(seconds * RR_UNITS_PER_S)))
