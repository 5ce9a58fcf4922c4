"""Running totals of a workout: one counter that the runner and every sink read.

A treadmill reports its session totals (distance, energy) as counters that reset when its
own session restarts (a stop and a start). Turning those into a workout's totals takes a
rule, and one rule only:

- a counter that grows adds what it grew;
- a large drop (to half its last value or less) is the machine starting a new session:
  the new value is what it has counted since;
- a small step back is an out-of-order or bad record (H12): skipped and counted, so the
  same metres are never counted twice;
- a jump larger than the belt could have covered since the last record is impossible
  data (H12): skipped, counted, and taken as the new reference.

Backward time and distance are what was counted while the person faced backward.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from treadctl.workout.profile import Direction

#: A counter that drops to this share of its last value or less restarted.
RESET_FRACTION = 0.5
#: Distance a record may add beyond what the top speed explains (rounding, late records).
DISTANCE_SLACK_M = 5.0
#: Energy a record may add at most per second, and on top (a sprint burns ~0.4 kcal/s).
ENERGY_PER_S_KCAL = 1.0
ENERGY_SLACK_KCAL = 5.0


class Step(StrEnum):
    GREW = "grew"
    RESTARTED = "restarted"
    OUT_OF_ORDER = "out_of_order"
    IMPOSSIBLE = "impossible"


@dataclass(frozen=True, slots=True)
class Totals:
    """A frozen copy of the totals, for summaries and sinks."""

    distance_m: float
    backward_distance_m: float
    energy_kcal: float | None
    backward_s: float
    out_of_order: int
    impossible: int


class Counter:
    """One machine counter turned into a total."""

    def __init__(self, max_rate_per_s: float, slack: float) -> None:
        self.max_rate_per_s = max_rate_per_s
        self.slack = slack
        self.total = 0.0
        self._last: float | None = None
        self._last_t_s: float | None = None

    def feed(self, t_s: float, value: float) -> tuple[Step, float]:
        """Take a reading; returns what kind of step it was and what it added."""
        last, last_t = self._last, self._last_t_s
        self._last_t_s = t_s
        if last is None or last_t is None:
            self._last = value
            return Step.GREW, 0.0
        if value >= last:
            gain = value - last
            if gain > self.max_rate_per_s * max(t_s - last_t, 0.0) + self.slack:
                self._last = value
                return Step.IMPOSSIBLE, 0.0
            self._last = value
            self.total += gain
            return Step.GREW, gain
        if value <= last * RESET_FRACTION:
            self._last = value
            if value > self.max_rate_per_s * max(t_s - last_t, 0.0) + self.slack:
                return Step.IMPOSSIBLE, 0.0
            self.total += value
            return Step.RESTARTED, value
        return Step.OUT_OF_ORDER, 0.0


class RunningTotals:
    """Distance, energy and backward time of one workout."""

    def __init__(self, max_speed_kmh: float) -> None:
        self.distance = Counter(max_speed_kmh / 3.6 * 1.5, DISTANCE_SLACK_M)
        self.energy = Counter(ENERGY_PER_S_KCAL, ENERGY_SLACK_KCAL)
        self.backward_distance_m = 0.0
        self.backward_s = 0.0
        self.out_of_order = 0
        self.impossible = 0
        self._energy_seen = False
        self._last_workout_s: float | None = None

    def _count(self, step: Step) -> None:
        if step is Step.OUT_OF_ORDER:
            self.out_of_order += 1
        elif step is Step.IMPOSSIBLE:
            self.impossible += 1

    def feed_distance(self, t_s: float, distance_m: float, facing: Direction) -> Step:
        step, gain = self.distance.feed(t_s, distance_m)
        self._count(step)
        if facing == "backward":
            self.backward_distance_m += gain
        return step

    def feed_energy(self, t_s: float, energy_kcal: float) -> Step:
        self._energy_seen = True
        step, _ = self.energy.feed(t_s, energy_kcal)
        self._count(step)
        return step

    def tick(self, workout_s: float, facing: Direction) -> None:
        """Workout time passed (the clock of the plan: pauses excluded)."""
        if self._last_workout_s is not None and facing == "backward":
            self.backward_s += max(0.0, workout_s - self._last_workout_s)
        self._last_workout_s = workout_s

    @property
    def distance_m(self) -> float:
        return self.distance.total

    @property
    def energy_kcal(self) -> float | None:
        return self.energy.total if self._energy_seen else None

    def snapshot(self) -> Totals:
        return Totals(
            distance_m=round(self.distance_m, 1),
            backward_distance_m=round(self.backward_distance_m, 1),
            energy_kcal=None if self.energy_kcal is None else round(self.energy_kcal, 1),
            backward_s=round(self.backward_s, 1),
            out_of_order=self.out_of_order,
            impossible=self.impossible,
        )
