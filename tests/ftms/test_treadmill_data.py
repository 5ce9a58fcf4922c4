"""Treadmill Data: each flag bit, "not available", split records and real-world deviations."""

from __future__ import annotations

from typing import Any

import pytest

from treadctl.ftms import (
    Deviation,
    FtmsDecodeError,
    FtmsEncodeError,
    TreadmillData,
    TreadmillDataAssembler,
    decode_treadmill_data,
    encode_treadmill_data,
    merge_records,
)

# One row per standard flag bit (FTMS §4.4, ftms.md 1.4). Bit 0 (More Data) is set in every
# row but the first, so Instantaneous Speed is absent and only the row's own fields show.
FLAG_BITS: list[tuple[int, str, dict[str, Any]]] = [
    (0, "00 00 5E 01", {"speed_kmh": 3.5}),
    (1, "03 00 2C 01", {"avg_speed_kmh": 3.0}),
    (2, "05 00 40 E2 01", {"distance_m": 123456}),
    (3, "09 00 F1 FF 64 00", {"incline_pct": -1.5, "ramp_angle_deg": 10.0}),
    (4, "11 00 7B 00 0A 00", {"elevation_gain_m": 12.3, "elevation_loss_m": 1.0}),
    (5, "21 00 2D", {"pace_kmin": 4.5}),
    (6, "41 00 0C", {"avg_pace_kmin": 1.2}),
    (
        7,
        "81 00 2C 01 58 02 0A",
        {"energy_kcal": 300, "energy_per_hour_kcal": 600, "energy_per_minute_kcal": 10},
    ),
    (8, "01 01 8C", {"heart_rate_bpm": 140}),
    (9, "01 02 3D", {"met": 6.1}),
    (10, "01 04 10 0E", {"elapsed_s": 3600}),
    (11, "01 08 2C 01", {"remaining_s": 300}),
    (12, "01 10 F6 FF C8 00", {"force_n": -10, "power_w": 200}),
]


def test_flag_table_covers_the_thirteen_standard_bits() -> None:
    assert [bit for bit, _, _ in FLAG_BITS] == list(range(13))


@pytest.mark.parametrize(("bit", "packet", "expected"), FLAG_BITS)
def test_each_flag_bit_decodes_its_fields(bit: int, packet: str, expected: dict[str, Any]) -> None:
    wire = bytes.fromhex(packet)
    record = decode_treadmill_data(wire)
    assert record.present == frozenset(expected)
    for name, value in expected.items():
        assert getattr(record, name) == pytest.approx(value)
        assert type(getattr(record, name)) is type(value)
    assert record.more_data is (bit != 0)
    assert record.missing == ()
    assert record.deviations == ()
    out = record.as_dict()
    assert out == {**expected, **({"more_data": True} if bit else {}), "deviations": []}
    # And back: the same fields encode to the same bytes.
    assert encode_treadmill_data(TreadmillData.of(**expected)) == [wire]


def test_fields_come_out_in_wire_order() -> None:
    record = decode_treadmill_data(bytes.fromhex("0C 05 F4 01 40 E2 01 32 00 00 00 8C 10 0E"))
    assert record.speed_kmh == 5.0
    assert record.distance_m == 123456
    assert record.incline_pct == 5.0
    assert record.ramp_angle_deg == 0.0
    assert record.heart_rate_bpm == 140
    assert record.elapsed_s == 3600
    assert list(record.as_dict()) == [
        "speed_kmh",
        "distance_m",
        "incline_pct",
        "ramp_angle_deg",
        "heart_rate_bpm",
        "elapsed_s",
        "deviations",
    ]


