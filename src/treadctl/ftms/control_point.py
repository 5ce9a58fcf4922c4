"""Fitness Machine Control Point (0x2AD9): requests (client to server) and responses.

Each request is a small frozen dataclass whose fields are named after its parameter
layout, so one generic encoder and decoder serve all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import IntEnum
from typing import Any, ClassVar

from treadctl.ftms import parameters as p
from treadctl.ftms.deviations import Deviation
from treadctl.ftms.errors import FtmsDecodeError
from treadctl.ftms.fields import U8, Field, check_int
from treadctl.ftms.machine_status import StopControl


class ControlOp(IntEnum):
    REQUEST_CONTROL = 0x00
    RESET = 0x01
    SET_TARGET_SPEED = 0x02
    SET_TARGET_INCLINATION = 0x03
    SET_TARGET_RESISTANCE = 0x04
    SET_TARGET_POWER = 0x05
    SET_TARGET_HEART_RATE = 0x06
    START_OR_RESUME = 0x07
    STOP_OR_PAUSE = 0x08
    SET_TARGETED_ENERGY = 0x09
    SET_TARGETED_STEPS = 0x0A
    SET_TARGETED_STRIDES = 0x0B
    SET_TARGETED_DISTANCE = 0x0C
    SET_TARGETED_TRAINING_TIME = 0x0D
    SET_TARGETED_TIME_TWO_HR_ZONES = 0x0E
    SET_TARGETED_TIME_THREE_HR_ZONES = 0x0F
    SET_TARGETED_TIME_FIVE_HR_ZONES = 0x10
    SET_INDOOR_BIKE_SIMULATION = 0x11
    SET_WHEEL_CIRCUMFERENCE = 0x12
    SPIN_DOWN_CONTROL = 0x13
    SET_TARGETED_CADENCE = 0x14
    RESPONSE_CODE = 0x80


class ResultCode(IntEnum):
    SUCCESS = 0x01
    OP_CODE_NOT_SUPPORTED = 0x02
    INVALID_PARAMETER = 0x03
    OPERATION_FAILED = 0x04
    CONTROL_NOT_PERMITTED = 0x05


@dataclass(frozen=True, slots=True, kw_only=True)
class ControlRequest:
    """Base of the request types; ``OP`` and ``LAYOUT`` say how it goes on the wire."""

    OP: ClassVar[ControlOp]
    LAYOUT: ClassVar[tuple[Field, ...]] = ()
    deviations: tuple[Deviation, ...] = ()

    def params(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in self.LAYOUT}

    def as_dict(self) -> dict[str, Any]:
        return {
            "request": self.OP.name.lower(),
            "op_code": int(self.OP),
            **self.params(),
            "deviations": [str(d) for d in self.deviations],
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class RequestControl(ControlRequest):
    OP = ControlOp.REQUEST_CONTROL


@dataclass(frozen=True, slots=True, kw_only=True)
class Reset(ControlRequest):
    OP = ControlOp.RESET


@dataclass(frozen=True, slots=True, kw_only=True)
class SetTargetSpeed(ControlRequest):
    OP = ControlOp.SET_TARGET_SPEED
    LAYOUT = p.SPEED
    speed_kmh: float


@dataclass(frozen=True, slots=True, kw_only=True)
class SetTargetInclination(ControlRequest):
    OP = ControlOp.SET_TARGET_INCLINATION
    LAYOUT = p.INCLINE
    incline_pct: float


@dataclass(frozen=True, slots=True, kw_only=True)
class SetTargetResistance(ControlRequest):
    OP = ControlOp.SET_TARGET_RESISTANCE
    LAYOUT = p.RESISTANCE_U8
    resistance_level: float


@dataclass(frozen=True, slots=True, kw_only=True)
class SetTargetPower(ControlRequest):
    OP = ControlOp.SET_TARGET_POWER
    LAYOUT = p.POWER
    power_w: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SetTargetHeartRate(ControlRequest):
    OP = ControlOp.SET_TARGET_HEART_RATE
    LAYOUT = p.HEART_RATE
    heart_rate_bpm: int


@dataclass(frozen=True, slots=True, kw_only=True)
class StartOrResume(ControlRequest):
    OP = ControlOp.START_OR_RESUME


@dataclass(frozen=True, slots=True, kw_only=True)
class StopOrPause(ControlRequest):
    OP = ControlOp.STOP_OR_PAUSE
    LAYOUT = p.CONTROL
    control: int = StopControl.STOP

    @property
    def is_stop(self) -> bool:
        return self.control == StopControl.STOP


@dataclass(frozen=True, slots=True, kw_only=True)
class SetTargetedEnergy(ControlRequest):
    OP = ControlOp.SET_TARGETED_ENERGY
    LAYOUT = p.ENERGY
    energy_kcal: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SetTargetedSteps(ControlRequest):
    OP = ControlOp.SET_TARGETED_STEPS
    LAYOUT = p.STEPS
    steps: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SetTargetedStrides(ControlRequest):
    OP = ControlOp.SET_TARGETED_STRIDES
    LAYOUT = p.STRIDES
    strides: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SetTargetedDistance(ControlRequest):
    OP = ControlOp.SET_TARGETED_DISTANCE
    LAYOUT = p.DISTANCE
    distance_m: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SetTargetedTrainingTime(ControlRequest):
    OP = ControlOp.SET_TARGETED_TRAINING_TIME
    LAYOUT = p.TIME
    time_s: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SetTargetedTimeTwoZones(ControlRequest):
    OP = ControlOp.SET_TARGETED_TIME_TWO_HR_ZONES
    LAYOUT = p.ZONES_2
    zone1_s: int
    zone2_s: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SetTargetedTimeThreeZones(ControlRequest):
    OP = ControlOp.SET_TARGETED_TIME_THREE_HR_ZONES
    LAYOUT = p.ZONES_3
    zone1_s: int
    zone2_s: int
    zone3_s: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SetTargetedTimeFiveZones(ControlRequest):
    OP = ControlOp.SET_TARGETED_TIME_FIVE_HR_ZONES
    LAYOUT = p.ZONES_5
    zone1_s: int
    zone2_s: int
    zone3_s: int
    zone4_s: int
    zone5_s: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SetIndoorBikeSimulation(ControlRequest):
    OP = ControlOp.SET_INDOOR_BIKE_SIMULATION
    LAYOUT = p.BIKE_SIMULATION
    wind_speed_mps: float
    grade_pct: float
    crr: float
    cw_kg_per_m: float


@dataclass(frozen=True, slots=True, kw_only=True)
class SetWheelCircumference(ControlRequest):
    OP = ControlOp.SET_WHEEL_CIRCUMFERENCE
    LAYOUT = p.WHEEL
    wheel_circumference_mm: float


@dataclass(frozen=True, slots=True, kw_only=True)
class SpinDownControl(ControlRequest):
    OP = ControlOp.SPIN_DOWN_CONTROL
    LAYOUT = p.SPIN_DOWN_CONTROL
    control: int


@dataclass(frozen=True, slots=True, kw_only=True)
class SetTargetedCadence(ControlRequest):
    OP = ControlOp.SET_TARGETED_CADENCE
    LAYOUT = p.CADENCE
    cadence_rpm: float


REQUEST_TYPES: dict[int, type[ControlRequest]] = {
    cls.OP: cls
    for cls in (
        RequestControl,
        Reset,
        SetTargetSpeed,
        SetTargetInclination,
        SetTargetResistance,
        SetTargetPower,
        SetTargetHeartRate,
        StartOrResume,
        StopOrPause,
        SetTargetedEnergy,
        SetTargetedSteps,
        SetTargetedStrides,
        SetTargetedDistance,
        SetTargetedTrainingTime,
        SetTargetedTimeTwoZones,
        SetTargetedTimeThreeZones,
        SetTargetedTimeFiveZones,
        SetIndoorBikeSimulation,
        SetWheelCircumference,
        SpinDownControl,
        SetTargetedCadence,
    )
}


@dataclass(frozen=True, slots=True)
class UnknownRequest:
    """A request with an op code outside the table (the server answers "not supported")."""

    op_code: int
    parameter: bytes = b""
    deviations: tuple[Deviation, ...] = (Deviation.UNKNOWN_CODE,)

    def as_dict(self) -> dict[str, Any]:
        return {
            "request": "unknown",
            "op_code": self.op_code,
            "parameter": self.parameter.hex(),
            "deviations": [str(d) for d in self.deviations],
        }


@dataclass(frozen=True, slots=True)
class ControlPointResponse:
    """The server's 0x80 answer to one request."""

    request_op_code: int
    result_code: int
    parameter: bytes = b""
    deviations: tuple[Deviation, ...] = ()

    @property
    def result(self) -> ResultCode | None:
        try:
            return ResultCode(self.result_code)
        except ValueError:
            return None

    @property
    def ok(self) -> bool:
        return self.result_code == ResultCode.SUCCESS

    def as_dict(self) -> dict[str, Any]:
        try:
            op_name = ControlOp(self.request_op_code).name.lower()
        except ValueError:
            op_name = "unknown"
        result = self.result
        out: dict[str, Any] = {
            "response_to": op_name,
            "request_op_code": self.request_op_code,
            "result": result.name.lower() if result else "unknown",
            "result_code": self.result_code,
        }
        if self.parameter:
            out["parameter"] = self.parameter.hex()
        out["deviations"] = [str(d) for d in self.deviations]
        return out


