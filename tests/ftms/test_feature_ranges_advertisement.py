"""Fitness Machine Feature, the supported ranges (with snap), and advertisement service data."""

from __future__ import annotations

import pytest

from treadctl.ftms import (
    Deviation,
    Features,
    FtmsDecodeError,
    FtmsServiceData,
    MachineFeature,
    MachineType,
    SupportedRange,
    TargetFeature,
    decode_features,
    decode_incline_range,
    decode_service_data,
    decode_speed_range,
    encode_features,
    encode_incline_range,
    encode_service_data,
    encode_speed_range,
)

# --- Fitness Machine Feature -------------------------------------------------------------

# A typical treadmill: distance, inclination, heart rate, elapsed time; speed and incline targets.
TREADMILL_FEATURES = "0C 14 00 00 03 00 00 00"


def test_features_decode() -> None:
    features = decode_features(bytes.fromhex(TREADMILL_FEATURES))
    assert features.machine == (
        MachineFeature.TOTAL_DISTANCE
        | MachineFeature.INCLINATION
        | MachineFeature.HEART_RATE
        | MachineFeature.ELAPSED_TIME
    )
    assert features.target == TargetFeature.SPEED | TargetFeature.INCLINATION
    assert features.deviations == ()
    assert features.as_dict() == {
        "machine_features": ["total_distance", "inclination", "heart_rate", "elapsed_time"],
        "target_settings": ["speed", "inclination"],
        "deviations": [],
    }
    assert encode_features(features) == bytes.fromhex(TREADMILL_FEATURES)


@pytest.mark.parametrize("bit", range(17))
def test_every_feature_bit(bit: int) -> None:
    machine = decode_features((1 << bit).to_bytes(4, "little") + bytes(4))
    assert int(machine.machine) == 1 << bit
    assert machine.target == TargetFeature(0)
    target = decode_features(bytes(4) + (1 << bit).to_bytes(4, "little"))
    assert int(target.target) == 1 << bit
    assert len(target.as_dict()["target_settings"]) == 1


def test_feature_bit_names_match_the_spec() -> None:
    assert MachineFeature(1 << 15) is MachineFeature.FORCE_ON_BELT_AND_POWER
    assert MachineFeature(1 << 16) is MachineFeature.USER_DATA_RETENTION
    assert TargetFeature(1 << 9) is TargetFeature.TARGETED_TRAINING_TIME
    assert TargetFeature(1 << 16) is TargetFeature.TARGETED_CADENCE


def test_feature_rfu_bits_are_ignored() -> None:
    features = decode_features(bytes.fromhex("0C 00 02 80 03 00 FE FF"))
    assert features.machine == MachineFeature.TOTAL_DISTANCE | MachineFeature.INCLINATION
    assert features.target == TargetFeature.SPEED | TargetFeature.INCLINATION
    assert features.deviations == (Deviation.RFU_BITS,)


def test_feature_short_and_long_values() -> None:
    short = decode_features(bytes.fromhex("0C 14"))
    assert MachineFeature.HEART_RATE in short.machine
    assert short.target == TargetFeature(0)
    assert short.deviations == (Deviation.TRUNCATED,)
    long = decode_features(bytes.fromhex(TREADMILL_FEATURES + " 00"))
    assert long.target == TargetFeature.SPEED | TargetFeature.INCLINATION
    assert long.deviations == (Deviation.TRAILING_BYTES,)
    with pytest.raises(FtmsDecodeError):
        decode_features(b"")


# --- Supported ranges --------------------------------------------------------------------


def test_speed_range() -> None:
    speed = decode_speed_range(bytes.fromhex("64 00 60 09 0A 00"))
    assert speed == SupportedRange(1.0, 24.0, 0.1)
    assert speed.as_dict("kmh") == {
        "minimum_kmh": 1.0,
        "maximum_kmh": 24.0,
        "increment_kmh": 0.1,
        "deviations": [],
    }
    assert encode_speed_range(speed) == bytes.fromhex("64 00 60 09 0A 00")


def test_incline_range_is_signed() -> None:
    incline = decode_incline_range(bytes.fromhex("F1 FF 96 00 05 00"))
    assert incline == SupportedRange(-1.5, 15.0, 0.5)
    assert incline.as_dict("pct")["minimum_pct"] == -1.5
    assert encode_incline_range(incline) == bytes.fromhex("F1 FF 96 00 05 00")
    # The same bytes as a speed range are unsigned.
    assert decode_speed_range(bytes.fromhex("F1 FF 96 00 05 00")).minimum == 1.5


def test_range_deviations() -> None:
    reversed_ = decode_speed_range(bytes.fromhex("60 09 64 00 0A 00"))
    assert (reversed_.minimum, reversed_.maximum) == (1.0, 24.0)
    assert reversed_.deviations == (Deviation.RANGE_REVERSED,)
    zero = decode_incline_range(bytes.fromhex("00 00 64 00 00 00"))
    assert zero.increment == 0.1  # one wire unit
    assert zero.deviations == (Deviation.ZERO_INCREMENT,)
    short = decode_speed_range(bytes.fromhex("64 00 60 09"))
    assert short.increment == 0.01
    assert short.deviations == (Deviation.TRUNCATED, Deviation.ZERO_INCREMENT)
    long = decode_speed_range(bytes.fromhex("64 00 60 09 0A 00 00"))
    assert long.deviations == (Deviation.TRAILING_BYTES,)
    for short_value in ("", "64", "64 00 60"):
        with pytest.raises(FtmsDecodeError):
            decode_speed_range(bytes.fromhex(short_value))
        with pytest.raises(FtmsDecodeError):
            decode_incline_range(bytes.fromhex(short_value))


