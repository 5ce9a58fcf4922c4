"""Fitness Machine Status (0x2ADA): what changed on the machine, and who changed it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum
from types import MappingProxyType
from typing import Any

from treadctl.ftms import parameters as p
from treadctl.ftms.deviations import Deviation
from treadctl.ftms.errors import FtmsDecodeError
from treadctl.ftms.fields import U8, Field, check_int


class StatusOp(IntEnum):
    RESET = 0x01
    STOPPED_OR_PAUSED_BY_USER = 0x02
    STOPPED_BY_SAFETY_KEY = 0x03
    STARTED_OR_RESUMED_BY_USER = 0x04
    TARGET_SPEED_CHANGED = 0x05
    TARGET_INCLINE_CHANGED = 0x06
    TARGET_RESISTANCE_CHANGED = 0x07
    TARGET_POWER_CHANGED = 0x08
    TARGET_HEART_RATE_CHANGED = 0x09
    TARGETED_ENERGY_CHANGED = 0x0A
    TARGETED_STEPS_CHANGED = 0x0B
    TARGETED_STRIDES_CHANGED = 0x0C
    TARGETED_DISTANCE_CHANGED = 0x0D
    TARGETED_TRAINING_TIME_CHANGED = 0x0E
    TARGETED_TIME_TWO_HR_ZONES_CHANGED = 0x0F
    TARGETED_TIME_THREE_HR_ZONES_CHANGED = 0x10
    TARGETED_TIME_FIVE_HR_ZONES_CHANGED = 0x11
    INDOOR_BIKE_SIMULATION_CHANGED = 0x12
    WHEEL_CIRCUMFERENCE_CHANGED = 0x13
    SPIN_DOWN_STATUS = 0x14
    TARGETED_CADENCE_CHANGED = 0x15
    CONTROL_PERMISSION_LOST = 0xFF


class StopControl(IntEnum):
    """Control Information of Stop or Pause (request 0x08 and status 0x02)."""

    STOP = 0x01
    PAUSE = 0x02


STATUS_LAYOUTS: dict[int, tuple[Field, ...]] = {
    StatusOp.STOPPED_OR_PAUSED_BY_USER: p.CONTROL,
    StatusOp.TARGET_SPEED_CHANGED: p.SPEED,
    StatusOp.TARGET_INCLINE_CHANGED: p.INCLINE,
    StatusOp.TARGET_RESISTANCE_CHANGED: p.RESISTANCE_S16,
    StatusOp.TARGET_POWER_CHANGED: p.POWER,
    StatusOp.TARGET_HEART_RATE_CHANGED: p.HEART_RATE,
    StatusOp.TARGETED_ENERGY_CHANGED: p.ENERGY,
    StatusOp.TARGETED_STEPS_CHANGED: p.STEPS,
    StatusOp.TARGETED_STRIDES_CHANGED: p.STRIDES,
    StatusOp.TARGETED_DISTANCE_CHANGED: p.DISTANCE,
    StatusOp.TARGETED_TRAINING_TIME_CHANGED: p.TIME,
    StatusOp.TARGETED_TIME_TWO_HR_ZONES_CHANGED: p.ZONES_2,
    StatusOp.TARGETED_TIME_THREE_HR_ZONES_CHANGED: p.ZONES_3,
    StatusOp.TARGETED_TIME_FIVE_HR_ZONES_CHANGED: p.ZONES_5,
    StatusOp.INDOOR_BIKE_SIMULATION_CHANGED: p.BIKE_SIMULATION,
    StatusOp.WHEEL_CIRCUMFERENCE_CHANGED: p.WHEEL,
    StatusOp.SPIN_DOWN_STATUS: p.SPIN_DOWN_STATUS,
    StatusOp.TARGETED_CADENCE_CHANGED: p.CADENCE,
}

_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class MachineStatus:
    code: int
    params: Mapping[str, Any] = field(default_factory=lambda: _EMPTY)
    deviations: tuple[Deviation, ...] = ()

    @property
    def op(self) -> StatusOp | None:
        try:
            return StatusOp(self.code)
        except ValueError:
            return None

    @property
    def speed_kmh(self) -> float | None:
        value = self.params.get("speed_kmh")
        return float(value) if value is not None else None

    @property
    def incline_pct(self) -> float | None:
        value = self.params.get("incline_pct")
        return float(value) if value is not None else None

    @property
    def control(self) -> int | None:
        value = self.params.get("control")
        return int(value) if value is not None else None

    def as_dict(self) -> dict[str, Any]:
        op = self.op
        out: dict[str, Any] = {"op": op.name.lower() if op else "unknown", "op_code": self.code}
        out.update(self.params)
        if op is StatusOp.STOPPED_OR_PAUSED_BY_USER and self.control in (1, 2):
            out["control"] = StopControl(self.control).name.lower()
        out["deviations"] = [str(d) for d in self.deviations]
        return out


def decode_machine_status(data: bytes | bytearray | memoryview) -> MachineStatus:
    """Decode a status notification. Raises FtmsDecodeError only when it is empty."""
    if not data:
        raise FtmsDecodeError("machine status is empty")
    code = data[0]
    deviations: list[Deviation] = []
    layout = STATUS_LAYOUTS.get(code, ())
    if code not in StatusOp._value2member_map_:
        deviations.append(Deviation.UNKNOWN_CODE)
        return MachineStatus(code, _EMPTY, tuple(deviations))
    values, missing, trailing = p.read_fields(layout, data, 1)
    if missing:
        deviations.append(Deviation.TRUNCATED)
    if trailing or (not layout and len(data) > 1):
        deviations.append(Deviation.TRAILING_BYTES)
    return MachineStatus(code, MappingProxyType(values), tuple(deviations))


def encode_machine_status(status: MachineStatus) -> bytes:
    layout = STATUS_LAYOUTS.get(status.code, ())
    code = check_int("status op code", status.code, U8)
    return bytes((code,)) + p.write_fields(layout, dict(status.params))