@pytest.mark.parametrize(
    ("packet", "names"),
    [
        ("09 00 FF 7F FF 7F", ["incline_pct", "ramp_angle_deg"]),
        ("09 00 FF 7F 0A 00", ["incline_pct"]),
        ("81 00 FF FF FF FF FF", ["energy_kcal", "energy_per_hour_kcal", "energy_per_minute_kcal"]),
        ("81 00 0A 00 FF FF FF", ["energy_per_hour_kcal", "energy_per_minute_kcal"]),
        ("01 10 FF 7F FF 7F", ["force_n", "power_w"]),
    ],
)
def test_not_available_is_none_but_present(packet: str, names: list[str]) -> None:
    wire = bytes.fromhex(packet)
    record = decode_treadmill_data(wire)
    for name in names:
        assert name in record.present
        assert getattr(record, name) is None
        assert record.as_dict()[name] is None
    assert record.deviations == ()
    # A standard "not available" goes back on the wire as the same marker.
    assert encode_treadmill_data(record) == [wire]


def test_not_available_marker_is_never_a_value() -> None:
    with pytest.raises(FtmsEncodeError):
        encode_treadmill_data(TreadmillData.of(incline_pct=3276.7, ramp_angle_deg=0.0))
    with pytest.raises(FtmsEncodeError):
        encode_treadmill_data(TreadmillData.of(speed_kmh=None))  # no marker for speed


def test_half_a_flag_group_cannot_be_encoded() -> None:
    with pytest.raises(FtmsEncodeError):
        encode_treadmill_data(TreadmillData.of(elevation_gain_m=1.0))
    # A group whose fields all have a marker fills the gap with it.
    wire = encode_treadmill_data(TreadmillData.of(speed_kmh=1.0, power_w=50))
    assert wire == [bytes.fromhex("00 10 64 00 FF 7F 32 00")]


def test_more_data_bit_is_inverted() -> None:
    complete = decode_treadmill_data(bytes.fromhex("02 00 64 00 C8 00"))
    assert not complete.more_data
    assert complete.speed_kmh == 1.0
    assert complete.avg_speed_kmh == 2.0
    partial = decode_treadmill_data(bytes.fromhex("03 00 C8 00"))
    assert partial.more_data
    assert partial.speed_kmh is None
    assert "speed_kmh" not in partial.present
    assert partial.avg_speed_kmh == 2.0


FULL_RECORD = TreadmillData.of(
    speed_kmh=3.5,
    avg_speed_kmh=3.2,
    distance_m=1234,
    incline_pct=-1.5,
    ramp_angle_deg=None,
    elevation_gain_m=12.3,
    elevation_loss_m=4.5,
    pace_kmin=0.6,
    avg_pace_kmin=0.5,
    energy_kcal=120,
    energy_per_hour_kcal=300,
    energy_per_minute_kcal=5,
    heart_rate_bpm=128,
    met=4.3,
    elapsed_s=900,
    remaining_s=300,
    force_n=None,
    power_w=150,
)


def values_of(record: TreadmillData) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.present}


def test_full_record_is_split_for_a_20_byte_notification() -> None:
    assert len(encode_treadmill_data(FULL_RECORD)[0]) == 34  # the spec's maximum
    packets = encode_treadmill_data(FULL_RECORD, max_packet_len=20)
    assert len(packets) > 1
    assert all(len(p) <= 20 for p in packets)
    decoded = [decode_treadmill_data(p) for p in packets]
    assert [d.more_data for d in decoded] == [True] * (len(packets) - 1) + [False]
    # Instantaneous Speed only in the last packet.
    assert [("speed_kmh" in d.present) for d in decoded] == [False] * (len(packets) - 1) + [True]
    # No field is sent twice.
    names = [n for d in decoded for n in d.present]
    assert sorted(names) == sorted(FULL_RECORD.present)

    merged = merge_records(decoded)
    assert values_of(merged) == values_of(FULL_RECORD)
    assert merged.present == FULL_RECORD.present
    assert not merged.more_data
    assert merged.deviations == ()

    assembler = TreadmillDataAssembler()
    results = [assembler.feed(d) for d in decoded]
    assert results[:-1] == [None] * (len(packets) - 1)
    assert results[-1] == merged
    assert assembler.dropped_packets == 0


