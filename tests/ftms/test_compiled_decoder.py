"""The compiled Treadmill Data decoders give exactly what the general path gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.ftms.strategies import treadmill_records
from treadctl.ftms import FtmsDecodeError, FtmsEncodeError
from treadctl.ftms import treadmill_data as td
from treadctl.ftms.treadmill_data import TreadmillData, encode_treadmill_data


def both(data: bytes) -> tuple[TreadmillData | str, TreadmillData | str]:
    def run(decode: object) -> TreadmillData | str:
        try:
            return decode(data)  # type: ignore[operator, no-any-return]
        except FtmsDecodeError as exc:
            return f"error: {exc}"

    return run(td.decode_treadmill_data), run(td._decode_general)


@settings(max_examples=400, deadline=None)
@given(st.binary(min_size=2, max_size=40))
def test_same_result_for_arbitrary_bytes(data: bytes) -> None:
    fast, general = both(data)
    assert fast == general


@settings(max_examples=300, deadline=None)
@given(treadmill_records(), st.binary(max_size=3))
def test_same_result_for_valid_records_with_and_without_trailing_bytes(
    record: TreadmillData, trailing: bytes
) -> None:
    (packet,) = encode_treadmill_data(record)
    for data in (packet, packet + trailing):
        fast, general = both(data)
        assert fast == general
        assert isinstance(fast, TreadmillData)
        assert fast.deviations == general.deviations  # type: ignore[union-attr]


def test_unusual_layouts_take_the_general_path() -> None:
    # reserved flag bit, pace flag with an odd length, and a record cut short
    for data in (bytes.fromhex("0080 6400"), bytes.fromhex("2000 6400 05 00"), b"\x04\x00\x64"):
        key = data[0] | data[1] << 8 | len(data) << 16
        td.decode_treadmill_data(data)
        assert td._COMPILED[key] is td._GENERAL


def test_elevation_not_available_markers_on_the_compiled_path() -> None:
    data = bytes.fromhex("1000 6400 ff7f ffff")
    fast = td.decode_treadmill_data(data)
    assert td._COMPILED[data[0] | data[1] << 8 | len(data) << 16] is not td._GENERAL
    assert fast.elevation_gain_m is None
    assert fast.elevation_loss_m is None
    assert "elevation_gain_m" in fast.present
    assert fast.deviations == ("not_available_nonstandard",)
    assert fast == td._decode_general(data)


def encoded(record: TreadmillData, encode: object, max_packet_len: int | None) -> object:
    try:
        return encode(record, max_packet_len=max_packet_len)  # type: ignore[operator]
    except FtmsEncodeError as exc:
        return f"error: {exc}"


@settings(max_examples=300, deadline=None)
@given(treadmill_records(), st.sampled_from([None, 20, 12]))
def test_compiled_encoders_give_the_reference_bytes(
    record: TreadmillData, max_packet_len: int | None
) -> None:
    fast = encoded(record, td.encode_treadmill_data, max_packet_len)
    assert fast == encoded(record, td._encode_general, max_packet_len)


@settings(max_examples=300, deadline=None)
@given(
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
    st.floats(min_value=-1e4, max_value=1e4, allow_nan=False),
    st.one_of(st.none(), st.integers(min_value=-10, max_value=300)),
)
def test_compiled_encoders_round_and_refuse_as_the_reference_does(
    speed_kmh: float, incline_pct: float, energy_kcal: int | None
) -> None:
    record = TreadmillData.of(
        speed_kmh=speed_kmh,
        incline_pct=incline_pct,
        ramp_angle_deg=None,
        energy_kcal=energy_kcal,
        energy_per_hour_kcal=None,
        energy_per_minute_kcal=None,
    )
    for max_packet_len in (None, 20):
        fast = encoded(record, td.encode_treadmill_data, max_packet_len)
        assert fast == encoded(record, td._encode_general, max_packet_len)


def test_a_value_without_a_not_available_marker_is_refused_by_both() -> None:
    record = TreadmillData.of(speed_kmh=None)
    for encode in (td.encode_treadmill_data, td._encode_general):
        text = encoded(record, encode, None)
        assert isinstance(text, str)
        assert "speed_kmh has no 'not available' value" in text


@settings(max_examples=200, deadline=None)
@given(treadmill_records())
def test_records_built_directly_equal_records_built_by_the_constructor(
    record: TreadmillData,
) -> None:
    values = {name: getattr(record, name) for name in record.present}
    built = TreadmillData.from_values(values)
    assert built == TreadmillData(**values, present=frozenset(values))
    assert hash(built.present) == hash(frozenset(values))


def test_a_record_refuses_a_field_it_does_not_have() -> None:
    import pytest  # noqa: PLC0415

    with pytest.raises(TypeError, match="speed_mph"):
        TreadmillData.from_values({"speed_kmh": 1.0, "speed_mph": 1.0})
