"""Training Status: flags, code, optional string, and the values real machines send."""

from __future__ import annotations

import pytest

from treadctl.ftms import (
    Deviation,
    FtmsDecodeError,
    TrainingStatus,
    TrainingStatusValue,
    decode_training_status,
    encode_training_status,
)


@pytest.mark.parametrize("status", list(TrainingStatus))
def test_every_known_status(status: TrainingStatus) -> None:
    value = decode_training_status(bytes((0x00, status)))
    assert value.status is status
    assert value.code == status
    assert value.text is None
    assert not value.extended
    assert value.deviations == ()
    assert value.as_dict() == {
        "status": status.name.lower(),
        "status_code": int(status),
        "deviations": [],
    }
    assert encode_training_status(value) == bytes((0x00, status))


def test_status_table_matches_the_spec() -> None:
    assert [s.value for s in TrainingStatus] == list(range(0x10))
    assert TrainingStatus(0x0D) is TrainingStatus.MANUAL_MODE
    assert TrainingStatus(0x0A) is TrainingStatus.SPEED_OUTSIDE_CONTROL_REGION_HIGH


def test_string() -> None:
    wire = bytes.fromhex("01 0D") + b"Quick Start"
    value = decode_training_status(wire)
    assert value.status is TrainingStatus.MANUAL_MODE
    assert value.text == "Quick Start"
    assert not value.extended
    assert value.deviations == ()
    assert value.as_dict()["text"] == "Quick Start"
    assert encode_training_status(value) == wire


def test_utf8_string_and_empty_string() -> None:
    wire = bytes.fromhex("01 02") + "Aufwärmen".encode()
    assert decode_training_status(wire).text == "Aufwärmen"
    empty = decode_training_status(bytes.fromhex("01 01"))
    assert empty.text == ""
    assert empty.as_dict()["text"] == ""


def test_extended_string_flag() -> None:
    value = decode_training_status(bytes.fromhex("03 0E") + b"Pre-Wo")
    assert value.extended
    assert value.text == "Pre-Wo"
    assert value.as_dict()["extended"] is True
    assert encode_training_status(value) == bytes.fromhex("03 0E") + b"Pre-Wo"


@pytest.mark.parametrize("code", [0x10, 0x11, 0xFF])
def test_reserved_codes_are_kept(code: int) -> None:
    value = decode_training_status(bytes((0x00, code)))
    assert value.code == code
    assert value.status is None
    assert value.deviations == (Deviation.UNKNOWN_CODE,)
    assert value.as_dict() == {
        "status": "unknown",
        "status_code": code,
        "deviations": ["unknown_code"],
    }
    assert encode_training_status(value) == bytes((0x00, code))


@pytest.mark.parametrize(
    ("byte", "status"), [(0x01, TrainingStatus.IDLE), (0x0D, TrainingStatus.MANUAL_MODE)]
)
def test_one_byte_read_is_the_status_code(byte: int, status: TrainingStatus) -> None:
    value = decode_training_status(bytes((byte,)))
    assert value.status is status
    assert value.text is None
    assert value.deviations == (Deviation.SHORT_VALUE,)


def test_one_byte_reserved_code() -> None:
    value = decode_training_status(b"\x11")
    assert value.code == 0x11
    assert value.status is None
    assert value.deviations == (Deviation.SHORT_VALUE, Deviation.UNKNOWN_CODE)


def test_invalid_utf8_is_replaced() -> None:
    value = decode_training_status(bytes.fromhex("01 01 FF FE 41"))
    assert value.status is TrainingStatus.IDLE
    assert value.text is not None
    assert value.text.endswith("A")
    assert "\ufffd" in value.text
    assert value.deviations == (Deviation.INVALID_UTF8,)


def test_rfu_flags_and_trailing_bytes() -> None:
    rfu = decode_training_status(bytes.fromhex("84 01"))
    assert rfu.status is TrainingStatus.IDLE
    assert rfu.deviations == (Deviation.RFU_BITS,)
    trailing = decode_training_status(bytes.fromhex("00 01 41 42"))
    assert trailing.text is None
    assert trailing.deviations == (Deviation.TRAILING_BYTES,)


def test_empty_is_a_decode_error() -> None:
    with pytest.raises(FtmsDecodeError):
        decode_training_status(b"")


def test_encode_without_text() -> None:
    assert encode_training_status(TrainingStatusValue(TrainingStatus.IDLE)) == b"\x00\x01"
    assert encode_training_status(TrainingStatusValue(0x0F, extended=True)) == b"\x02\x0f"
