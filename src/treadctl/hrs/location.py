"""Body Sensor Location (0x2A38): where the sensor sits, read once after connecting."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from treadctl.hrs.deviations import HrsDeviation
from treadctl.hrs.errors import HeartRateDecodeError, HeartRateEncodeError


class BodySensorLocation(IntEnum):
    OTHER = 0
    CHEST = 1
    WRIST = 2
    FINGER = 3
    HAND = 4
    EAR_LOBE = 5
    FOOT = 6


@dataclass(frozen=True, slots=True)
class SensorLocationValue:
    code: int
    deviations: tuple[HrsDeviation, ...] = ()

    @property
    def location(self) -> BodySensorLocation | None:
        """The known location, or None for a code in the reserved range."""
        try:
            return BodySensorLocation(self.code)
        except ValueError:
            return None

    @property
    def name(self) -> str:
        location = self.location
        return location.name.lower().replace("_", " ") if location is not None else "unknown"

    def as_dict(self) -> dict[str, Any]:
        location = self.location
        return {
            "location": location.name.lower() if location is not None else "unknown",
            "location_code": self.code,
            "deviations": [str(d) for d in self.deviations],
        }


def decode_body_sensor_location(data: bytes | bytearray | memoryview) -> SensorLocationValue:
    """Decode Body Sensor Location.

    Raises:
        HeartRateDecodeError: empty value.
    """
    if not data:
        raise HeartRateDecodeError("body sensor location is empty")
    deviations: list[HrsDeviation] = []
    code = data[0]
    if code not in BodySensorLocation._value2member_map_:
        deviations.append(HrsDeviation.UNKNOWN_CODE)
    if len(data) > 1:
        deviations.append(HrsDeviation.TRAILING_BYTES)
    return SensorLocationValue(code, tuple(deviations))


def encode_body_sensor_location(value: SensorLocationValue) -> bytes:
    if not 0 <= value.code <= 0xFF:
        raise HeartRateEncodeError(f"body sensor location {value.code} does not fit a byte")
    return bytes((value.code,))
