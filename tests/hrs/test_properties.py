"""Property tests: measurements round-trip, any prefix decodes to a prefix, any bytes are safe."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from treadctl.hrs import (
    HeartRateDecodeError,
    HeartRateMeasurement,
    HrsDeviation,
    SensorLocationValue,
    decode_body_sensor_location,
    decode_heart_rate_measurement,
    encode_body_sensor_location,
    encode_heart_rate_measurement,
    strap_reading,
)

from .strategies import measurements

ROUND_TRIP = settings(max_examples=300, deadline=None)
FUZZ = settings(max_examples=500, deadline=None)


@ROUND_TRIP
@given(measurements())
def test_measurement_round_trips(m: HeartRateMeasurement) -> None:
    wire = encode_heart_rate_measurement(m)
    decoded = decode_heart_rate_measurement(wire)
    empty = m.rr_1024 == ()
    expected = (HrsDeviation.EMPTY_RR_INTERVALS,) if empty else ()
    assert decoded == HeartRateMeasurement(
        m.heart_rate_bpm, m.contact, m.energy_kj, m.rr_1024, m.rate_uint16, (), expected
    )
    assert encode_heart_rate_measurement(decoded) == wire


@ROUND_TRIP
@given(measurements(empty_rr=False), st.data())
def test_a_cut_measurement_decodes_what_is_there(
    m: HeartRateMeasurement, data: st.DataObject
) -> None:
    wire = encode_heart_rate_measurement(m)
    rate_end = 3 if m.rate_uint16 else 2
    cut = data.draw(st.integers(0, len(wire)), label="cut")
    if cut < rate_end:
        try:
            decode_heart_rate_measurement(wire[:cut])
        except HeartRateDecodeError:
            return
        raise AssertionError("a value without its rate decoded")
    decoded = decode_heart_rate_measurement(wire[:cut])
    assert decoded.heart_rate_bpm == m.heart_rate_bpm
    assert decoded.contact is m.contact
    energy_end = rate_end + (2 if m.energy_kj is not None else 0)
    assert decoded.energy_kj == (m.energy_kj if cut >= energy_end else None)
    if m.rr_1024 is None:
        assert decoded.rr_1024 is None
    else:
        whole = max(0, (cut - energy_end) // 2)
        assert decoded.rr_1024 == m.rr_1024[:whole]
    # A cut inside a field is "missing"; a cut between two RR intervals looks like a
    # shorter list, which it could be.
    expected_missing: tuple[str, ...] = ()
    if cut < energy_end:
        expected_missing = ("energy_kj",) + (("rr_intervals",) if m.rr_1024 is not None else ())
    elif m.rr_1024 is not None and (cut - energy_end) % 2:
        expected_missing = ("rr_intervals",)
    assert decoded.missing == expected_missing
    assert (HrsDeviation.TRUNCATED in decoded.deviations) is bool(expected_missing)


@FUZZ
@given(st.binary(max_size=40))
def test_any_bytes_give_a_value_or_the_decode_error(data: bytes) -> None:
    try:
        m = decode_heart_rate_measurement(data)
    except HeartRateDecodeError:
        assert len(data) < 2 or (len(data) < 3 and data[0] & 1)
        return
    shown = m.as_dict()
    assert json.loads(json.dumps(shown, allow_nan=False)) == shown
    assert set(shown["deviations"]) <= {str(d) for d in HrsDeviation}
    assert not (
        HrsDeviation.TRUNCATED in m.deviations and HrsDeviation.TRAILING_BYTES in m.deviations
    )
    # Whatever came in, the reading rules hold: never a value without contact or at 0.
    reading = strap_reading(m, at_s=1.0)
    if reading.bpm is not None:
        assert 0 < reading.bpm == m.heart_rate_bpm
        assert reading.contact != "no_contact"
    else:
        assert reading.rr_s == ()


@FUZZ
@given(st.binary(max_size=8))
def test_any_body_sensor_location(data: bytes) -> None:
    try:
        value = decode_body_sensor_location(data)
    except HeartRateDecodeError:
        assert data == b""
        return
    assert value.code == data[0]
    assert encode_body_sensor_location(value) == data[:1]
    assert json.loads(json.dumps(value.as_dict())) == value.as_dict()


@ROUND_TRIP
@given(st.integers(0, 0xFF))
def test_body_sensor_location_round_trips(code: int) -> None:
    value = decode_body_sensor_location(encode_body_sensor_location(SensorLocationValue(code)))
    assert value.code == code