# Walking pad with a range on the mph grid: 0.6–4.0 mph in 0.2 mph steps (ftms.md 1.6).
MPH_GRID = "60 00 83 02 20 00"


@pytest.mark.parametrize(
    ("wanted", "value", "clamped"),
    [
        (0.0, 0.96, True),
        (0.96, 0.96, False),
        (1.12, 1.28, False),  # exactly half a step: rounds up, away from the minimum
        (1.11, 0.96, False),
        (1.2, 1.28, False),
        (3.0, 2.88, False),
        (3.1, 3.2, False),
        (6.40, 6.40, False),
        (6.43, 6.40, False),  # the maximum is off the grid: the top grid point below it
        (10.0, 6.40, True),
    ],
)
def test_snap_on_the_mph_grid(wanted: float, value: float, clamped: bool) -> None:
    grid = decode_speed_range(bytes.fromhex(MPH_GRID))
    assert grid == SupportedRange(0.96, 6.43, 0.32)
    snapped = grid.snap(wanted)
    assert snapped.value == pytest.approx(value, abs=1e-9)
    assert snapped.wanted == wanted
    assert snapped.clamped is clamped
    assert snapped.changed is (abs(value - wanted) > 1e-9)
    assert grid.contains(snapped.value)


@pytest.mark.parametrize(
    ("wanted", "value"),
    [(2.34, 2.3), (2.35, 2.4), (-1.05, -1.0), (-1.06, -1.1), (-5.0, -3.0), (40.0, 15.0)],
)
def test_snap_incline(wanted: float, value: float) -> None:
    incline = SupportedRange(-3.0, 15.0, 0.1)
    assert incline.snap(wanted).value == pytest.approx(value, abs=1e-9)


def test_snap_rounds_a_speed_up_not_down() -> None:
    speed = SupportedRange(0.0, 20.0, 0.1)
    assert speed.snap(1.15).value == 1.2
    assert speed.snap(1.149).value == 1.1
    assert not speed.snap(1.0).changed


def test_contains() -> None:
    grid = SupportedRange(1.0, 2.0, 0.1)
    assert grid.contains(1.0)
    assert grid.contains(2.0)
    assert not grid.contains(0.99)
    assert not grid.contains(2.01)


# --- Advertisement service data ----------------------------------------------------------


def test_service_data_treadmill_available() -> None:
    data = decode_service_data(bytes.fromhex("01 01 00"))
    assert data.available
    assert data.is_treadmill
    assert data.machine_type == MachineType.TREADMILL
    assert data.deviations == ()
    assert data.as_dict() == {"available": True, "machine_types": ["treadmill"], "deviations": []}
    assert encode_service_data(data) == bytes.fromhex("01 01 00")


def test_service_data_unavailable() -> None:
    data = decode_service_data(bytes.fromhex("00 01 00"))
    assert not data.available
    assert data.is_treadmill
    assert data.deviations == ()


def test_service_data_other_machine() -> None:
    data = decode_service_data(bytes.fromhex("01 20 00"))
    assert data.machine_type == MachineType.INDOOR_BIKE
    assert not data.is_treadmill
    both = decode_service_data(bytes.fromhex("01 03 00"))
    assert both.as_dict()["machine_types"] == ["treadmill", "cross_trainer"]


def test_service_data_one_byte_type() -> None:
    data = decode_service_data(bytes.fromhex("01 01"))
    assert data.is_treadmill
    assert data.deviations == (Deviation.SHORT_VALUE,)
    flags_only = decode_service_data(bytes.fromhex("01"))
    assert flags_only.available
    assert flags_only.machine_type == MachineType(0)
    assert flags_only.deviations == (Deviation.SHORT_VALUE,)


def test_service_data_byte_swapped_type() -> None:
    data = decode_service_data(bytes.fromhex("01 00 01"))
    assert data.is_treadmill
    assert data.machine_type == MachineType.TREADMILL
    assert data.deviations == (Deviation.BYTE_SWAPPED,)


def test_service_data_rfu_and_trailing() -> None:
    rfu = decode_service_data(bytes.fromhex("03 41 00"))
    assert rfu.available
    assert rfu.machine_type == MachineType.TREADMILL
    assert rfu.deviations == (Deviation.RFU_BITS,)
    long = decode_service_data(bytes.fromhex("01 01 00 00"))
    assert long.is_treadmill
    assert long.deviations == (Deviation.TRAILING_BYTES,)
    with pytest.raises(FtmsDecodeError):
        decode_service_data(b"")


def test_service_data_encode() -> None:
    value = FtmsServiceData(available=False, machine_type=MachineType.TREADMILL | MachineType.ROWER)
    assert encode_service_data(value) == bytes.fromhex("00 11 00")
    assert Features().as_dict() == {"machine_features": [], "target_settings": [], "deviations": []}
