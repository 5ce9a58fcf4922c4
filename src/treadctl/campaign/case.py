"""One campaign case from a seed: a profile, limits, a machine, its quirks, and a plan of faults.

Everything is drawn from ``random.Random(seed)``, so a seed names a case for good: a
violation found at seed 4711 is replayed by running seed 4711 again.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass, field
from typing import Any

from treadctl.sim import Quirk, SimConfig
from treadctl.sim.config import COMMANDABLE_QUIRKS
from treadctl.units import SpeedUnit
from treadctl.workout.builtin import list_builtin
from treadctl.workout.timeline import PlanLimits

#: Fault kinds the injector knows, with their weights when one is drawn.
FAULTS: dict[str, float] = {
    "link_drop": 3.0,
    "cp_timeout": 2.0,
    "console_stop": 1.0,
    "console_pause": 2.0,
    "console_start": 1.0,
    "console_speed": 2.0,
    "safety_key": 0.3,
    "revoke_control": 1.5,
    "bogus_reading": 3.0,
    "duplicate_reading": 1.5,
    "stale_distance": 1.0,
    "hr_spike": 1.0,
}

#: The share of cases on a treadmill that cannot be commanded (advisory mode).
ADVISORY_SHARE = 0.1

#: What the person does on their own, with weights.
PERSON: dict[str, float] = {
    "pause": 2.0,
    "resume": 2.0,
    "confirm": 2.0,
    "speed_up": 2.0,
    "slow_down": 1.5,
    "incline_up": 1.0,
    "incline_down": 1.0,
}


@dataclass(frozen=True)
class Case:
    seed: int
    segments: tuple[dict[str, Any], ...] | None
    """A generated profile's segments, or None for a built-in profile."""
    builtin: str | None
    limits: PlanLimits
    sim: SimConfig
    client_unit: SpeedUnit
    fault_rate_per_min: float
    person_rate_per_min: float
    turn_fault_chance: float
    confirm_after_s: tuple[float, float]
    stop_at_s: float | None
    """The person presses stop at this time (a few cases)."""
    heart_rate_bpm: int | None
    notes: list[str] = field(default_factory=list)
    advisory_slips: float = 0.0
    """Advisory cases: the chance the person at the console sets a wrong, faster speed."""

    @property
    def quirks(self) -> frozenset[Quirk]:
        return self.sim.quirks


def _weighted(rng: random.Random, table: dict[str, float]) -> str:
    return rng.choices(list(table), weights=list(table.values()))[0]


def draw_fault(rng: random.Random) -> str:
    return _weighted(rng, FAULTS)


def draw_action(rng: random.Random) -> str:
    return _weighted(rng, PERSON)


def _segments(rng: random.Random, limits: PlanLimits, count: int) -> tuple[dict[str, Any], ...]:
    out = []
    for i in range(count):
        backward = rng.random() < 0.5
        ceiling = (
            limits.max_backward_speed_kmh if backward else min(limits.max_forward_speed_kmh, 10.0)
        )
        speed = round(rng.uniform(0.5, ceiling), 1)
        speed = min(max(speed, 0.5), ceiling)
        incline_cap = limits.max_backward_incline_pct if backward else 8.0
        out.append(
            {
                "label": f"s{i}",
                "direction": "backward" if backward else "forward",
                "speed_kmh": speed,
                "incline_pct": round(rng.uniform(0, incline_cap) * 2) / 2,
                "duration": f"{rng.randint(8, 45)}s",
            }
        )
    return tuple(out)


def make_case(seed: int, *, builtin_share: float = 0.0) -> Case:
    rng = random.Random(seed)
    back_ceiling = rng.choice([0.8, 1.2, 2.0, 2.5, 3.0, 3.0, 4.5])
    limits = PlanLimits(
        max_backward_speed_kmh=back_ceiling,
        max_backward_incline_pct=rng.choice([0.0, 3.0, 5.0]),
        max_forward_speed_kmh=rng.choice([6.0, 10.0, 12.0]),
        ramp_rate_forward_kmh_per_s=rng.choice([0.3, 0.5, 1.0]),
        ramp_rate_backward_kmh_per_s=rng.choice([0.1, 0.25, 0.25, 0.5]),
        turn_speed_kmh=rng.choice([0.0, 0.5, 0.8, 0.8, 1.2, 2.0]),
        turn_hold_s=rng.choice([2.0, 3.0, 5.0]),
        turn_confirm=rng.random() < 0.2,
        turn_warning_s=rng.choice([3.0, 5.0]),
        max_heart_rate_bpm=rng.choice([None, None, 150]),
        heart_rate_over_s=rng.choice([5.0, 10.0]),
    )
    quirks = frozenset(q for q in COMMANDABLE_QUIRKS if rng.random() < 0.12)
    mph = Quirk.MPH_FIELDS in quirks
    sim = SimConfig(
        min_speed_kmh=rng.choice([0.3, 0.5, 0.5, 0.8, 1.0]),
        max_speed_kmh=rng.choice([12.0, 16.0, 20.0]),
        speed_increment_kmh=rng.choice([0.05, 0.1, 0.1, 0.2]),
        accel_kmh_per_s=rng.choice([0.3, 0.5, 1.0, 1.5]),
        decel_kmh_per_s=rng.choice([0.3, 0.5, 1.0, 1.5]),
        start_speed_kmh=rng.choice([0.8, 1.0, 2.0, 4.0]),
        data_rate_hz=rng.choice([1.0, 2.0, 2.0, 4.0]),
        cp_response_delay_s=rng.choice([0.01, 0.045, 0.2]),
        max_packet_len=rng.choice([None, 20]),
        quirks=quirks,
    )
    builtin = None
    segments: tuple[dict[str, Any], ...] | None = None
    if rng.random() < builtin_share:
        builtin = rng.choice(list_builtin())[0]
    else:
        segments = _segments(rng, limits, rng.randint(2, 5))
    case = Case(
        seed=seed,
        segments=segments,
        builtin=builtin,
        limits=limits,
        sim=sim,
        client_unit="mph" if mph and rng.random() < 0.5 else "kmh",
        fault_rate_per_min=rng.choice([0.5, 1.0, 2.0, 4.0]),
        person_rate_per_min=rng.choice([0.5, 1.0, 3.0]),
        turn_fault_chance=rng.choice([0.1, 0.3, 0.6]),
        confirm_after_s=rng.choice([(1.0, 5.0), (2.0, 20.0), (5.0, 40.0)]),
        stop_at_s=rng.uniform(10, 200) if rng.random() < 0.05 else None,
        heart_rate_bpm=rng.choice([None, None, 120]),
    )
    # Drawn last, so that the cases drawn before advisory mode came stay the same.
    if rng.random() >= ADVISORY_SHARE:
        return case
    # A treadmill that cannot be commanded: the person sets its console. Not with mph
    # numbers in km/h fields (the person would read the console's mph).
    quirk = rng.choice([Quirk.NO_CONTROL_POINT, Quirk.COMMANDS_IGNORED])
    return dataclasses.replace(
        case,
        sim=dataclasses.replace(sim, quirks=(quirks - {Quirk.MPH_FIELDS}) | {quirk}),
        client_unit="kmh",
        advisory_slips=rng.choice([0.0, 0.2, 0.5]),
    )