def test_record_that_fits_is_not_split() -> None:
    record = TreadmillData.of(speed_kmh=2.0, distance_m=10)
    assert encode_treadmill_data(record, max_packet_len=20) == [
        bytes.fromhex("04 00 C8 00 0A 00 00")
    ]
    assembler = TreadmillDataAssembler()
    assert assembler.feed(decode_treadmill_data(bytes.fromhex("04 00 C8 00 0A 00 00"))) == (
        decode_treadmill_data(bytes.fromhex("04 00 C8 00 0A 00 00"))
    )


def test_a_group_larger_than_a_packet_cannot_be_split() -> None:
    with pytest.raises(FtmsEncodeError):
        encode_treadmill_data(FULL_RECORD, max_packet_len=6)  # energy needs 5 + 2 flag bytes


def test_assembler_reset_and_overflow() -> None:
    part = decode_treadmill_data(bytes.fromhex("03 00 C8 00"))
    last = decode_treadmill_data(bytes.fromhex("00 00 64 00"))
    assembler = TreadmillDataAssembler()
    assert assembler.feed(part) is None
    assembler.reset()
    assert assembler.dropped_packets == 1
    # After a reset the next record does not carry the old packet's fields.
    assert assembler.feed(last) == last

    for _ in range(TreadmillDataAssembler.MAX_PENDING + 3):
        assert assembler.feed(part) is None
    assert assembler.dropped_packets == 1 + 3
    merged = assembler.feed(last)
    assert merged is not None
    assert merged.speed_kmh == 1.0
    assert merged.avg_speed_kmh == 2.0


def test_merge_later_packets_win_and_missing_is_cleared_by_a_later_packet() -> None:
    first = decode_treadmill_data(bytes.fromhex("07 00 C8 00 05"))  # distance cut short
    assert first.missing == ("distance_m",)
    second = decode_treadmill_data(bytes.fromhex("06 00 00 00 64 00 E8 03 00 FF"))
    merged = merge_records([first, second])
    assert merged.speed_kmh == 0.0
    assert merged.avg_speed_kmh == 1.0
    assert merged.distance_m == 1000
    assert merged.missing == ()
    assert merged.deviations == (Deviation.TRUNCATED, Deviation.TRAILING_BYTES)


# Real-world deviations (ftms.md, "How real machines deviate").


def test_bit13_step_count_after_the_standard_fields() -> None:
    # UREVO-style: speed, distance, elapsed time, then u16 steps and one zero byte.
    record = decode_treadmill_data(bytes.fromhex("04 24 2C 01 64 00 00 3C 00 D2 04 00"))
    assert record.speed_kmh == 3.0
    assert record.distance_m == 100
    assert record.elapsed_s == 60
    assert record.steps == 1234
    assert "steps" in record.present
    assert record.deviations == (Deviation.STEP_COUNT_BIT13,)
    assert record.as_dict()["steps"] == 1234
    # The padding byte is written back.
    assert encode_treadmill_data(record) == [bytes.fromhex("04 24 2C 01 64 00 00 3C 00 D2 04 00")]


def test_bit13_step_count_without_its_padding_byte() -> None:
    record = decode_treadmill_data(bytes.fromhex("00 20 2C 01 D2 04"))
    assert record.steps == 1234
    assert record.missing == ()
    assert Deviation.TRUNCATED not in record.deviations


@pytest.mark.parametrize("packet", ["00 40 5E 01", "00 80 5E 01", "00 C0 5E 01 AA BB"])
def test_rfu_flag_bits_are_ignored(packet: str) -> None:
    record = decode_treadmill_data(bytes.fromhex(packet))
    assert record.speed_kmh == 3.5
    assert record.present == {"speed_kmh"}
    assert Deviation.RFU_BITS in record.deviations
    assert Deviation.STEP_COUNT_BIT13 not in record.deviations
    # Data the RFU bits carry is trailing, never read as a field.
    assert (Deviation.TRAILING_BYTES in record.deviations) is (len(bytes.fromhex(packet)) > 4)


