"""Fitness Machine Status: every op code's parameter, and what real machines add."""

from __future__ import annotations

from typing import Any

import pytest

from treadctl.ftms import (
    Deviation,
    FtmsDecodeError,
    FtmsEncodeError,
    MachineStatus,
    StatusOp,
    StopControl,
    decode_machine_status,
    encode_machine_status,
)

# Bytes worked out by hand from FTMS §4.17 (ftms.md 1.8).
STATUS_EXAMPLES: dict[StatusOp, tuple[str, dict[str, Any]]] = {
    StatusOp.RESET: ("01", {}),
    StatusOp.STOPPED_OR_PAUSED_BY_USER: ("02 02", {"control": 2}),
    StatusOp.STOPPED_BY_SAFETY_KEY: ("03", {}),
    StatusOp.STARTED_OR_RESUMED_BY_USER: ("04", {}),
    StatusOp.TARGET_SPEED_CHANGED: ("05 5E 01", {"speed_kmh": 3.5}),
    StatusOp.TARGET_INCLINE_CHANGED: ("06 F1 FF", {"incline_pct": -1.5}),
    StatusOp.TARGET_RESISTANCE_CHANGED: ("07 F6 FF", {"resistance_level": -1.0}),
    StatusOp.TARGET_POWER_CHANGED: ("08 C8 00", {"power_w": 200}),
    StatusOp.TARGET_HEART_RATE_CHANGED: ("09 8C", {"heart_rate_bpm": 140}),
    StatusOp.TARGETED_ENERGY_CHANGED: ("0A 2C 01", {"energy_kcal": 300}),
    StatusOp.TARGETED_STEPS_CHANGED: ("0B 10 27", {"steps": 10000}),
    StatusOp.TARGETED_STRIDES_CHANGED: ("0C E8 03", {"strides": 1000}),
    StatusOp.TARGETED_DISTANCE_CHANGED: ("0D 40 E2 01", {"distance_m": 123456}),
    StatusOp.TARGETED_TRAINING_TIME_CHANGED: ("0E B0 04", {"time_s": 1200}),
    StatusOp.TARGETED_TIME_TWO_HR_ZONES_CHANGED: (
        "0F 2C 01 58 02",
        {"zone1_s": 300, "zone2_s": 600},
    ),
    StatusOp.TARGETED_TIME_THREE_HR_ZONES_CHANGED: (
        "10 01 00 02 00 03 00",
        {"zone1_s": 1, "zone2_s": 2, "zone3_s": 3},
    ),
    StatusOp.TARGETED_TIME_FIVE_HR_ZONES_CHANGED: (
        "11 01 00 02 00 03 00 04 00 05 00",
        {"zone1_s": 1, "zone2_s": 2, "zone3_s": 3, "zone4_s": 4, "zone5_s": 5},
    ),
    StatusOp.INDOOR_BIKE_SIMULATION_CHANGED: (
        "12 E8 03 06 FF 28 33",
        {"wind_speed_mps": 1.0, "grade_pct": -2.5, "crr": 0.004, "cw_kg_per_m": 0.51},
    ),
    StatusOp.WHEEL_CIRCUMFERENCE_CHANGED: ("13 C2 51", {"wheel_circumference_mm": 2093.0}),
    StatusOp.SPIN_DOWN_STATUS: ("14 02", {"spin_down_status": 2}),
    StatusOp.TARGETED_CADENCE_CHANGED: ("15 A1 00", {"cadence_rpm": 80.5}),
    StatusOp.CONTROL_PERMISSION_LOST: ("FF", {}),
}


def test_examples_cover_every_op_code() -> None:
    assert set(STATUS_EXAMPLES) == set(StatusOp)


@pytest.mark.parametrize("op", list(StatusOp))
def test_every_op_code_decodes_its_parameter(op: StatusOp) -> None:
    packet, params = STATUS_EXAMPLES[op]
    wire = bytes.fromhex(packet)
    status = decode_machine_status(wire)
    assert status.op is op
    assert status.code == op
    assert dict(status.params) == params
    assert status.deviations == ()
    shown = status.as_dict()
    assert shown["op"] == op.name.lower()
    assert shown["op_code"] == int(op)
    assert shown["deviations"] == []
    assert encode_machine_status(status) == wire
    assert encode_machine_status(MachineStatus(int(op), params)) == wire


def test_convenience_properties() -> None:
    assert decode_machine_status(bytes.fromhex("05 5E 01")).speed_kmh == 3.5
    assert decode_machine_status(bytes.fromhex("06 F1 FF")).incline_pct == -1.5
    reset = decode_machine_status(b"\x01")
    assert reset.speed_kmh is None
    assert reset.incline_pct is None
    assert reset.control is None


@pytest.mark.parametrize(("byte", "control"), [(0x01, StopControl.STOP), (0x02, StopControl.PAUSE)])
def test_stopped_or_paused_by_user_names_the_control(byte: int, control: StopControl) -> None:
    status = decode_machine_status(bytes((0x02, byte)))
    assert status.control == control
    assert status.as_dict()["control"] == control.name.lower()


def test_stopped_or_paused_with_a_reserved_control_value_keeps_the_number() -> None:
    status = decode_machine_status(bytes.fromhex("02 07"))
    assert status.control == 7
    assert status.as_dict()["control"] == 7


@pytest.mark.parametrize("code", [0x00, 0x16, 0x80, 0xFE])
def test_unknown_op_codes_are_kept(code: int) -> None:
    status = decode_machine_status(bytes((code, 0x12, 0x34)))
    assert status.code == code
    assert status.op is None
    assert dict(status.params) == {}
    assert status.deviations == (Deviation.UNKNOWN_CODE,)
    assert status.as_dict() == {"op": "unknown", "op_code": code, "deviations": ["unknown_code"]}


@pytest.mark.parametrize(
    ("packet", "params"),
    [("FF 00", {}), ("01 00 00", {}), ("05 5E 01 00", {"speed_kmh": 3.5})],
)
def test_trailing_bytes(packet: str, params: dict[str, Any]) -> None:
    status = decode_machine_status(bytes.fromhex(packet))
    assert status.op is not None
    assert dict(status.params) == params
    assert status.deviations == (Deviation.TRAILING_BYTES,)


@pytest.mark.parametrize(
    ("packet", "params"),
    [
        ("05", {}),
        ("05 5E", {}),
        ("0D 40 E2", {}),
        ("0F 2C 01 58", {"zone1_s": 300}),
        # Wind speed read; grade cut short, so crr and cw are missing too and the
        # lone byte is not read as crr.
        ("12 E8 03 06", {"wind_speed_mps": 1.0}),
    ],
)
def test_truncated_parameter(packet: str, params: dict[str, Any]) -> None:
    status = decode_machine_status(bytes.fromhex(packet))
    assert status.op is not None
    assert dict(status.params) == params
    assert status.deviations == (Deviation.TRUNCATED,)


def test_empty_is_a_decode_error() -> None:
    with pytest.raises(FtmsDecodeError):
        decode_machine_status(b"")


def test_encode_needs_every_parameter() -> None:
    with pytest.raises(FtmsEncodeError):
        encode_machine_status(MachineStatus(StatusOp.TARGET_SPEED_CHANGED))
    with pytest.raises(FtmsEncodeError):
        encode_machine_status(MachineStatus(StatusOp.TARGET_SPEED_CHANGED, {"speed_kmh": -1.0}))
