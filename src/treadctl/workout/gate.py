"""The last gate: every command to the belt passes here, and here the limits hold.

The runner plans in km/h and asks; the gate decides the value that goes on the wire, in
the machine's own unit and on its own grid, from what it knows now: the way the person
faces, the limits, the machine's range, the last speed the machine accepted and the
last trusted reading of the belt. Whatever the runner asks, and however a hold, a link
loss or a stale ramp confused it, what leaves the gate keeps these promises:

- H2: no speed above the ceiling for the way the person faces (during a turn, for
  either way), rounded *down* onto the machine's grid, in its unit;
- H3: no increase faster than the ramp rate, measured from the higher of the last speed
  sent since the belt started and the trusted belt speed since then, one ramp step at a
  time; a belt at rest starts at the machine's slowest speed;
- H1: the turn speed is no higher than either facing's ceiling;
- H4: values inside the machine's range, rounded to its increment;
- nothing after a stop (:meth:`close`); after a hold, no start and no increase until a
  person acts.

It is pure: no I/O, no clock of its own. Times are passed in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from treadctl.client.grid import SpeedGrid
from treadctl.ftms.ranges import SupportedRange
from treadctl.units import KMH_PER_MPH
from treadctl.workout.profile import Direction
from treadctl.workout.timeline import PlanLimits

#: The smallest speed change a ramp makes at once (machines with a 0.01 km/h increment
#: would otherwise get a hundred commands for each km/h).
MIN_RAMP_STEP_KMH = 0.1
_EPS = 1e-9


class Refusal(StrEnum):
    CLOSED = "closed"
    """After a stop or the end of the workout: nothing more goes to the belt."""
    NEEDS_PERSON = "needs_person"
    """A hold is on: only a person may start the belt again."""
    TOO_SLOW = "too_slow"
    """The machine cannot go as slow as the ceiling for the way the person faces."""
    HELD = "held"
    """The workout is held for a person: nothing speeds the belt up until they act."""
    BACKWARD_OFF = "backward_off"
    """The belt did not do as told: it is not started or sped up with the person backward."""


class Limiter(StrEnum):
    RANGE = "range"
    CEILING = "ceiling"
    RAMP = "ramp"
    AT_REST = "at_rest"
    """The belt is at rest: it starts at the machine's slowest speed."""


@dataclass(frozen=True, slots=True)
class SpeedDecision:
    """What may go to the machine for a wanted speed."""

    wanted_kmh: float
    wire: float | None
    """The value to send, in the machine's unit; None: send nothing."""
    kmh: float
    """What ``wire`` means on the belt, in km/h (0 when refused)."""
    limited_by: Limiter | None = None
    refused: Refusal | None = None


@dataclass(frozen=True, slots=True)
class InclineDecision:
    wanted_pct: float
    pct: float | None
    limited_by: Limiter | None = None
    refused: Refusal | None = None


