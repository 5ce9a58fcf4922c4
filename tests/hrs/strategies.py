"""Hypothesis strategies for Heart Rate Service values, on the wire's own grid."""

from __future__ import annotations

from hypothesis import strategies as st

from treadctl.hrs import HeartRateMeasurement, SensorContact

UINT16 = st.integers(0, 0xFFFF)


@st.composite
def measurements(draw: st.DrawFn, *, empty_rr: bool = True) -> HeartRateMeasurement:
    """Measurements as a strap sends them: any rate, contact, energy and RR list.

    ``rate_uint16`` is drawn only where it is a choice (rates up to 255); above that the
    encoder must use 16 bits. ``empty_rr``: allow an RR flag with no interval after it.
    """
    bpm = draw(st.one_of(st.integers(0, 0xFF), UINT16), label="bpm")
    wide = bpm > 0xFF or draw(st.booleans(), label="rate_uint16")
    min_rr = 0 if empty_rr else 1
    return HeartRateMeasurement(
        heart_rate_bpm=bpm,
        contact=draw(st.sampled_from(SensorContact)),
        energy_kj=draw(st.none() | UINT16, label="energy_kj"),
        rr_1024=draw(
            st.none() | st.lists(UINT16, min_size=min_rr, max_size=12).map(tuple), label="rr"
        ),
        rate_uint16=wide,
    )
