"""FTMS Service Data in advertisements (FTMS §3.1): availability and machine type."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntFlag
from typing import Any

from treadctl.ftms.deviations import Deviation
from treadctl.ftms.errors import FtmsDecodeError
from treadctl.ftms.feature import flag_names
from treadctl.ftms.fields import U16, check_int


class MachineType(IntFlag):
    TREADMILL = 1 << 0
    CROSS_TRAINER = 1 << 1
    STEP_CLIMBER = 1 << 2
    STAIR_CLIMBER = 1 << 3
    ROWER = 1 << 4
    INDOOR_BIKE = 1 << 5


AVAILABLE = 0x01
_KNOWN_TYPES = (1 << 6) - 1


@dataclass(frozen=True, slots=True)
class FtmsServiceData:
    available: bool
    machine_type: MachineType
    deviations: tuple[Deviation, ...] = ()

    @property
    def is_treadmill(self) -> bool:
        return MachineType.TREADMILL in self.machine_type

    def as_dict(self) -> dict[str, Any]:
        return {
            "available": self.available,
            "machine_types": flag_names(self.machine_type),
            "deviations": [str(d) for d in self.deviations],
        }


def decode_service_data(data: bytes | bytearray | memoryview) -> FtmsServiceData:
    """Decode the FTMS service data (flags u8, machine type u16).

    Tolerates a one-byte machine type and a byte-swapped one (seen on Sole, Merach,
    Bodytone and others).

    Raises:
        FtmsDecodeError: empty value.
    """
    if not data:
        raise FtmsDecodeError("FTMS service data is empty")
    deviations: list[Deviation] = []
    flags = data[0]
    if len(data) == 1:
        deviations.append(Deviation.SHORT_VALUE)
        kind = 0
    elif len(data) == 2:
        deviations.append(Deviation.SHORT_VALUE)
        kind = data[1]
    else:
        kind = data[1] | data[2] << 8
        if data[1] == 0 and data[2] & _KNOWN_TYPES:
            deviations.append(Deviation.BYTE_SWAPPED)
            kind = data[2]
        if len(data) > 3:
            deviations.append(Deviation.TRAILING_BYTES)
    if flags & ~AVAILABLE or kind & ~_KNOWN_TYPES:
        deviations.append(Deviation.RFU_BITS)
    return FtmsServiceData(
        bool(flags & AVAILABLE), MachineType(kind & _KNOWN_TYPES), tuple(deviations)
    )


def encode_service_data(value: FtmsServiceData) -> bytes:
    kind = check_int("machine type", int(value.machine_type), U16)
    return bytes((AVAILABLE if value.available else 0,)) + kind.to_bytes(2, "little")
