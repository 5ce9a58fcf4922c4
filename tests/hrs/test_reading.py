"""The rules for "heart rate unknown", and which reading the workout acts on."""

from __future__ import annotations

import dataclasses

import pytest

from treadctl.hrs import (
    MAX_PLAUSIBLE_BPM,
    HeartRateMeasurement,
    HeartRateReading,
    SensorContact,
    preferred_reading,
    strap_reading,
    treadmill_reading,
    unknown_reason,
)


def test_a_reading_is_frozen_with_the_agreed_fields() -> None:
    reading = HeartRateReading(bpm=120, source="strap", contact="contact", at_s=3.0)
    assert reading.rr_s == ()
    assert reading.energy_kj is None
    assert [f.name for f in dataclasses.fields(reading)] == [
        "bpm",
        "source",
        "contact",
        "at_s",
        "rr_s",
        "energy_kj",
    ]
    with pytest.raises(dataclasses.FrozenInstanceError):
        reading.bpm = 130  # type: ignore[misc]


def test_a_strap_with_contact_gives_its_rate_and_rr_intervals() -> None:
    m = HeartRateMeasurement(
        128, SensorContact.CONTACT, energy_kj=40, rr_1024=(480, 470), rate_uint16=False
    )
    assert strap_reading(m, at_s=12.5) == HeartRateReading(
        bpm=128,
        source="strap",
        contact="contact",
        at_s=12.5,
        rr_s=(480 / 1024, 470 / 1024),
        energy_kj=40,
    )


def test_no_contact_is_unknown_whatever_the_rate_says() -> None:
    m = HeartRateMeasurement(96, SensorContact.NO_CONTACT, energy_kj=7, rr_1024=(640,))
    reading = strap_reading(m, at_s=1.0)
    assert reading.bpm is None
    assert reading.contact == "no_contact"
    assert reading.rr_s == ()
    assert reading.energy_kj == 7  # the running total is still true


@pytest.mark.parametrize("contact", list(SensorContact))
def test_a_rate_of_zero_is_unknown(contact: SensorContact) -> None:
    assert strap_reading(HeartRateMeasurement(0, contact), at_s=0.0).bpm is None


def test_optical_sensors_without_contact_detection_give_their_rate() -> None:
    reading = strap_reading(HeartRateMeasurement(101, SensorContact.NOT_SUPPORTED), at_s=0.0)
    assert (reading.bpm, reading.contact) == (101, "not_supported")


def test_a_rate_no_person_has_is_unknown() -> None:
    assert unknown_reason(MAX_PLAUSIBLE_BPM, SensorContact.CONTACT) is None
    assert unknown_reason(MAX_PLAUSIBLE_BPM + 1, SensorContact.CONTACT) == "implausible"
    assert strap_reading(HeartRateMeasurement(0x1234, rate_uint16=True), at_s=0).bpm is None
    assert unknown_reason(0, None) == "zero"
    assert unknown_reason(80, SensorContact.NO_CONTACT) == "no_contact"


def test_treadmill_readings() -> None:
    assert treadmill_reading(140, at_s=2.0) == HeartRateReading(140, "treadmill", None, 2.0)
    assert treadmill_reading(0, at_s=2.0).bpm is None
    assert treadmill_reading(None, at_s=2.0).bpm is None


def test_a_fresh_strap_wins_even_when_unknown_and_a_stale_one_counts_for_nothing() -> None:
    strap = HeartRateReading(120, "strap", "contact", at_s=10.0)
    lost = HeartRateReading(None, "strap", "no_contact", at_s=10.0)
    grips = HeartRateReading(131, "treadmill", None, at_s=10.5)
    assert preferred_reading(strap, grips, now_s=11.0, max_age_s=5.0) is strap
    assert preferred_reading(lost, grips, now_s=11.0, max_age_s=5.0) is lost
    assert preferred_reading(strap, grips, now_s=15.2, max_age_s=5.0) is grips
    assert preferred_reading(strap, grips, now_s=16.0, max_age_s=5.0) is None
    assert preferred_reading(None, None, now_s=0.0, max_age_s=5.0) is None
