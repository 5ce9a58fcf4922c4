"""Fitness Machine Feature (0x2ACC): what the machine says it can report and be set to.

Treat these bits as hints: some machines advertise targets they lack, or accept ones they
do not advertise (ftms.md, "How real machines deviate").
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntFlag
from typing import Any

from treadctl.ftms.deviations import Deviation
from treadctl.ftms.errors import FtmsDecodeError
from treadctl.ftms.fields import U32, check_int


class MachineFeature(IntFlag):
    AVERAGE_SPEED = 1 << 0
    CADENCE = 1 << 1
    TOTAL_DISTANCE = 1 << 2
    INCLINATION = 1 << 3
    ELEVATION_GAIN = 1 << 4
    PACE = 1 << 5
    STEP_COUNT = 1 << 6
    RESISTANCE_LEVEL = 1 << 7
    STRIDE_COUNT = 1 << 8
    EXPENDED_ENERGY = 1 << 9
    HEART_RATE = 1 << 10
    METABOLIC_EQUIVALENT = 1 << 11
    ELAPSED_TIME = 1 << 12
    REMAINING_TIME = 1 << 13
    POWER_MEASUREMENT = 1 << 14
    FORCE_ON_BELT_AND_POWER = 1 << 15
    USER_DATA_RETENTION = 1 << 16


class TargetFeature(IntFlag):
    SPEED = 1 << 0
    INCLINATION = 1 << 1
    RESISTANCE = 1 << 2
    POWER = 1 << 3
    HEART_RATE = 1 << 4
    TARGETED_ENERGY = 1 << 5
    TARGETED_STEPS = 1 << 6
    TARGETED_STRIDES = 1 << 7
    TARGETED_DISTANCE = 1 << 8
    TARGETED_TRAINING_TIME = 1 << 9
    TARGETED_TIME_TWO_HR_ZONES = 1 << 10
    TARGETED_TIME_THREE_HR_ZONES = 1 << 11
    TARGETED_TIME_FIVE_HR_ZONES = 1 << 12
    INDOOR_BIKE_SIMULATION = 1 << 13
    WHEEL_CIRCUMFERENCE = 1 << 14
    SPIN_DOWN = 1 << 15
    TARGETED_CADENCE = 1 << 16


_KNOWN_BITS = (1 << 17) - 1
NO_MACHINE_FEATURES = MachineFeature(0)
NO_TARGET_FEATURES = TargetFeature(0)


def flag_names(value: IntFlag) -> list[str]:
    """Lower-case names of the set members, in bit order."""
    return [m.name.lower() for m in type(value) if m in value and m.name]


@dataclass(frozen=True, slots=True)
class Features:
    machine: MachineFeature = NO_MACHINE_FEATURES
    target: TargetFeature = NO_TARGET_FEATURES
    deviations: tuple[Deviation, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "machine_features": flag_names(self.machine),
            "target_settings": flag_names(self.target),
            "deviations": [str(d) for d in self.deviations],
        }


def decode_features(data: bytes | bytearray | memoryview) -> Features:
    """Decode the 8-byte feature value; a shorter one is zero-filled and marked.

    Raises:
        FtmsDecodeError: empty value.
    """
    if not data:
        raise FtmsDecodeError("feature value is empty")
    deviations: list[Deviation] = []
    raw = bytes(data)
    if len(raw) < 8:
        deviations.append(Deviation.TRUNCATED)
        raw = raw.ljust(8, b"\0")
    elif len(raw) > 8:
        deviations.append(Deviation.TRAILING_BYTES)
    machine = int.from_bytes(raw[0:4], "little")
    target = int.from_bytes(raw[4:8], "little")
    if (machine | target) & ~_KNOWN_BITS:
        deviations.append(Deviation.RFU_BITS)
    return Features(
        MachineFeature(machine & _KNOWN_BITS),
        TargetFeature(target & _KNOWN_BITS),
        tuple(deviations),
    )


def encode_features(features: Features) -> bytes:
    machine = check_int("machine features", int(features.machine), U32)
    target = check_int("target setting features", int(features.target), U32)
    return machine.to_bytes(4, "little") + target.to_bytes(4, "little")