def test_record_shorter_than_its_flags() -> None:
    # Speed, distance and energy promised; the energy group is cut after one byte.
    record = decode_treadmill_data(bytes.fromhex("84 00 5E 01 10 27 00 2C"))
    assert record.speed_kmh == 3.5
    assert record.distance_m == 10000
    assert record.missing == ("energy_kcal", "energy_per_hour_kcal", "energy_per_minute_kcal")
    # The lone byte is not read as Energy per Minute (a smaller field after the gap).
    assert record.energy_per_minute_kcal is None
    assert record.present == {"speed_kmh", "distance_m"}
    assert record.deviations == (Deviation.TRUNCATED,)
    assert record.as_dict()["missing"] == [
        "energy_kcal",
        "energy_per_hour_kcal",
        "energy_per_minute_kcal",
    ]


def test_flags_only_record_with_promised_fields() -> None:
    record = decode_treadmill_data(bytes.fromhex("00 01"))
    assert record.present == frozenset()
    assert record.missing == ("speed_kmh", "heart_rate_bpm")
    assert record.deviations == (Deviation.TRUNCATED,)


def test_trailing_bytes() -> None:
    record = decode_treadmill_data(bytes.fromhex("00 00 5E 01 00"))
    assert record.speed_kmh == 3.5
    assert record.deviations == (Deviation.TRAILING_BYTES,)


@pytest.mark.parametrize(("raw", "other"), [("FF 7F", "0A 00"), ("FF FF", "0A 00")])
def test_signed_not_available_in_elevation_fields(raw: str, other: str) -> None:
    gain = decode_treadmill_data(bytes.fromhex(f"11 00 {raw} {other}"))
    assert gain.elevation_gain_m is None
    assert "elevation_gain_m" in gain.present
    assert gain.elevation_loss_m == 1.0
    assert gain.deviations == (Deviation.NOT_AVAILABLE_NONSTANDARD,)
    loss = decode_treadmill_data(bytes.fromhex(f"11 00 {other} {raw}"))
    assert loss.elevation_loss_m is None
    assert loss.elevation_gain_m == 1.0
    both = decode_treadmill_data(bytes.fromhex("11 00 FF 7F FF FF"))
    assert both.elevation_gain_m is None
    assert both.elevation_loss_m is None
    # Listed once, however many fields carry it.
    assert both.deviations == (Deviation.NOT_AVAILABLE_NONSTANDARD,)


def test_pace_as_uint16_seconds_per_500m_is_detected_by_length() -> None:
    # Speed and pace: 5 bytes with a uint8 pace, 6 with a uint16 one.
    u8 = decode_treadmill_data(bytes.fromhex("20 00 5E 01 3C"))
    assert u8.pace_kmin == 6.0
    assert u8.deviations == ()
    u16 = decode_treadmill_data(bytes.fromhex("20 00 5E 01 3C 00"))
    assert u16.speed_kmh == 3.5
    assert u16.pace_kmin == 0.5  # 60 s per 500 m = 0.5 km/min
    assert u16.deviations == (Deviation.PACE_UINT16,)
    both = decode_treadmill_data(bytes.fromhex("60 01 5E 01 78 00 96 00 8C"))
    assert both.pace_kmin == 0.25
    assert both.avg_pace_kmin == 0.2
    assert both.heart_rate_bpm == 140  # read from the right offset after the wide paces
    assert both.deviations == (Deviation.PACE_UINT16,)
    zero = decode_treadmill_data(bytes.fromhex("20 00 5E 01 00 00"))
    assert zero.pace_kmin is None
    assert "pace_kmin" in zero.present


def test_under_two_bytes_is_a_decode_error() -> None:
    for packet in (b"", b"\x00"):
        with pytest.raises(FtmsDecodeError):
            decode_treadmill_data(packet)


def test_decoder_accepts_bytearray_and_memoryview() -> None:
    wire = bytes.fromhex("04 00 5E 01 10 27 00")
    expected = decode_treadmill_data(wire)
    assert decode_treadmill_data(bytearray(wire)) == expected
    assert decode_treadmill_data(memoryview(wire)) == expected
