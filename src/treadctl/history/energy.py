"""Energy: an honest estimate for backward walking, with the basis it rests on.

A treadmill's own kilocalories assume forward walking; backward walking costs more. This
model (sources and numbers in docs/history.md, "Energy"):

- **Heart rate** where the log has it and the user has set age and sex: Keytel et al.
  (2005), the equations from heart rate, body mass, age and sex, for samples at
  ``KEYTEL_MIN_BPM`` or more (below that the equations do not hold).
- **Speed and incline** otherwise. Facing forward: the ACSM walking and running
  equations. Facing backward: the Compendium of Physical Activities (2011) at 3.5 mph,
  6.0 MET level and 8.0 MET at 5 % grade (forward brisk walking there: 4.3), with
  the grade between and beyond linear, and other speeds scaled as the ACSM walking
  equation scales the net cost. At 10 % grade this gives 17.5 % above forward
  walking, inside the 17-20 % that studies at 5-10 % grades found for heart rate
  and VO2.

It is always an estimate: :class:`EnergyEstimate` says which basis covered how much time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from treadctl.acsm import acsm_met
from treadctl.units import KMH_PER_MPH
from treadctl.workout.profile import Direction

Sex = Literal["female", "male"]

#: Used when the user has not set a body mass (the simulator assumes the same).
DEFAULT_BODY_MASS_KG = 70.0
#: The Compendium's reference speed for walking backward: 3.5 mph.
REFERENCE_SPEED_KMH = 3.5 * KMH_PER_MPH
#: Compendium 2011, walking backward 3.5 mph: level, and uphill at 5 % grade.
BACKWARD_LEVEL_MET = 6.0
BACKWARD_5PCT_MET = 8.0
#: Compendium 2011, walking forward 3.5 mph, level, brisk (for comparison in the docs).
FORWARD_LEVEL_MET = 4.3
#: Grades beyond this are outside every source: the model holds the cost there.
MAX_MODEL_GRADE_PCT = 15.0
#: Forward: the ACSM running equation from this speed (the walk-run transition, 2 m/s).
FORWARD_RUNNING_FROM_KMH = 7.2
#: People switch from walking to running backward at about this speed; above it the
#: backward estimate extends the walking relation, and says so.
BACKWARD_RUNNING_FROM_KMH = 5.9
#: Keytel et al. (2005) was fitted on exercise heart rates; below this it does not hold.
KEYTEL_MIN_BPM = 90
RESTING_MET = 1.0
KJ_PER_KCAL = 4.184


def acsm_forward_met(speed_kmh: float, incline_pct: float) -> float:
    """ACSM metabolic equations for walking (below 7.2 km/h) and running, in METs."""
    return acsm_met(speed_kmh, incline_pct, running_from_kmh=FORWARD_RUNNING_FROM_KMH)


def _walking_net_vo2(speed_kmh: float, grade_pct: float) -> float:
    m_per_min = speed_kmh * 1000 / 60
    return 0.1 * m_per_min + 1.8 * m_per_min * grade_pct / 100


def backward_met(speed_kmh: float, incline_pct: float) -> float:
    """METs walking backward: the Compendium at 3.5 mph, scaled to other speeds."""
    if speed_kmh <= 0:
        return RESTING_MET
    grade = min(max(incline_pct, 0.0), MAX_MODEL_GRADE_PCT)
    at_reference = BACKWARD_LEVEL_MET + (BACKWARD_5PCT_MET - BACKWARD_LEVEL_MET) * grade / 5.0
    scale = _walking_net_vo2(speed_kmh, grade) / _walking_net_vo2(REFERENCE_SPEED_KMH, grade)
    return RESTING_MET + (at_reference - RESTING_MET) * scale


def met_for(speed_kmh: float, incline_pct: float, facing: Direction) -> float:
    if facing == "backward":
        return backward_met(speed_kmh, incline_pct)
    return acsm_forward_met(speed_kmh, incline_pct)


def keytel_kcal_per_min(heart_rate_bpm: float, mass_kg: float, age_years: float, sex: Sex) -> float:
    """Keytel et al. (2005), without VO2max: energy from heart rate, in kcal a minute."""
    if sex == "male":
        kj = -55.0969 + 0.6309 * heart_rate_bpm + 0.1988 * mass_kg + 0.2017 * age_years
    else:
        kj = -20.4022 + 0.4472 * heart_rate_bpm - 0.1263 * mass_kg + 0.074 * age_years
    return max(kj, 0.0) / KJ_PER_KCAL


@dataclass(frozen=True)
class Body:
    """What the estimate knows about the person (from the settings)."""

    mass_kg: float | None = None
    age_years: int | None = None
    sex: Sex | None = None

    @property
    def mass_or_default_kg(self) -> float:
        return self.mass_kg if self.mass_kg is not None else DEFAULT_BODY_MASS_KG


@dataclass(frozen=True)
class Interval:
    """A stretch of the session: how long, how fast, which way, and the heart rate."""

    duration_s: float
    speed_kmh: float | None
    incline_pct: float | None
    facing: Direction
    heart_rate_bpm: int | None = None


@dataclass(frozen=True)
class EnergyEstimate:
    kcal: float
    by_heart_rate_s: float
    by_speed_s: float
    forward_equivalent_kcal: float
    """The same session's speed-and-incline estimate as if it were all walked forward."""
    body: Body
    backward_above_walking_s: float = 0.0
    heart_rate_unused: bool = False
    """Heart rate was in the log, but age and sex are not set, so it could not be used."""

    @property
    def basis(self) -> str:
        """One line saying what the number rests on."""
        total = self.by_heart_rate_s + self.by_speed_s
        parts = []
        if self.by_heart_rate_s > 0:
            share = round(100 * self.by_heart_rate_s / total) if total else 100
            parts.append(f"heart rate (Keytel 2005) for {share} % of the time")
        if self.by_speed_s > 0 or not parts:
            parts.append(
                "speed and incline (backward: Compendium 2011; forward: ACSM)"
                if not parts
                else "speed and incline for the rest"
            )
        mass = (
            f"{self.body.mass_kg:g} kg"
            if self.body.mass_kg is not None
            else f"{DEFAULT_BODY_MASS_KG:g} kg assumed (set body_mass_kg)"
        )
        text = f"estimate from {', '.join(parts)}; body mass {mass}"
        if self.heart_rate_unused:
            text += "; heart rate not used (set age_years and sex)"
        if self.backward_above_walking_s > 0:
            text += "; backward running extrapolated from walking"
        return text


