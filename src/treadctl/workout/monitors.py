"""Watchers of the belt (H2, H8, H9, H12): each looks at one thing and raises a typed alarm.

They decide nothing about commands and send nothing: the runner turns an alarm into a
hold, a paused belt or a slower one. Each is small, pure and fed with trusted readings.
"""

from __future__ import annotations

import itertools
from collections import deque
from dataclasses import dataclass
from enum import StrEnum

from treadctl.units import KMH_PER_MPH
from treadctl.workout.events import Hazard


class Action(StrEnum):
    TELL = "tell"
    """Say it; nothing else changes."""
    HOLD = "hold"
    """Hold the workout (the belt keeps its speed) until the person confirms."""
    PAUSE_BELT = "pause_belt"
    """Pause the belt and hold until the person confirms."""
    SLOW_AND_HOLD = "slow_and_hold"
    """Slow the belt to a recovery speed and hold until the person confirms."""
    END = "end"
    """Stop the belt and end the workout: treadctl cannot keep the person safe on it."""


@dataclass(frozen=True, slots=True)
class Alarm:
    hazard: Hazard
    kind: str
    message: str
    action: Action
    needs_ack: bool = True
    belt_disobeys: bool = False
    """The belt did not do what it was told: backward bouts are off on this machine."""


# -- H8: the belt gets to what was commanded -----------------------------------------------

#: Belt speed further than this from the command counts as "not there".
TARGET_TOLERANCE_KMH = 0.3
#: Extra time beyond the ramp a belt gets to reach a commanded speed.
TARGET_GRACE_S = 8.0
#: The slowest a belt is assumed to accelerate when judging whether it had time.
ASSUMED_BELT_RATE_KMH_PER_S = 0.25


@dataclass(frozen=True, slots=True)
class Commanded:
    """The last speed the machine accepted, when, and where the belt was then (km/h)."""

    kmh: float
    at_s: float
    from_kmh: float


#: What an H8 alarm offers when the belt does not do as told (workout/advisory.py).
ADVISORY_OFFER = (
    "treadctl can go on in advisory mode: you set the speed at the console, treadctl says "
    "what and when, and it cannot stop the belt (the console's STOP is your stop). "
    "Confirm to go on that way, or stop."
)


def commands_ignored_alarm() -> Alarm:
    """H8: a Start was acknowledged, and the belt never moved."""
    return Alarm(
        "H8",
        "commands_ignored",
        "The treadmill says yes to treadctl's commands, but the belt did not start: it seems "
        f"to ignore them. {ADVISORY_OFFER}",
        Action.HOLD,
    )


class TargetMonitor:
    """H8: a belt that does not reach its command, or runs faster than asked."""

    def __init__(self) -> None:
        self.checks_on = True
        self._told_not_reached = False

    def check(
        self, now_s: float, commanded: Commanded | None, belt: tuple[float, float] | None
    ) -> Alarm | None:
        """``belt``: the confirmed pair of readings, ``(low, high)``
        (:attr:`SpeedTrust.agreed_kmh`); both must say the belt is off its command."""
        if commanded is None or belt is None:
            return None
        if not self.checks_on:
            return None
        low_kmh, high_kmh = belt
        allowed_s = abs(commanded.kmh - commanded.from_kmh) / ASSUMED_BELT_RATE_KMH_PER_S
        waited_s = now_s - commanded.at_s
        if low_kmh > commanded.kmh + 2 * TARGET_TOLERANCE_KMH and waited_s > allowed_s + 2.0:
            belt_kmh = low_kmh
            return Alarm(
                "H8",
                "too_fast",
                f"The belt runs at {belt_kmh:.1f} km/h, faster than the {commanded.kmh:.1f} km/h "
                f"asked: paused. {ADVISORY_OFFER}",
                Action.PAUSE_BELT,
                belt_disobeys=True,
            )
        if self._told_not_reached:
            return None
        off = (
            high_kmh < commanded.kmh - TARGET_TOLERANCE_KMH
            or low_kmh > commanded.kmh + TARGET_TOLERANCE_KMH
        )
        if off and waited_s > allowed_s + TARGET_GRACE_S:
            belt_kmh = high_kmh if high_kmh < commanded.kmh else low_kmh
            self._told_not_reached = True
            return Alarm(
                "H8",
                "target_not_reached",
                f"The belt stays at {belt_kmh:.1f} km/h, not the {commanded.kmh:.1f} km/h asked: "
                f"it does not follow treadctl's speed commands. {ADVISORY_OFFER}",
                Action.HOLD,
                belt_disobeys=True,
            )
        return None

    def acknowledged(self, alarm: Alarm) -> None:
        """The person confirmed past ``alarm``: they go on at the machine's own speed."""
        if alarm.kind in ("target_not_reached", "too_fast"):
            self.checks_on = False


# -- H8: the speed unit, from the odometer -------------------------------------------------

#: The odometer is compared with the reported speed over at least this much distance.
UNIT_CHECK_MIN_M = 15.0
#: And at most over this long a window.
UNIT_CHECK_WINDOW_S = 60.0
#: Distance this many times what the speed explains: the machine reads our numbers as mph.
UNIT_MISMATCH_RATIO = 1.35
#: Within this ratio either way the unit is right (1.61 is far outside it).
UNIT_AGREE_RATIO = 1.18


class UnitVerdict(StrEnum):
    VERIFIED = "verified"
    MISMATCH = "mismatch"


