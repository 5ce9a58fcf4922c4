"""Fitness Machine Control Point: the byte table in ftms.md, every request type, responses."""

from __future__ import annotations

from typing import Any

import pytest

from treadctl.ftms import (
    REQUEST_TYPES,
    ControlOp,
    ControlPointResponse,
    ControlRequest,
    Deviation,
    FtmsDecodeError,
    FtmsEncodeError,
    RequestControl,
    Reset,
    ResultCode,
    SetTargetedTrainingTime,
    SetTargetInclination,
    SetTargetSpeed,
    StartOrResume,
    StopOrPause,
    UnknownRequest,
    decode_control_point,
    decode_request,
    decode_response,
    encode_request,
    encode_response,
)
from treadctl.ftms.control_point import request_fields

# "Encodings for our use case" in ftms.md: intent, write, expected indication.
USE_CASE_TABLE: list[tuple[ControlRequest, str, str]] = [
    (RequestControl(), "00", "80 00 01"),
    (StartOrResume(), "07", "80 07 01"),
    (SetTargetSpeed(speed_kmh=1.00), "02 64 00", "80 02 01"),
    (SetTargetSpeed(speed_kmh=3.50), "02 5E 01", "80 02 01"),
    (SetTargetInclination(incline_pct=2.0), "03 14 00", "80 03 01"),
    (SetTargetInclination(incline_pct=-1.5), "03 F1 FF", "80 03 01"),
    (StopOrPause(control=1), "08 01", "80 08 01"),
    (StopOrPause(control=2), "08 02", "80 08 01"),
    (Reset(), "01", "80 01 01"),
    (SetTargetedTrainingTime(time_s=20 * 60), "0D B0 04", "80 0D 01"),
]


@pytest.mark.parametrize(("request_", "write", "indication"), USE_CASE_TABLE)
def test_use_case_table(request_: ControlRequest, write: str, indication: str) -> None:
    wire = bytes.fromhex(write)
    assert encode_request(request_) == wire
    assert decode_request(wire) == request_
    assert decode_control_point(wire) == request_

    answer = bytes.fromhex(indication)
    response = decode_response(answer)
    assert response.request_op_code == request_.OP
    assert response.result is ResultCode.SUCCESS
    assert response.ok
    assert response.deviations == ()
    assert encode_response(ControlPointResponse(int(request_.OP), ResultCode.SUCCESS)) == answer
    assert decode_control_point(answer) == response


def test_stop_or_pause_flags() -> None:
    assert StopOrPause().is_stop
    assert encode_request(StopOrPause()) == b"\x08\x01"
    assert not StopOrPause(control=2).is_stop


# Rounding: to the nearest unit, halves away from zero, never truncated.
@pytest.mark.parametrize(
    ("request_", "write"),
    [
        (SetTargetSpeed(speed_kmh=1.15), "02 73 00"),  # 114.999... truncates to 0x72
        (SetTargetSpeed(speed_kmh=0.29), "02 1D 00"),  # 28.999... truncates to 0x1C
        (SetTargetSpeed(speed_kmh=1.005), "02 65 00"),  # half a unit: up
        (SetTargetSpeed(speed_kmh=1.004), "02 64 00"),  # under half: down
        (SetTargetSpeed(speed_kmh=2.3), "02 E6 00"),  # 229.999...
        (SetTargetInclination(incline_pct=1.25), "03 0D 00"),
        (SetTargetInclination(incline_pct=-1.25), "03 F3 FF"),  # -12.5 -> -13, not -12
        (SetTargetInclination(incline_pct=-0.05), "03 FF FF"),  # -0.5 -> -1, not 0
        (SetTargetInclination(incline_pct=-1.15), "03 F4 FF"),  # -11.5 -> -12
        (SetTargetInclination(incline_pct=-1.14), "03 F5 FF"),  # -11.4 -> -11
    ],
)
def test_rounding_never_truncates(request_: ControlRequest, write: str) -> None:
    assert encode_request(request_) == bytes.fromhex(write)


