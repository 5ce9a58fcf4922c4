"""A heart rate as the workout uses it: a value, or "unknown", and where it came from.

The rules for "unknown" live here, in one place: a strap that says it feels no skin, a
rate of 0 (what many straps send with no contact, and optical sensors send when they
lose the pulse), or a rate no person has, are all "heart rate unknown", never a value.
RR intervals go with the rate: when the rate is unknown they are dropped too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from treadctl.hrs.measurement import HeartRateMeasurement, SensorContact

HeartRateSource = Literal["strap", "treadmill"]
Contact = Literal["not_supported", "no_contact", "contact"]

#: Above this a rate is a glitch, not a person (the highest recorded rates are near 220-250).
MAX_PLAUSIBLE_BPM = 250

_CONTACT: dict[SensorContact, Contact] = {
    SensorContact.NOT_SUPPORTED: "not_supported",
    SensorContact.NO_CONTACT: "no_contact",
    SensorContact.CONTACT: "contact",
}


@dataclass(frozen=True)
class HeartRateReading:
    """One heart rate, received at ``at_s`` on the clock that received it.

    ``bpm`` is None when the rate is unknown (no contact, a rate of 0); it is never a
    stand-in value. ``contact`` is None for a source that does not say (a treadmill).
    """

    bpm: int | None
    source: HeartRateSource
    contact: Contact | None
    at_s: float
    rr_s: tuple[float, ...] = ()
    energy_kj: int | None = None


UnknownReason = Literal["no_contact", "zero", "implausible"]


def unknown_reason(bpm: int, contact: SensorContact | None) -> UnknownReason | None:
    """Why a reported rate is not a value, or None when it is one."""
    if contact is SensorContact.NO_CONTACT:
        return "no_contact"
    if bpm <= 0:
        return "zero"
    if bpm > MAX_PLAUSIBLE_BPM:
        return "implausible"
    return None


def strap_reading(m: HeartRateMeasurement, at_s: float) -> HeartRateReading:
    """The reading a strap's measurement gives."""
    known = unknown_reason(m.heart_rate_bpm, m.contact) is None
    return HeartRateReading(
        bpm=m.heart_rate_bpm if known else None,
        source="strap",
        contact=_CONTACT[m.contact],
        at_s=at_s,
        rr_s=m.rr_s if known else (),
        energy_kj=m.energy_kj,
    )


def treadmill_reading(bpm: int | None, at_s: float) -> HeartRateReading:
    """The reading a treadmill's Heart Rate field gives (hand grips or a paired strap)."""
    known = bpm is not None and unknown_reason(bpm, None) is None
    return HeartRateReading(bpm=bpm if known else None, source="treadmill", contact=None, at_s=at_s)


def preferred_reading(
    strap: HeartRateReading | None,
    treadmill: HeartRateReading | None,
    *,
    now_s: float,
    max_age_s: float,
) -> HeartRateReading | None:
    """The reading to act on: the strap's while it is fresh, else the treadmill's.

    A fresh strap reading wins even when its rate is unknown: a strap that feels no skin
    does not hand the decision to a treadmill's hand grips without the person knowing.
    A reading older than ``max_age_s`` counts for nothing.
    """
    for reading in (strap, treadmill):
        if reading is not None and now_s - reading.at_s <= max_age_s:
            return reading
    return None
