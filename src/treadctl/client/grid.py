"""The machine's speed grid, in its own unit, seen from km/h.

A treadmill takes speeds on a grid: a minimum, a maximum and an increment, all in the
unit of its speed fields (km/h per the spec, mph numbers on some machines). Every
decision about a speed limit is made here, on that grid, so a ceiling holds on the belt:
a 2.5 km/h ceiling on an mph machine is 1.5 mph (2.41 km/h), never 1.6 mph (2.57 km/h).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from treadctl.ftms.ranges import SupportedRange
from treadctl.units import KMH_PER_MPH, SpeedUnit

#: Float noise below this (in grid steps) is ignored when flooring onto the grid.
_STEP_EPSILON = 1e-6


@dataclass(frozen=True, slots=True)
class SpeedGrid:
    """A machine's speed range (``wire``, in its own unit) and that unit."""

    wire: SupportedRange
    unit: SpeedUnit = "kmh"

    def to_kmh(self, wire_value: float) -> float:
        """What a wire value means on the belt, in km/h (exact, not rounded)."""
        return wire_value * KMH_PER_MPH if self.unit == "mph" else wire_value

    def to_wire(self, kmh: float) -> float:
        return kmh / KMH_PER_MPH if self.unit == "mph" else kmh

    @property
    def minimum_kmh(self) -> float:
        return self.to_kmh(self.wire.minimum)

    @property
    def maximum_kmh(self) -> float:
        return self.to_kmh(self.wire.maximum)

    @property
    def increment_kmh(self) -> float:
        return self.to_kmh(self.wire.increment)

    def _grid_value(self, steps: int) -> float:
        return round(self.wire.minimum + steps * self.wire.increment, 4)

    def nearest(self, kmh: float) -> float:
        """The wire value nearest ``kmh``, inside the range (hazard H4: round, never truncate)."""
        return self.wire.snap(self.to_wire(kmh)).value

    def floor(self, kmh: float) -> float | None:
        """The largest wire value whose belt speed is at most ``kmh``; None below the minimum."""
        wire = self.to_wire(kmh)
        if wire < self.wire.minimum - _STEP_EPSILON * self.wire.increment:
            return None
        wire = min(wire, self.wire.maximum)
        steps = math.floor((wire - self.wire.minimum) / self.wire.increment + _STEP_EPSILON)
        return self._grid_value(max(steps, 0))

    def at_most(self, kmh: float, ceiling_kmh: float) -> float | None:
        """``kmh`` rounded to the nearest grid value, or floored if that is above the ceiling.

        None: the machine cannot go as slow as ``ceiling_kmh``.
        """
        floor = self.floor(ceiling_kmh)
        if floor is None:
            return None
        return min(self.nearest(kmh), floor)

    def step_above(self, wire_value: float) -> float:
        """The next grid value above ``wire_value`` (the maximum at most)."""
        steps = math.floor((wire_value - self.wire.minimum) / self.wire.increment + _STEP_EPSILON)
        return min(self._grid_value(steps + 1), self.wire.maximum)

    def ramp_step_wire(self, min_step_kmh: float) -> float:
        """The smallest whole number of increments that is at least ``min_step_kmh``."""
        increments = max(1, math.ceil(self.to_wire(min_step_kmh) / self.wire.increment - 1e-6))
        return round(increments * self.wire.increment, 4)