@pytest.mark.parametrize(
    "request_",
    [
        SetTargetSpeed(speed_kmh=-0.01),
        SetTargetSpeed(speed_kmh=655.36),
        SetTargetInclination(incline_pct=3276.8),
        SetTargetInclination(incline_pct=-3276.9),
        StopOrPause(control=256),
        SetTargetedTrainingTime(time_s=65536),
    ],
)
def test_out_of_range_requests_raise_encode_error(request_: ControlRequest) -> None:
    with pytest.raises(FtmsEncodeError):
        encode_request(request_)


# One example per request type, with bytes worked out by hand from the §4.16 table.
REQUEST_EXAMPLES: dict[int, tuple[dict[str, Any], str]] = {
    0x00: ({}, "00"),
    0x01: ({}, "01"),
    0x02: ({"speed_kmh": 6.4}, "02 80 02"),
    0x03: ({"incline_pct": -3.0}, "03 E2 FF"),
    0x04: ({"resistance_level": 2.5}, "04 19"),
    0x05: ({"power_w": -120}, "05 88 FF"),
    0x06: ({"heart_rate_bpm": 130}, "06 82"),
    0x07: ({}, "07"),
    0x08: ({"control": 2}, "08 02"),
    0x09: ({"energy_kcal": 500}, "09 F4 01"),
    0x0A: ({"steps": 10000}, "0A 10 27"),
    0x0B: ({"strides": 4000}, "0B A0 0F"),
    0x0C: ({"distance_m": 123456}, "0C 40 E2 01"),
    0x0D: ({"time_s": 1800}, "0D 08 07"),
    0x0E: ({"zone1_s": 300, "zone2_s": 600}, "0E 2C 01 58 02"),
    0x0F: ({"zone1_s": 1, "zone2_s": 2, "zone3_s": 3}, "0F 01 00 02 00 03 00"),
    0x10: (
        {"zone1_s": 1, "zone2_s": 2, "zone3_s": 3, "zone4_s": 4, "zone5_s": 65535},
        "10 01 00 02 00 03 00 04 00 FF FF",
    ),
    0x11: (
        {"wind_speed_mps": -1.5, "grade_pct": 2.5, "crr": 0.004, "cw_kg_per_m": 0.51},
        "11 24 FA FA 00 28 33",
    ),
    0x12: ({"wheel_circumference_mm": 2093.5}, "12 C7 51"),
    0x13: ({"control": 1}, "13 01"),
    0x14: ({"cadence_rpm": 80.5}, "14 A1 00"),
}


def test_request_examples_cover_every_type() -> None:
    assert set(REQUEST_EXAMPLES) == set(REQUEST_TYPES)
    assert set(REQUEST_TYPES) == {op for op in ControlOp if op != ControlOp.RESPONSE_CODE}


@pytest.mark.parametrize("op", sorted(REQUEST_EXAMPLES))
def test_every_request_type_round_trips(op: int) -> None:
    params, write = REQUEST_EXAMPLES[op]
    cls = REQUEST_TYPES[op]
    assert set(request_fields(cls)) == set(params)
    request = cls(**params)
    wire = bytes.fromhex(write)
    assert encode_request(request) == wire
    decoded = decode_request(wire)
    assert type(decoded) is cls
    assert decoded == request
    assert decoded.deviations == ()
    shown = decoded.as_dict()
    assert shown["request"] == ControlOp(op).name.lower()
    assert shown["op_code"] == op
    assert {k: shown[k] for k in params} == params


@pytest.mark.parametrize("op", sorted(op for op, (params, _) in REQUEST_EXAMPLES.items() if params))
def test_missing_parameter_is_a_decode_error(op: int) -> None:
    _, write = REQUEST_EXAMPLES[op]
    wire = bytes.fromhex(write)
    for cut in range(1, len(wire)):
        with pytest.raises(FtmsDecodeError):
            decode_request(wire[:cut])