class UnitMonitor:
    """H8: does the belt's distance grow as its reported speed says?

    A machine that puts mph numbers in its km/h fields reports back the number it was
    sent, so its speed alone looks right while the belt runs 1.6 times faster. Its
    distance, in metres, gives it away. The check stays live until the numbers agree.
    """

    def __init__(self) -> None:
        self.verified = False
        self._points: deque[tuple[float, float, float]] = deque()

    def reset(self) -> None:
        self._points.clear()

    def check(
        self, now_s: float, distance_m: float | None, speed_kmh: float | None
    ) -> tuple[UnitVerdict, float] | None:
        """Feed a moving belt's reading; returns a verdict and the measured ratio when due."""
        if self.verified or distance_m is None or speed_kmh is None:
            return None
        self._points.append((now_s, distance_m, speed_kmh))
        while self._points and now_s - self._points[0][0] > UNIT_CHECK_WINDOW_S:
            self._points.popleft()
        points = list(self._points)
        if len(points) < 3:
            return None
        if points[-1][1] < points[0][1]:
            self._points.clear()  # the machine restarted its session
            return None
        reported_m = sum(
            (t2 - t1) * (v1 + v2) / 2 / 3.6
            for (t1, _, v1), (t2, _, v2) in itertools.pairwise(points)
        )
        measured_m = points[-1][1] - points[0][1]
        if reported_m < UNIT_CHECK_MIN_M:
            return None
        ratio = measured_m / reported_m
        if ratio >= UNIT_MISMATCH_RATIO and measured_m - reported_m > 5.0:
            self._points.clear()
            return UnitVerdict.MISMATCH, ratio
        if 1 / UNIT_AGREE_RATIO <= ratio <= UNIT_AGREE_RATIO and measured_m >= UNIT_CHECK_MIN_M:
            self.verified = True
            return UnitVerdict.VERIFIED, ratio
        return None


def unit_mismatch_alarm(ratio: float) -> Alarm:
    return Alarm(
        "H8",
        "unit_mismatch",
        f"The belt covers {ratio:.1f} times the distance its speed says: this treadmill "
        f"seems to count in mph ({KMH_PER_MPH:.2f} times faster than asked). Paused. "
        "Confirm to switch it to mph (remembered for this treadmill), or stop.",
        Action.PAUSE_BELT,
    )


# -- H2 on the belt: above the ceiling -----------------------------------------------------

#: Belt speed this far above a ceiling (beyond the grid's step) is over it.
CEILING_TOLERANCE_KMH = 0.15


def over_ceiling_alarm(belt_kmh: float, facing: str, ceiling: str) -> Alarm:
    """``ceiling`` names the ceiling, whose it is and where it is set (PlanLimits.describe)."""
    return Alarm(
        "H2",
        "belt_over_ceiling",
        f"The belt runs at {belt_kmh:.1f} km/h facing {facing}, above {ceiling}, and did not "
        "slow when asked: stopped, and the workout ends here. treadctl cannot keep you within "
        "your limits on this treadmill.",
        Action.END,
        belt_disobeys=True,
    )


# -- H9: heart rate ------------------------------------------------------------------------

#: Readings outside this are sensor errors, not heart rates.
PLAUSIBLE_BPM = (25, 250)


#: An unknown rate (no contact, a 0) shorter than this does not break a run above the
#: ceiling; a longer one starts the count again.
UNKNOWN_GAP_S = 5.0


class HeartRateMonitor:
    """H9: above the ceiling for ``over_s`` seconds in a row.

    An unknown rate (``bpm`` None) is never a value: it raises no alarm and does not count
    as above the ceiling. A short gap (a strap's sudden 0) leaves a run above the ceiling
    going; after :data:`UNKNOWN_GAP_S` of unknown the count starts again.
    """

    def __init__(self, ceiling_bpm: int | None, over_s: float, *, named: str | None = None) -> None:
        self.ceiling_bpm = ceiling_bpm
        #: The ceiling as messages name it (whose it is, where it is set).
        self.named = named
        self.over_s = over_s
        self._over_since: float | None = None
        self._known_at: float | None = None
        #: The latest known rate (what an alarm names).
        self.last_bpm: int | None = None

    def reset(self) -> None:
        self._over_since = None

    def check(self, now_s: float, bpm: int | None) -> Alarm | None:
        ceiling = self.ceiling_bpm
        if ceiling is None:
            return None
        if bpm is None:
            if self._known_at is None or now_s - self._known_at > UNKNOWN_GAP_S:
                self._over_since = None
            return None
        self._known_at = now_s
        self.last_bpm = bpm
        if not PLAUSIBLE_BPM[0] <= bpm <= PLAUSIBLE_BPM[1] or bpm <= ceiling:
            self._over_since = None
            return None
        if self._over_since is None:
            self._over_since = now_s
            return None
        if now_s - self._over_since < self.over_s:
            return None
        self._over_since = None
        return Alarm(
            "H9",
            "heart_rate",
            f"Heart rate {bpm} bpm is above {self.named or f'the {ceiling} bpm ceiling'}. "
            "Slowing down: breathe, hold the rails, confirm when you are ready.",
            Action.SLOW_AND_HOLD,
        )


# -- H12: stale data -----------------------------------------------------------------------

#: No Treadmill Data for this long while connected is stale data.
STALE_DATA_S = 5.0


class StaleMonitor:
    def __init__(self, now_s: float) -> None:
        self._records = -1
        self._at_s = now_s
        self._told = False

    def check(self, now_s: float, records: int, connected: bool) -> Alarm | None:
        if records != self._records:
            self._records, self._at_s, self._told = records, now_s, False
            return None
        if connected and not self._told and now_s - self._at_s > STALE_DATA_S:
            self._told = True
            return Alarm(
                "H12",
                "stale",
                "No data from the treadmill for a while: watch the belt.",
                Action.TELL,
                needs_ack=False,
            )
        return None