class CommandGate:
    """Decides every speed, incline and start; told what happens to the belt."""

    def __init__(
        self,
        limits: PlanLimits,
        grid: SpeedGrid,
        incline_range: SupportedRange,
        *,
        unit_verified: bool = True,
    ) -> None:
        self.limits = limits
        self.grid = grid
        self.incline_range = incline_range
        self.unit_verified = unit_verified
        """False until the odometer confirms the machine's speed unit: meanwhile every
        limit is divided by the mph factor, so even a machine that reads km/h numbers as
        mph stays under them."""
        self.facing: Direction = "forward"
        self.turning = False
        self.closed = False
        self.needs_person = False
        self.belt_running = False
        self.stored_wire: float | None = None
        """The speed the machine holds (and goes to on Start); None: unknown."""
        self.backward_off = False
        """Set once the belt has not done as told: never a backward bout on it again."""
        self.follows_speed = False
        """Set once the belt has been seen to go to a speed it was told to (a change of at
        least a ramp step): until then nobody turns backward on it."""
        self._base_kmh = 0.0
        self._base_t_s = 0.0
        self.halts = 0
        """How many times the belt was halted: a start that a halt overtook did not start it."""

    # -- what the runner tells the gate ---------------------------------------------------

    def face(self, facing: Direction, *, turning: bool = False) -> None:
        """The way the person faces; ``turning``: between "turn now" and the turn's end."""
        self.facing = facing
        self.turning = turning

    def observe(self, t_s: float, trusted_kmh: float, *, steady: bool) -> None:
        """A trusted belt reading. A belt *steadily* faster than commanded (a speed set at
        the console) raises the ramp's base; a belt still slowing down to a lower command
        does not (it is on its way down, and a ramp must not start from where it was)."""
        if self.belt_running and steady and trusted_kmh > self._base_kmh + _EPS:
            self._base_kmh, self._base_t_s = trusted_kmh, t_s

    def halted(self, t_s: float) -> None:
        """The belt was paused or stopped (by treadctl, the console, the key, a link loss)."""
        self.halts += 1
        self.belt_running = False
        self._base_kmh, self._base_t_s = 0.0, t_s

    def started(self, t_s: float) -> None:
        """A Start went through: the belt heads for the stored speed."""
        self.belt_running = True
        stored = self.stored_wire if self.stored_wire is not None else self.grid.wire.minimum
        self._base_kmh, self._base_t_s = self.grid.to_kmh(stored), t_s

    def sent_speed(self, wire: float, t_s: float) -> None:
        """The machine accepted ``wire`` as its target."""
        changed = self.stored_wire is None or abs(wire - self.stored_wire) > _EPS
        self.stored_wire = wire
        if self.belt_running and changed:
            self._base_kmh, self._base_t_s = self.grid.to_kmh(wire), t_s

    def forget_stored(self) -> None:
        """The machine's target is unknown (a new link, a reset)."""
        self.stored_wire = None

    def need_person(self) -> None:
        self.needs_person = True

    def person_acted(self) -> None:
        self.needs_person = False

    def turn_backward_off(self) -> None:
        self.backward_off = True

    def close(self) -> None:
        """A stop or the end: refuse everything from now on."""
        self.closed = True

    def set_grid(self, grid: SpeedGrid) -> None:
        """The machine's unit changed (the user switched it to mph)."""
        self.grid = grid
        self.stored_wire = None

    # -- limits in force --------------------------------------------------------------------

    def _facings(self) -> tuple[Direction, ...]:
        return ("forward", "backward") if self.turning else (self.facing,)

    @property
    def unit_factor(self) -> float:
        return 1.0 if self.unit_verified else 1 / KMH_PER_MPH

    def _careful(self, limit_kmh: float) -> float:
        """A speed limit while the unit is unverified: divided by the mph factor, so that
        even a machine that reads our numbers as mph stays under it."""
        return limit_kmh * self.unit_factor

    def _backward_now(self) -> bool:
        return "backward" in self._facings()

    def ceiling_kmh(self) -> float:
        """The speed ceiling now, before the grid (both facings' during a turn)."""
        return self._careful(min(self.limits.speed_ceiling(f) for f in self._facings()))

    def facing_ceiling_kmh(self, facing: Direction) -> float:
        """The ceiling for ``facing``, as careful as the unit check allows (in the
        machine's reported numbers: what its readings are compared with)."""
        return self._careful(self.limits.speed_ceiling(facing))

    def ramp_rate_kmh_per_s(self) -> float:
        return min(self.limits.ramp_rate(f) for f in self._facings()) * self.unit_factor

    @property
    def ramp_step_kmh(self) -> float:
        return self.grid.to_kmh(self.grid.ramp_step_wire(MIN_RAMP_STEP_KMH))

    @property
    def start_wire(self) -> float:
        """A belt at rest starts here: the machine's slowest speed."""
        return self.grid.wire.minimum

    def turn_speed_kmh(self) -> float:
        """The turn speed on the grid, under both facings' ceilings; 0: pause the belt."""
        wanted = min(
            self.limits.turn_speed_kmh,
            self.limits.max_forward_speed_kmh,
            self.limits.max_backward_speed_kmh,
        )
        if wanted <= 0:
            return 0.0
        wire = self.grid.floor(self._careful(wanted))
        return 0.0 if wire is None else self.grid.to_kmh(wire)

    def lowest_ceiling_fits(self, facing: Direction) -> bool:
        """Can the machine go as slow as the ceiling for ``facing`` (as careful as now)?"""
        return self.grid.floor(self._careful(self.limits.speed_ceiling(facing))) is not None

    def backward_ready(self, *, judge_following: bool = True) -> str | None:
        """Why the person may not turn backward now (None: they may).

        Never on a belt that has disobeyed; not before the belt has shown it follows a
        speed command; not while the machine's speed unit is unchecked and its slowest
        speed could then be above the backward ceiling.
        """
        if self.backward_off:
            return "the treadmill did not do as it was told"
        if judge_following and not self.follows_speed:
            return "the treadmill has not yet shown that it follows speed commands"
        if not self.lowest_ceiling_fits("backward"):
            return "the treadmill's speed unit is not checked yet: walk forward a little longer"
        return None

    # -- decisions ----------------------------------------------------------------------------

    def speed(self, kmh: float, t_s: float) -> SpeedDecision:
        """The wire value that may go out for a wanted ``kmh`` now."""
        if self.closed:
            return SpeedDecision(kmh, None, 0.0, refused=Refusal.CLOSED)
        ceiling_wire = self.grid.floor(self.ceiling_kmh())
        if ceiling_wire is None:
            return SpeedDecision(kmh, None, 0.0, refused=Refusal.TOO_SLOW)
        wire = self.grid.nearest(kmh)
        limiter: Limiter | None = None
        if not self.grid.wire.contains(self.grid.to_wire(kmh)):
            limiter = Limiter.RANGE
        if wire > ceiling_wire + _EPS:
            wire, limiter = ceiling_wire, Limiter.CEILING
        stored = self.stored_wire
        rising = stored is None or wire > stored + _EPS
        if self.needs_person and rising and self.belt_running:
            return SpeedDecision(kmh, None, 0.0, refused=Refusal.HELD)
        if self.backward_off and self._backward_now() and rising:
            return SpeedDecision(kmh, None, 0.0, refused=Refusal.BACKWARD_OFF)
        if not self.belt_running:
            if wire > self.start_wire + _EPS:
                wire, limiter = self.start_wire, Limiter.AT_REST
        elif self.grid.to_kmh(wire) > self._base_kmh + _EPS:
            elapsed_s = max(0.0, t_s - self._base_t_s)
            rise_kmh = min(self.ramp_step_kmh, self.ramp_rate_kmh_per_s() * elapsed_s)
            allowed = self.grid.floor(self._base_kmh + rise_kmh + 1e-6)
            if allowed is None:
                allowed = self.start_wire
            if wire > allowed + _EPS:
                wire, limiter = allowed, Limiter.RAMP
        return SpeedDecision(kmh, wire, self.grid.to_kmh(wire), limited_by=limiter)

    def start_refusal(self) -> Refusal | None:
        """Why a Start may not go out now (None: it may)."""
        if self.closed:
            return Refusal.CLOSED
        if self.needs_person:
            return Refusal.NEEDS_PERSON
        if self.backward_off and self._backward_now():
            return Refusal.BACKWARD_OFF
        if self.grid.floor(self.ceiling_kmh()) is None:
            return Refusal.TOO_SLOW
        return None

    def must_store_before_start(self) -> float | None:
        """A slow speed the machine must hold before a Start (None: it already does)."""
        stored = self.stored_wire
        if stored is not None and stored <= self.start_wire + _EPS:
            return None
        return self.start_wire

    def incline(self, pct: float) -> InclineDecision:
        if self.closed:
            return InclineDecision(pct, None, refused=Refusal.CLOSED)
        rng = self.incline_range
        value = rng.snap(pct).value
        limiter = Limiter.RANGE if not rng.contains(pct) else None
        ceilings = [c for f in self._facings() if (c := self.limits.incline_ceiling(f)) is not None]
        if ceilings and value > min(ceilings) + _EPS:
            steps = math.floor((min(ceilings) - rng.minimum) / rng.increment + 1e-6)
            value = round(max(rng.minimum, rng.minimum + steps * rng.increment), 2)
            limiter = Limiter.CEILING
        return InclineDecision(pct, value, limited_by=limiter)