def test_trailing_bytes_after_a_request_are_kept_as_a_deviation() -> None:
    decoded = decode_request(bytes.fromhex("02 64 00 FF"))
    assert decoded == SetTargetSpeed(speed_kmh=1.0, deviations=(Deviation.TRAILING_BYTES,))
    start = decode_request(bytes.fromhex("07 00"))
    assert isinstance(start, StartOrResume)
    assert start.deviations == (Deviation.TRAILING_BYTES,)


@pytest.mark.parametrize(
    ("write", "op", "parameter"),
    [("15", 0x15, b""), ("7F 01 02", 0x7F, b"\x01\x02"), ("FF", 0xFF, b"")],
)
def test_unknown_op_code_is_an_unknown_request(write: str, op: int, parameter: bytes) -> None:
    decoded = decode_request(bytes.fromhex(write))
    assert decoded == UnknownRequest(op, parameter)
    assert decoded.deviations == (Deviation.UNKNOWN_CODE,)
    assert decoded.as_dict() == {
        "request": "unknown",
        "op_code": op,
        "parameter": parameter.hex(),
        "deviations": ["unknown_code"],
    }


def test_empty_write_is_a_decode_error() -> None:
    with pytest.raises(FtmsDecodeError):
        decode_request(b"")
    with pytest.raises(FtmsDecodeError):
        decode_control_point(b"")


@pytest.mark.parametrize(
    ("indication", "result", "ok"),
    [
        ("80 02 01", ResultCode.SUCCESS, True),
        ("80 02 02", ResultCode.OP_CODE_NOT_SUPPORTED, False),
        ("80 02 03", ResultCode.INVALID_PARAMETER, False),
        ("80 02 04", ResultCode.OPERATION_FAILED, False),
        ("80 02 05", ResultCode.CONTROL_NOT_PERMITTED, False),
    ],
)
def test_known_result_codes(indication: str, result: ResultCode, ok: bool) -> None:
    response = decode_response(bytes.fromhex(indication))
    assert response.result is result
    assert response.ok is ok
    assert response.deviations == ()
    assert response.as_dict()["result"] == result.name.lower()


@pytest.mark.parametrize("code", [0x00, 0x06, 0x7F, 0xFF])
def test_unknown_result_code_is_kept(code: int) -> None:
    response = decode_response(bytes((0x80, 0x02, code)))
    assert response.result_code == code
    assert response.result is None
    assert not response.ok
    assert response.deviations == (Deviation.UNKNOWN_CODE,)
    assert response.as_dict() == {
        "response_to": "set_target_speed",
        "request_op_code": 2,
        "result": "unknown",
        "result_code": code,
        "deviations": ["unknown_code"],
    }


def test_response_parameter_and_unknown_request_op() -> None:
    # Spin Down Control success carries Target Speed Low / High.
    response = decode_response(bytes.fromhex("80 13 01 F4 01 E8 03"))
    assert response.request_op_code == ControlOp.SPIN_DOWN_CONTROL
    assert response.parameter == bytes.fromhex("F4 01 E8 03")
    assert response.as_dict()["parameter"] == "f401e803"
    assert encode_response(response) == bytes.fromhex("80 13 01 F4 01 E8 03")
    odd = decode_response(bytes.fromhex("80 42 02"))
    assert odd.as_dict()["response_to"] == "unknown"
    assert odd.result is ResultCode.OP_CODE_NOT_SUPPORTED


@pytest.mark.parametrize("indication", ["", "80", "80 02", "81 02 01", "02 80 01"])
def test_malformed_response_is_a_decode_error(indication: str) -> None:
    with pytest.raises(FtmsDecodeError):
        decode_response(bytes.fromhex(indication))


def test_decode_control_point_picks_the_direction() -> None:
    assert isinstance(decode_control_point(bytes.fromhex("80 07 04")), ControlPointResponse)
    assert decode_control_point(bytes.fromhex("02 5E 01")) == SetTargetSpeed(speed_kmh=3.5)
    with pytest.raises(FtmsDecodeError):
        decode_control_point(b"\x80\x07")