AnyRequest = ControlRequest | UnknownRequest


def encode_request(request: ControlRequest) -> bytes:
    """The bytes to write to the control point (values rounded to the nearest unit)."""
    return bytes((request.OP,)) + p.write_fields(request.LAYOUT, request.params())


def decode_request(data: bytes | bytearray | memoryview) -> AnyRequest:
    """Decode a request as a server receives it.

    Raises:
        FtmsDecodeError: empty, or the parameter is shorter than the op code needs.
    """
    if not data:
        raise FtmsDecodeError("control point write is empty")
    op = data[0]
    cls = REQUEST_TYPES.get(op)
    if cls is None:
        return UnknownRequest(op, bytes(data[1:]))
    values, missing, trailing = p.read_fields(cls.LAYOUT, data, 1)
    if missing:
        raise FtmsDecodeError(f"{cls.OP.name.lower()} is missing {', '.join(missing)}")
    deviations = (Deviation.TRAILING_BYTES,) if trailing else ()
    return cls(**values, deviations=deviations)


def encode_response(response: ControlPointResponse) -> bytes:
    op = check_int("request op code", response.request_op_code, U8)
    result = check_int("result code", response.result_code, U8)
    return bytes((ControlOp.RESPONSE_CODE, op, result)) + response.parameter


def decode_response(data: bytes | bytearray | memoryview) -> ControlPointResponse:
    """Decode a 0x80 response as a client receives it.

    Raises:
        FtmsDecodeError: not a response, or shorter than its three bytes.
    """
    if len(data) < 3 or data[0] != ControlOp.RESPONSE_CODE:
        raise FtmsDecodeError(f"not a control point response: {bytes(data).hex()}")
    deviations: tuple[Deviation, ...] = ()
    if data[2] not in ResultCode._value2member_map_:
        deviations = (Deviation.UNKNOWN_CODE,)
    return ControlPointResponse(data[1], data[2], bytes(data[3:]), deviations)


def decode_control_point(
    data: bytes | bytearray | memoryview,
) -> AnyRequest | ControlPointResponse:
    """Decode either direction: a response if it starts with 0x80, else a request."""
    if data and data[0] == ControlOp.RESPONSE_CODE:
        return decode_response(data)
    return decode_request(data)


def request_fields(cls: type[ControlRequest]) -> list[str]:
    """Names of a request type's parameters (for help texts and tests)."""
    return [f.name for f in fields(cls) if f.name != "deviations"]
