"""Which belt readings to believe (hazard H12).

A treadmill's data can lie: a corrupted record says 100 km/h, a late one says 0.7 km/h
while the belt runs at 1.5, a duplicated one repeats either. Decisions that move the
belt (turn now, where a ramp starts, whether the belt follows) use only readings that
are inside the machine's range, imply an acceleration the motor can do, and are
confirmed by the reading after them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

#: No treadmill motor changes speed faster than this (emergency stops included).
MAX_PLAUSIBLE_KMH_PER_S = 6.0
#: Readings this close to a limit are at it (they are rounded to 0.01 km/h).
SETTLED_TOLERANCE_KMH = 0.05
#: Reading noise allowed on top of the acceleration bound.
READING_TOLERANCE_KMH = 0.3
#: A reading this far above the machine's maximum is impossible, not noise.
RANGE_MARGIN_KMH = 1.0
#: Implausible readings that agree with each other this many times in a row are the belt
#: (a reconnect, a machine that jumps): they become the new reference.
SUSPECTS_TO_REANCHOR = 3


#: A reading this soon after the last one is a repeat of it (a duplicated notification),
#: not a second look at the belt: it confirms nothing.
MIN_INTERVAL_S = 0.1


class Verdict(StrEnum):
    ACCEPTED = "accepted"
    REPEATED = "repeated"
    OUT_OF_RANGE = "out_of_range"
    IMPLAUSIBLE = "implausible"


@dataclass(frozen=True, slots=True)
class Reading:
    t_s: float
    kmh: float


def consistent(a: Reading, b: Reading) -> bool:
    """Could the belt have gone from ``a`` to ``b``?"""
    dt_s = abs(b.t_s - a.t_s)
    return abs(b.kmh - a.kmh) <= MAX_PLAUSIBLE_KMH_PER_S * dt_s + READING_TOLERANCE_KMH


class SpeedTrust:
    """Filters belt speed readings; counts the ones it throws away."""

    def __init__(self, maximum_kmh: float) -> None:
        self.maximum_kmh = maximum_kmh
        self.discarded = 0
        self._latest: Reading | None = None
        self._previous: Reading | None = None
        self._confirmed: Reading | None = None
        self._suspects: list[Reading] = []

    def reset(self) -> None:
        """Forget everything (a new link: the next readings start afresh)."""
        self._accept(None, None)
        self._suspects.clear()

    def _accept(self, previous: Reading | None, latest: Reading | None) -> None:
        """The newest pair; whether it agrees is worked out once, here (it is asked
        several times per reading)."""
        self._previous, self._latest = previous, latest
        agree = previous is not None and latest is not None and consistent(previous, latest)
        self._confirmed = previous if agree else None

    def feed(self, t_s: float, kmh: float) -> Verdict:
        reading = Reading(t_s, kmh)
        if not 0.0 <= kmh <= self.maximum_kmh + RANGE_MARGIN_KMH:
            self.discarded += 1
            return Verdict.OUT_OF_RANGE
        if self._latest is not None and t_s - self._latest.t_s < MIN_INTERVAL_S:
            self.discarded += 1
            return Verdict.REPEATED
        if self._latest is not None and not consistent(self._latest, reading):
            if self._suspects and not consistent(self._suspects[-1], reading):
                self._suspects.clear()
            self._suspects.append(reading)
            if len(self._suspects) < SUSPECTS_TO_REANCHOR:
                self.discarded += 1
                return Verdict.IMPLAUSIBLE
            self._accept(self._suspects[-2], reading)
            self._suspects.clear()
            return Verdict.ACCEPTED
        self._suspects.clear()
        self._accept(self._latest, reading)
        return Verdict.ACCEPTED

    @property
    def latest(self) -> Reading | None:
        """The newest accepted reading (not yet confirmed by another)."""
        return self._latest

    @property
    def confirmed(self) -> Reading | None:
        """The newest reading that the one after it agrees with: the one to act on."""
        return self._confirmed

    @property
    def trusted_kmh(self) -> float | None:
        """The belt speed decisions use: the higher of the confirmed pair (the careful side)."""
        confirmed = self.confirmed
        if confirmed is None or self._latest is None:
            return None
        return max(confirmed.kmh, self._latest.kmh)

    @property
    def agreed_kmh(self) -> tuple[float, float] | None:
        """The confirmed pair as ``(low, high)``: what both readings say. H8 judges a
        belt too fast only when the low one is, and too slow only when the high one is:
        one stray reading between two good ones never decides it."""
        confirmed = self.confirmed
        if confirmed is None or self._latest is None:
            return None
        return min(confirmed.kmh, self._latest.kmh), max(confirmed.kmh, self._latest.kmh)

    def steady(self, tolerance_kmh: float = 0.1) -> bool:
        """The last two readings agree: the belt holds its speed (neither slowing down
        nor still speeding up)."""
        confirmed, latest = self.confirmed, self._latest
        return (
            confirmed is not None
            and latest is not None
            and abs(latest.kmh - confirmed.kmh) <= tolerance_kmh
        )

    def falling(self, tolerance_kmh: float = 0.05) -> bool:
        """The last two readings show the belt slowing down."""
        confirmed, latest = self.confirmed, self._latest
        return (
            confirmed is not None
            and latest is not None
            and latest.kmh < confirmed.kmh - tolerance_kmh
        )

    def settled_at_or_below(
        self, limit_kmh: float, tolerance_kmh: float = SETTLED_TOLERANCE_KMH
    ) -> bool:
        """Two readings in a row at or under ``limit_kmh``, and not rising."""
        confirmed, latest = self.confirmed, self._latest
        if confirmed is None or latest is None:
            return False
        return (
            confirmed.kmh <= limit_kmh + tolerance_kmh
            and latest.kmh <= limit_kmh + tolerance_kmh
            and latest.kmh <= confirmed.kmh + tolerance_kmh
        )

    def stopped(self) -> bool:
        """Two readings in a row at standstill."""
        return self.settled_at_or_below(0.0, 0.01)
