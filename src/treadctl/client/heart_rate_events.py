"""What a heart-rate strap reports besides its readings: things that happened, once each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from treadctl.hrs.reading import HeartRateReading, UnknownReason


@dataclass(frozen=True, slots=True)
class StrapConnected:
    name: str
    location: str | None
    """Where the sensor says it sits (``chest``, ``wrist``...), if it says."""
    reconnected: bool


@dataclass(frozen=True, slots=True)
class StrapConnectFailed:
    attempt: int
    """Attempts in a row that failed, this one included."""
    error: str
    retry_in_s: float


@dataclass(frozen=True, slots=True)
class StrapLost:
    name: str


@dataclass(frozen=True, slots=True)
class StrapSilent:
    silent_s: float


@dataclass(frozen=True, slots=True)
class ContactLost:
    """The rate turned unknown: no skin contact, a rate of 0, or one no person has."""

    reason: UnknownReason


@dataclass(frozen=True, slots=True)
class ContactRestored:
    bpm: int


@dataclass(frozen=True, slots=True)
class MalformedHeartRate:
    """A notification that could not be decoded: counted and skipped (hazard H12)."""

    data_hex: str
    error: str


StrapEvent = (
    StrapConnected
    | StrapConnectFailed
    | StrapLost
    | StrapSilent
    | ContactLost
    | ContactRestored
    | MalformedHeartRate
)
StrapListener = Callable[[HeartRateReading | StrapEvent], None]
