"""Supported Speed Range (0x2AD4) and Supported Inclination Range (0x2AD5).

Besides the codec, the range knows how to bring a wanted value onto the machine's grid:
clamp to [minimum, maximum], then round (never truncate) to the nearest step from the
minimum. Hazard H4 in the safety model rests on this.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from treadctl.ftms.deviations import Deviation
from treadctl.ftms.errors import FtmsDecodeError
from treadctl.ftms.fields import S16, U16, Field, round_half_away

SPEED_FIELDS = (
    Field("minimum", U16, 100),
    Field("maximum", U16, 100),
    Field("increment", U16, 100),
)
INCLINE_FIELDS = (
    Field("minimum", S16, 10),
    Field("maximum", S16, 10),
    Field("increment", U16, 10),
)


@dataclass(frozen=True, slots=True)
class Snapped:
    """A value brought onto a range's grid, and whether it had to be clamped."""

    value: float
    wanted: float
    clamped: bool

    @property
    def changed(self) -> bool:
        return abs(self.value - self.wanted) > 1e-9


@dataclass(frozen=True, slots=True)
class SupportedRange:
    """A supported range in the characteristic's unit (km/h for speed, % for incline)."""

    minimum: float
    maximum: float
    increment: float
    deviations: tuple[Deviation, ...] = ()

    def snap(self, wanted: float) -> Snapped:
        """Clamp ``wanted`` to the range and round it to the nearest increment."""
        clamped = min(max(wanted, self.minimum), self.maximum)
        steps = round_half_away((clamped - self.minimum) / self.increment)
        value = self.minimum + steps * self.increment
        if value > self.maximum + 1e-9:
            value -= self.increment
        value = round(value, 2)
        return Snapped(value=value, wanted=wanted, clamped=clamped != wanted)

    def contains(self, value: float) -> bool:
        return self.minimum - 1e-9 <= value <= self.maximum + 1e-9

    def as_dict(self, unit: str) -> dict[str, Any]:
        return {
            f"minimum_{unit}": self.minimum,
            f"maximum_{unit}": self.maximum,
            f"increment_{unit}": self.increment,
            "deviations": [str(d) for d in self.deviations],
        }


def _decode_range(
    data: bytes | bytearray | memoryview, fields: tuple[Field, ...], what: str
) -> SupportedRange:
    if len(data) < 4:
        raise FtmsDecodeError(f"{what} range needs at least 4 bytes, got {len(data)}")
    deviations: list[Deviation] = []
    lo = float(fields[0].read(data, 0) or 0)
    hi = float(fields[1].read(data, 2) or 0)
    unit = 1 / fields[2].divisor
    if len(data) < 6:
        deviations.append(Deviation.TRUNCATED)
        step = 0.0
    else:
        step = float(fields[2].read(data, 4) or 0)
        if len(data) > 6:
            deviations.append(Deviation.TRAILING_BYTES)
    if step <= 0:
        deviations.append(Deviation.ZERO_INCREMENT)
        step = unit
    if lo > hi:
        deviations.append(Deviation.RANGE_REVERSED)
        lo, hi = hi, lo
    return SupportedRange(lo, hi, step, tuple(deviations))


def decode_speed_range(data: bytes | bytearray | memoryview) -> SupportedRange:
    """Decode Supported Speed Range (km/h). Raises FtmsDecodeError under 4 bytes."""
    return _decode_range(data, SPEED_FIELDS, "speed")


def decode_incline_range(data: bytes | bytearray | memoryview) -> SupportedRange:
    """Decode Supported Inclination Range (%). Raises FtmsDecodeError under 4 bytes."""
    return _decode_range(data, INCLINE_FIELDS, "inclination")


def _encode_range(r: SupportedRange, fields: tuple[Field, ...]) -> bytes:
    return b"".join(
        f.write(v) for f, v in zip(fields, (r.minimum, r.maximum, r.increment), strict=True)
    )


def encode_speed_range(r: SupportedRange) -> bytes:
    return _encode_range(r, SPEED_FIELDS)


def encode_incline_range(r: SupportedRange) -> bytes:
    return _encode_range(r, INCLINE_FIELDS)