def estimate(intervals: Iterable[Interval], body: Body) -> EnergyEstimate:
    """The energy of a session from its intervals (see the module's docstring)."""
    mass = body.mass_or_default_kg
    use_hr = body.age_years is not None and body.sex is not None
    kcal = forward_kcal = by_hr_s = by_speed_s = running_s = 0.0
    hr_seen = False
    for item in intervals:
        if item.duration_s <= 0:
            continue
        hours = item.duration_s / 3600
        speed = item.speed_kmh or 0.0
        incline = item.incline_pct or 0.0
        forward_kcal += acsm_forward_met(speed, incline) * mass * hours
        hr = item.heart_rate_bpm
        hr_seen = hr_seen or hr is not None
        if use_hr and hr is not None and hr >= KEYTEL_MIN_BPM:
            assert body.age_years is not None
            assert body.sex is not None
            kcal += keytel_kcal_per_min(hr, mass, body.age_years, body.sex) * item.duration_s / 60
            by_hr_s += item.duration_s
            continue
        kcal += met_for(speed, incline, item.facing) * mass * hours
        by_speed_s += item.duration_s
        if item.facing == "backward" and speed > BACKWARD_RUNNING_FROM_KMH:
            running_s += item.duration_s
    return EnergyEstimate(
        kcal=kcal,
        by_heart_rate_s=by_hr_s,
        by_speed_s=by_speed_s,
        forward_equivalent_kcal=forward_kcal,
        body=body,
        backward_above_walking_s=running_s,
        heart_rate_unused=hr_seen and not use_hr,
    )
