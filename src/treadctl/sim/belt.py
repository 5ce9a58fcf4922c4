"""Belt and incline motor physics: bounded rates, and what a session accumulates.

Pure arithmetic on elapsed time; the simulator calls :meth:`Belt.advance` before every
change and every notification, so targets set between ticks take effect at the exact
clock time they were set.
"""

from __future__ import annotations

from dataclasses import dataclass

from treadctl.acsm import acsm_met
from treadctl.sim.config import SimConfig

#: Above this speed the energy model switches from walking to running (ACSM).
RUNNING_FROM_KMH = 8.0
WALK_STEP_M = 0.65
RUN_STEP_M = 1.0


def _approach(value: float, target: float, max_delta: float) -> float:
    if value < target:
        return min(target, value + max_delta)
    return max(target, value - max_delta)


def met_for(speed_kmh: float, incline_pct: float) -> float:
    """Metabolic equivalents from the ACSM walking and running equations (the console's
    own estimate takes running from 8 km/h)."""
    return acsm_met(speed_kmh, incline_pct, running_from_kmh=RUNNING_FROM_KMH)


@dataclass
class Belt:
    config: SimConfig
    speed_kmh: float = 0.0
    target_speed_kmh: float = 0.0
    incline_pct: float = 0.0
    target_incline_pct: float = 0.0
    distance_m: float = 0.0
    elevation_gain_m: float = 0.0
    energy_kcal: float = 0.0
    elapsed_s: float = 0.0
    moving_s: float = 0.0
    steps: float = 0.0
    emergency: bool = False
    counting: bool = False
    """Whether the session clock runs (the machine is started, not paused or stopped)."""

    def advance(self, dt_s: float) -> None:
        if dt_s <= 0:
            return
        decel = (
            self.config.emergency_decel_kmh_per_s if self.emergency else self.config.decel_kmh_per_s
        )
        rate = self.config.accel_kmh_per_s if self.target_speed_kmh > self.speed_kmh else decel
        v0 = self.speed_kmh
        v1 = _approach(v0, self.target_speed_kmh, rate * dt_s)
        self.speed_kmh = v1
        if v1 == 0 and self.emergency:
            self.emergency = False
        self.incline_pct = _approach(
            self.incline_pct, self.target_incline_pct, self.config.incline_pct_per_s * dt_s
        )
        ddist_m = (v0 + v1) / 2 / 3.6 * dt_s
        self.distance_m += ddist_m
        self.elevation_gain_m += ddist_m * max(self.incline_pct, 0.0) / 100
        mean_kmh = (v0 + v1) / 2
        if mean_kmh > 0:
            self.moving_s += dt_s
            met = met_for(mean_kmh, self.incline_pct)
            self.energy_kcal += met * self.config.user_weight_kg * dt_s / 3600
            step_m = RUN_STEP_M if mean_kmh >= RUNNING_FROM_KMH else WALK_STEP_M
            self.steps += ddist_m / step_m
        if self.counting:
            self.elapsed_s += dt_s

    @property
    def met(self) -> float:
        return met_for(self.speed_kmh, self.incline_pct)

    @property
    def average_speed_kmh(self) -> float:
        return self.distance_m / self.moving_s * 3.6 if self.moving_s > 0 else 0.0

    def reset_session(self) -> None:
        self.distance_m = self.elevation_gain_m = self.energy_kcal = 0.0
        self.elapsed_s = self.moving_s = self.steps = 0.0
