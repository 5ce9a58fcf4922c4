"""Field layouts declared as data, and the one place that reads and writes them.

Every characteristic module lists its fields as :class:`Field` values (name, integer kind,
resolution, "not available" marker) next to its model; the loops here do the byte work.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum

from treadctl.ftms.errors import FtmsEncodeError


class IntKind(Enum):
    """Little-endian integer wire types: (size in bytes, signed)."""

    U8 = (1, False)
    U16 = (2, False)
    S16 = (2, True)
    U24 = (3, False)
    U32 = (4, False)

    @property
    def size(self) -> int:
        return self.value[0]

    @property
    def signed(self) -> bool:
        return self.value[1]

    @property
    def raw_min(self) -> int:
        return -(1 << (8 * self.size - 1)) if self.signed else 0

    @property
    def raw_max(self) -> int:
        bits = 8 * self.size
        return (1 << (bits - 1)) - 1 if self.signed else (1 << bits) - 1


U8, U16, S16, U24, U32 = IntKind.U8, IntKind.U16, IntKind.S16, IntKind.U24, IntKind.U32


@dataclass(frozen=True, slots=True)
class Field:
    """One wire field: ``value = raw / divisor``; ``not_available`` raw decodes to None."""

    name: str
    kind: IntKind
    divisor: int = 1
    not_available: int | None = None
    # The kind's numbers, copied once: Enum member attribute lookups are slow, and the
    # simulator encodes thousands of fields a second in a fast replay.
    size: int = field(init=False, repr=False, compare=False)
    signed: bool = field(init=False, repr=False, compare=False)
    raw_min: int = field(init=False, repr=False, compare=False)
    raw_max: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "size", self.kind.size)
        object.__setattr__(self, "signed", self.kind.signed)
        object.__setattr__(self, "raw_min", self.kind.raw_min)
        object.__setattr__(self, "raw_max", self.kind.raw_max)

    def read_raw(self, data: bytes | bytearray | memoryview, offset: int) -> int:
        return int.from_bytes(data[offset : offset + self.size], "little", signed=self.signed)

    def scale(self, raw: int) -> float | int | None:
        if raw == self.not_available:
            return None
        return raw / self.divisor if self.divisor != 1 else raw

    def read(self, data: bytes | bytearray | memoryview, offset: int) -> float | int | None:
        return self.scale(self.read_raw(data, offset))

    def to_raw(self, value: float | None) -> int:
        """The raw integer for ``value``, rounded to the nearest unit (half away from zero)."""
        if value is None:
            if self.not_available is None:
                raise FtmsEncodeError(f"{self.name} has no 'not available' value")
            return self.not_available
        raw = round_half_away(value * self.divisor)
        if not self.raw_min <= raw <= self.raw_max or raw == self.not_available:
            raise FtmsEncodeError(f"{self.name}={value} does not fit {self.kind.name}")
        return raw

    def write(self, value: float | None) -> bytes:
        return self.to_raw(value).to_bytes(self.size, "little", signed=self.signed)


def check_int(name: str, value: int, kind: IntKind) -> int:
    """``value`` if it fits ``kind``; FtmsEncodeError (not ValueError/OverflowError) if not."""
    if not kind.raw_min <= value <= kind.raw_max:
        raise FtmsEncodeError(f"{name}={value} does not fit {kind.name}")
    return value


def round_half_away(x: float) -> int:
    """Round to the nearest integer, halves away from zero; float noise below 1e-6 ignored.

    ``1.15 * 100`` is ``114.99999999999999`` in binary floating point: truncation (what
    some libraries do) sends 1.14 km/h. Rounding at 1e-6 first gives the intended 115.
    """
    x = round(x, 6)
    return math.floor(abs(x) + 0.5) * (1 if x >= 0 else -1)


def layout_size(fields: tuple[Field, ...]) -> int:
    return sum(f.size for f in fields)
