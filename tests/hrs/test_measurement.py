"""Heart Rate Measurement and Body Sensor Location: the layouts, byte by byte."""

from __future__ import annotations

import pytest

from treadctl.hrs import (
    BodySensorLocation,
    HeartRateDecodeError,
    HeartRateEncodeError,
    HeartRateMeasurement,
    HrsDeviation,
    SensorContact,
    SensorLocationValue,
    decode_body_sensor_location,
    decode_heart_rate_measurement,
    encode_body_sensor_location,
    encode_heart_rate_measurement,
    rr_from_seconds,
    rr_room,
)


def decode(text: str) -> HeartRateMeasurement:
    return decode_heart_rate_measurement(bytes.fromhex(text))


@pytest.mark.parametrize(
    ("flags", "contact"),
    [
        ("00", SensorContact.NOT_SUPPORTED),
        ("02", SensorContact.NOT_SUPPORTED),  # "detected" without "supported" means nothing
        ("04", SensorContact.NO_CONTACT),
        ("06", SensorContact.CONTACT),
    ],
)
def test_sensor_contact_bits(flags: str, contact: SensorContact) -> None:
    m = decode(f"{flags} 48")
    assert m.heart_rate_bpm == 72
    assert m.contact is contact
    assert m.deviations == ()


def test_8_and_16_bit_rates() -> None:
    assert decode("00 B4").heart_rate_bpm == 180
    wide = decode("01 2C 01")
    assert (wide.heart_rate_bpm, wide.rate_uint16) == (300, True)
    assert decode("01 48 00").heart_rate_bpm == 72


def test_a_bare_rate_has_no_energy_and_no_rr_field() -> None:
    m = decode("06 48")
    assert m.energy_kj is None
    assert m.rr_1024 is None
    assert m.rr_s == ()
    assert m.as_dict() == {
        "heart_rate_bpm": 72,
        "rate_format": "uint8",
        "contact": "contact",
        "deviations": [],
    }


def test_several_rr_intervals_oldest_first() -> None:
    # Polar H7-style flags 0x16: contact supported and detected, RR present.
    m = decode("16 4B 00 04 00 03 CD 03")
    assert m.rr_1024 == (1024, 768, 973)
    assert m.rr_s == (1.0, 0.75, 973 / 1024)
    assert m.deviations == ()


def test_energy_moves_the_rr_intervals_two_bytes_on() -> None:
    with_energy = decode("18 4B 10 00 00 04 00 03")
    assert with_energy.energy_kj == 16
    assert with_energy.rr_1024 == (1024, 768)
    without = decode("10 4B 10 00 00 04 00 03")
    assert without.energy_kj is None
    assert without.rr_1024 == (16, 1024, 768)


def test_energy_saturates_at_its_maximum() -> None:
    assert decode("08 4B FF FF").energy_kj == 0xFFFF


def test_empty_rr_list_is_a_deviation_not_an_error() -> None:
    m = decode("16 4B")
    assert m.rr_1024 == ()
    assert m.rr_s == ()
    assert m.deviations == (HrsDeviation.EMPTY_RR_INTERVALS,)
    assert m.as_dict()["rr_1024"] == []


def test_trailing_bytes_are_ignored_and_said() -> None:
    m = decode("06 48 00 00")
    assert m.heart_rate_bpm == 72
    assert m.deviations == (HrsDeviation.TRAILING_BYTES,)


def test_an_odd_byte_after_rr_intervals_is_a_cut_interval() -> None:
    m = decode("10 48 00 04 01")
    assert m.rr_1024 == (1024,)
    assert m.missing == ("rr_intervals",)
    assert m.deviations == (HrsDeviation.TRUNCATED,)


def test_cut_energy_leaves_no_rr_intervals() -> None:
    m = decode("18 48 10")
    assert m.energy_kj is None
    assert m.rr_1024 == ()
    assert m.missing == ("energy_kj", "rr_intervals")
    assert m.deviations == (HrsDeviation.TRUNCATED,)
    assert decode("08 48").missing == ("energy_kj",)


def test_reserved_flag_bits() -> None:
    m = decode("E6 48")
    assert (m.heart_rate_bpm, m.contact) == (72, SensorContact.CONTACT)
    assert m.deviations == (HrsDeviation.RFU_BITS,)


@pytest.mark.parametrize("text", ["", "06", "01 48"])
def test_no_rate_is_the_only_error(text: str) -> None:
    with pytest.raises(HeartRateDecodeError):
        decode(text)


def test_encoder_picks_16_bits_only_when_needed_or_asked() -> None:
    assert encode_heart_rate_measurement(HeartRateMeasurement(72)).hex(" ") == "00 48"
    assert encode_heart_rate_measurement(HeartRateMeasurement(300)).hex(" ") == "01 2c 01"
    asked = HeartRateMeasurement(72, rate_uint16=True)
    assert encode_heart_rate_measurement(asked).hex(" ") == "01 48 00"


def test_encoder_writes_every_field_in_order() -> None:
    m = HeartRateMeasurement(
        75, SensorContact.NO_CONTACT, energy_kj=16, rr_1024=(1024, 768), rate_uint16=False
    )
    assert encode_heart_rate_measurement(m).hex(" ") == "1c 4b 10 00 00 04 00 03"
    assert encode_heart_rate_measurement(HeartRateMeasurement(75, rr_1024=())).hex() == "104b"


@pytest.mark.parametrize(
    "m",
    [
        HeartRateMeasurement(-1),
        HeartRateMeasurement(0x10000),
        HeartRateMeasurement(70, energy_kj=0x10000),
        HeartRateMeasurement(70, rr_1024=(1, -2)),
    ],
)
def test_encoder_refuses_what_does_not_fit(m: HeartRateMeasurement) -> None:
    with pytest.raises(HeartRateEncodeError):
        encode_heart_rate_measurement(m)


def test_rr_room_at_the_default_mtu() -> None:
    assert rr_room(energy=False) == 9
    assert rr_room(energy=True) == 8
    assert rr_room(energy=True, rate_uint16=True) == 7
    assert rr_room(energy=False, packet_len=2) == 0


def test_rr_from_seconds_rounds_and_clamps() -> None:
    assert rr_from_seconds(0.75) == 768
    assert rr_from_seconds(1 / 1024 * 1.6) == 2
    assert rr_from_seconds(-1) == 0
    assert rr_from_seconds(100) == 0xFFFF


def test_body_sensor_location() -> None:
    chest = decode_body_sensor_location(b"\x01")
    assert chest.location is BodySensorLocation.CHEST
    assert chest.name == "chest"
    assert chest.as_dict() == {"location": "chest", "location_code": 1, "deviations": []}
    assert decode_body_sensor_location(b"\x05").name == "ear lobe"
    odd = decode_body_sensor_location(b"\x09\x00")
    assert odd.location is None
    assert odd.name == "unknown"
    assert odd.deviations == (HrsDeviation.UNKNOWN_CODE, HrsDeviation.TRAILING_BYTES)
    with pytest.raises(HeartRateDecodeError):
        decode_body_sensor_location(b"")
    assert encode_body_sensor_location(SensorLocationValue(2)) == b"\x02"
    with pytest.raises(HeartRateEncodeError):
        encode_body_sensor_location(SensorLocationValue(256))
