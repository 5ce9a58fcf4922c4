"""The Field machinery: rounding, ranges, "not available", and the encoders' one error type."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from treadctl.ftms import (
    ControlPointResponse,
    Features,
    FtmsEncodeError,
    FtmsError,
    FtmsServiceData,
    MachineFeature,
    MachineStatus,
    MachineType,
    StatusOp,
    SupportedRange,
    TrainingStatusValue,
    encode_features,
    encode_incline_range,
    encode_machine_status,
    encode_response,
    encode_service_data,
    encode_speed_range,
    encode_training_status,
)
from treadctl.ftms.fields import (
    S16,
    U8,
    U16,
    U24,
    U32,
    Field,
    IntKind,
    check_int,
    round_half_away,
)


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        (0.0, 0),
        (0.4999, 0),
        (0.5, 1),
        (1.5, 2),
        (2.5, 3),  # not banker's rounding
        (-0.5, -1),
        (-2.5, -3),
        (-0.4999, 0),
        (1.15 * 100, 115),  # 114.99999999999999
        (-1.15 * 10, -12),  # -11.499999999999998
        (0.29 * 100, 29),  # 28.999999999999996
    ],
)
def test_round_half_away(x: float, expected: int) -> None:
    assert round_half_away(x) == expected


@pytest.mark.parametrize(
    ("kind", "lo", "hi"),
    [(U8, 0, 255), (U16, 0, 65535), (S16, -32768, 32767), (U24, 0, 2**24 - 1), (U32, 0, 2**32 - 1)],
)
def test_int_kind_limits(kind: IntKind, lo: int, hi: int) -> None:
    assert (kind.raw_min, kind.raw_max) == (lo, hi)
    assert check_int("x", lo, kind) == lo
    assert check_int("x", hi, kind) == hi
    with pytest.raises(FtmsEncodeError):
        check_int("x", lo - 1, kind)
    with pytest.raises(FtmsEncodeError):
        check_int("x", hi + 1, kind)


def test_field_write_and_read() -> None:
    incline = Field("incline_pct", S16, 10, 0x7FFF)
    assert incline.write(-1.5) == b"\xf1\xff"
    assert incline.read(b"\xf1\xff", 0) == -1.5
    assert incline.write(None) == b"\xff\x7f"
    assert incline.read(b"\xff\x7f", 0) is None
    with pytest.raises(FtmsEncodeError):
        incline.write(3276.7)  # would be read back as "not available"
    speed = Field("speed_kmh", U16, 100)
    with pytest.raises(FtmsEncodeError):
        speed.write(None)
    assert speed.read(b"\x00\x00\x73\x00", 2) == 1.15
    distance = Field("distance_m", U24)
    assert distance.write(123456) == b"\x40\xe2\x01"
    assert distance.read(b"\x40\xe2\x01", 0) == 123456
    assert isinstance(distance.read(b"\x40\xe2\x01", 0), int)


ENCODE_FAILURES: dict[str, Callable[[], bytes]] = {
    "training status code": lambda: encode_training_status(TrainingStatusValue(0x100)),
    "negative training status code": lambda: encode_training_status(TrainingStatusValue(-1)),
    "status op code": lambda: encode_machine_status(MachineStatus(0x100)),
    "status without its parameter": lambda: encode_machine_status(
        MachineStatus(StatusOp.TARGET_INCLINE_CHANGED)
    ),
    "response op code": lambda: encode_response(ControlPointResponse(0x100, 1)),
    "response result code": lambda: encode_response(ControlPointResponse(2, -1)),
    "machine type": lambda: encode_service_data(FtmsServiceData(True, MachineType(1 << 16))),
    "feature bits": lambda: encode_features(Features(MachineFeature(1 << 32))),
    "speed range": lambda: encode_speed_range(SupportedRange(-1.0, 2.0, 0.1)),
    "incline range": lambda: encode_incline_range(SupportedRange(-1.0, 4000.0, 0.1)),
}


@pytest.mark.parametrize("case", sorted(ENCODE_FAILURES))
def test_encoders_raise_only_their_own_error(case: str) -> None:
    with pytest.raises(FtmsEncodeError):
        ENCODE_FAILURES[case]()
    assert issubclass(FtmsEncodeError, FtmsError)
