"""Judging a workout by what the simulated belt did, not by what the runner believes.

The judge watches the simulator's belt physics (every time they advance) and is told what
the people did: when the person turned, confirmed or resumed, and what happened at the
console. It holds the belt to the safety model's promises:

- ``ceiling``: never above the ceiling for the way the person faces (H2);
- ``turn``: the person turns only with the belt at or under the turn speed, and it stays
  there while they turn (H1);
- ``rise``: speed rises no faster than the ramp rate for the way the person faces, in
  steps the machine can take (H3);
- ``frozen``: no rise after a link loss, a stop or a hold until a person acts (H5, H6);
- ``stopped``: after an emergency stop or the end, the belt never speeds up again;
- ``warned``: a turn on a moving belt was announced ahead (H1);
- ``alarm``: in advisory mode (treadctl cannot command the belt, the person sets the
  console), a belt over the ceiling is alarmed at once: within a few readings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from treadctl.ftms.control_point import SetTargetSpeed
from treadctl.sim import Quirk, SimTreadmill
from treadctl.units import KMH_PER_MPH
from treadctl.workout.events import (
    Finished,
    Paused,
    SafetyAlert,
    Turnaround,
    UserAction,
    WorkoutEvent,
)
from treadctl.workout.profile import Direction
from treadctl.workout.timeline import PlanLimits

#: Slack for the belt against a limit (readings are rounded to 0.01 km/h).
LIMIT_TOLERANCE_KMH = 0.05
#: A belt this far over a ceiling (or a grid step, if more) is over it.
BELT_CEILING_MARGIN_KMH = 0.15
#: Slack at a turn: the decision is made on readings up to a record old.
TURN_TOLERANCE_KMH = 0.1
#: After a person sets a speed at the console, limits on rising are theirs for this long.
CONSOLE_GRACE_S = 10.0
#: A belt over a ceiling treadctl did not send (a console, a disobeying machine) must be
#: back under it, paused or stopped this long after it went over (plus the time its motor
#: takes to slow from where it got to): two readings to be sure, then the command.
OVER_CEILING_GRACE_S = 4.0
#: Advisory mode: a belt over the ceiling this long (plus three readings) unalarmed is late.
ADVISORY_ALARM_S = 1.5
#: Under the ceiling this long ends an episode over it (shorter dips belong to it).
ADVISORY_EPISODE_GAP_S = 2.0
#: treadctl says a belt over the ceiling again this often (workout/advisory.py), plus slack.
ADVISORY_REPEAT_S = 11.0


def belt_steps(sim: SimTreadmill) -> tuple[float, float]:
    """The simulated machine's real slowest speed and speed step, in km/h on the belt."""
    wire = sim.speed_range_wire()
    factor = KMH_PER_MPH if sim.config.has(Quirk.MPH_FIELDS) else 1.0
    return wire.minimum * factor, wire.increment * factor


@dataclass(frozen=True)
class Violation:
    t_s: float
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.t_s:8.2f} s] {self.rule}: {self.detail}"


@dataclass
class BeltJudge:
    """Attach with :meth:`watch`; tell it what people do; read ``violations``."""

    limits: PlanLimits
    minimum_kmh: float
    increment_kmh: float
    facing: Direction = "forward"
    turn_speed_kmh: float | None = None
    """The turn speed the belt is held to (default: the limits' turn speed)."""
    violations: list[Violation] = field(default_factory=list)
    can_command: Callable[[], bool] = lambda: True
    """Whether treadctl can command the belt now (a link and control): time over a ceiling
    it could do nothing about is not held against it."""
    advisory: Callable[[], bool] = lambda: False
    """Advisory mode now: treadctl cannot command the belt, and must alarm instead."""
    sees: Callable[[], bool] = lambda: True
    """Whether treadctl gets the belt's readings now (a link)."""
    observations: int = 0
    turns: int = 0
    _warned: bool = False
    _last: tuple[float, float] = (0.0, 0.0)
    _envelope_min: float | None = None
    _frozen_cap: float | None = None
    _ended: bool = False
    _turning_until: float | None = None
    _console_at: float | None = None
    _console_start_at: float | None = None
    _console_target: float | None = None
    _target: float = 0.0
    _requests_seen: int = 0
    _over_s: float | None = None
    _over_last_t: float = 0.0
    _over_peak: float = 0.0
    _over_told: bool = False
    _seen_rules: set[str] = field(default_factory=set)
    _alarm_over_since: float | None = None
    _alarm_under_since: float | None = None
    _alarmed_at: float | None = None
    _alarm_told: bool = False

    def watch(self, sim: SimTreadmill) -> None:
        self._sim = sim
        sim.observers.append(self._observe)

    # -- what people did ------------------------------------------------------------------

    def follow(self, t_s: float, event: WorkoutEvent) -> None:
        """What the runner's events say the person did (turned, confirmed, stopped)."""
        match event:
            case Turnaround(phase="warning"):
                self._warned = True
            case Turnaround(phase="turn_now", to_facing=to):
                if not self._warned and self._belt_now(t_s) > 0.05:
                    self._violate(t_s, "warned", "a turn on a moving belt without a warning")
                self._warned = False
                self.turned(t_s, to, self.limits.turn_hold_s)
            case Turnaround(phase="done"):
                self.turn_done(t_s)
            case Paused():
                self.frozen(t_s)
            case UserAction(action="confirm" | "resume"):
                self.person_acted(t_s)
            case UserAction(action="stop") | Finished():
                self.ended(t_s)
            case SafetyAlert(kind="over_ceiling"):
                self._alarmed_at = t_s
            case _:
                pass

    def turned(self, t_s: float, to_facing: Direction, hold_s: float) -> None:
        belt = self._belt_now(t_s)
        turn = self._turn_speed()
        if belt > turn + TURN_TOLERANCE_KMH and not self._console_recent(t_s):
            self._violate(t_s, "turn", f"turned at {belt:.2f} km/h (turn speed {turn:g})")
        self.facing = to_facing
        self.turns += 1
        self._turning_until = t_s + hold_s
        self._envelope_min = None

    def turn_done(self, t_s: float) -> None:
        self._turning_until = None
        self._envelope_min = None

    def person_acted(self, t_s: float) -> None:
        self._frozen_cap = None
        self._envelope_min = None

    def console_start(self, t_s: float) -> None:
        """A person started the belt at the console: it goes to the speed the machine
        holds, at the machine's own pace, until treadctl next sets one."""
        self._console_start_at = t_s
        self.person_acted(t_s)

    def console_speed(self, t_s: float, kmh: float) -> None:
        """A person set ``kmh`` at the console: as long as the machine keeps that target,
        the belt goes where they asked; once treadctl replaces it, the belt gets the time
        it needs to come back under the ceiling."""
        self._console_at = t_s
        self._console_target = kmh
        self.person_acted(t_s)

    def frozen(self, t_s: float) -> None:
        """From now on the belt must not rise until a person acts (a hold, a link loss)."""
        if self._frozen_cap is None:
            belt = self._belt_now(t_s)
            self._frozen_cap = max(belt, self._target)

    def ended(self, t_s: float) -> None:
        """An emergency stop, or the end: nothing may speed the belt up again."""
        self.frozen(t_s)
        self._ended = True

    # -- the belt ---------------------------------------------------------------------------

    def _turn_speed(self) -> float:
        base = (
            self.turn_speed_kmh if self.turn_speed_kmh is not None else self.limits.turn_speed_kmh
        )
        return min(base, self.limits.max_backward_speed_kmh, self.limits.max_forward_speed_kmh)

    def _belt_now(self, t_s: float) -> float:
        self._sim.advance()
        return self._last[1]

    def _console_recent(self, t_s: float, grace_s: float = CONSOLE_GRACE_S) -> bool:
        """Did a person set a speed, or start the belt, at the console just now?"""
        return any(
            at is not None and t_s - at <= grace_s
            for at in (self._console_at, self._console_start_at)
        )

    def _violate(self, t_s: float, rule: str, detail: str) -> None:
        self.violations.append(Violation(t_s, rule, detail))

    def _follow_console(self, t_s: float, kmh: float) -> None:
        target = self._console_target
        if target is None:
            return
        if self._target == 0 and kmh < 0.05:
            return  # at rest: the console's speed is stored, for when the belt starts
        if abs(self._target - target) < 1e-6:
            self._console_at = t_s  # the console's own target is still in force
            return
        self._console_target = None

    def _observe(self, t_s: float, kmh: float) -> None:
        self.observations += 1
        _, before = self._last
        self._last = (t_s, kmh)
        self._target = self._sim.belt.target_speed_kmh
        self._follow_console(t_s, kmh)
        self._check_commands(t_s)
        self._check_ceiling(t_s, kmh)
        self._check_alarm(t_s, kmh)
        if self._turning_until is not None and t_s <= self._turning_until:
            turn = self._turn_speed()
            if kmh > turn + TURN_TOLERANCE_KMH and not self._console_recent(t_s):
                self._violate(t_s, "turn", f"{kmh:.2f} km/h while turning (turn speed {turn:g})")
        cap = self._frozen_cap
        if cap is not None and kmh > cap + LIMIT_TOLERANCE_KMH:
            rule = "stopped" if self._ended else "frozen"
            self._violate(t_s, rule, f"rose to {kmh:.2f} km/h from {cap:.2f} before a person acted")
            self._frozen_cap = kmh
        self._check_rise(t_s, kmh, before)

    def _own_target(self) -> bool:
        """Is the machine heading for a speed of its own (not one treadctl set)?

        A machine that ignores speed commands starts at its default and stays there; how
        fast it gets there is its own doing (the monitors must then hold the workout, and
        the ceiling rule still applies). Rises towards treadctl's targets are judged.
        """
        target = self._sim.belt.target_speed_kmh
        if target <= 0:
            return False
        sent = [r for r in self._sim.stats.requests if isinstance(r, SetTargetSpeed)]
        if not sent:
            return True
        factor = KMH_PER_MPH if self._sim.config.has(Quirk.MPH_FIELDS) else 1.0
        return abs(sent[-1].speed_kmh * factor - target) > 1e-6

    def _ceiling_now(self, t_s: float) -> float:
        """The ceiling for the way the person faces; while they turn, for either way."""
        ceiling = self.limits.speed_ceiling(self.facing)
        if self._turning_until is not None and t_s <= self._turning_until:
            ceiling = min(
                ceiling, self.limits.max_backward_speed_kmh, self.limits.max_forward_speed_kmh
            )
        return ceiling

    def _check_commands(self, t_s: float) -> None:
        """Every speed the machine was sent, in km/h on its belt, is under the ceiling."""
        requests = self._sim.stats.requests
        factor = KMH_PER_MPH if self._sim.config.has(Quirk.MPH_FIELDS) else 1.0
        for request in requests[self._requests_seen :]:
            if isinstance(request, SetTargetSpeed):
                kmh = request.speed_kmh * factor
                ceiling = self._ceiling_now(t_s)
                if kmh > ceiling + LIMIT_TOLERANCE_KMH:
                    self._violate(
                        t_s,
                        "ceiling",
                        f"sent {kmh:.2f} km/h facing {self.facing} (ceiling {ceiling:g})",
                    )
        self._requests_seen = len(requests)

    def _check_ceiling(self, t_s: float, kmh: float) -> None:
        """A belt above the ceiling (a console speed, a machine that ignores commands, a
        wrong unit) must be brought back, paused or stopped within a bound: the time to
        notice and act, and to slow down from where it got to."""
        ceiling = self._ceiling_now(t_s)
        last_t = self._over_last_t
        self._over_last_t = t_s
        # Over by less than a grid step is rounding, not a belt out of hand (treadctl's
        # own monitor uses the same margin; what it sends is held to 0.05 km/h above).
        if kmh <= ceiling + max(BELT_CEILING_MARGIN_KMH, self.increment_kmh):
            self._over_s = None
            return
        if self._over_s is None:
            self._over_s, self._over_peak, self._over_told = 0.0, kmh, False
        elif self.can_command():
            self._over_s += t_s - last_t  # offline or without control: not counted
        self._over_peak = max(self._over_peak, kmh)
        decel = max(self._sim.config.decel_kmh_per_s, 0.1)
        allowed_s = OVER_CEILING_GRACE_S + (self._over_peak - ceiling) / decel
        if self._over_s > allowed_s and not self._over_told:
            self._over_told = True
            self._violate(
                t_s,
                "ceiling",
                f"{kmh:.2f} km/h facing {self.facing} (ceiling {ceiling:g}) for "
                f"{self._over_s:.1f} s while connected",
            )

    def _check_alarm(self, t_s: float, kmh: float) -> None:
        """Advisory mode: over the ceiling, the person hears it at once."""
        ceiling = self._ceiling_now(t_s)
        over = kmh > ceiling + max(BELT_CEILING_MARGIN_KMH, self.increment_kmh) + 0.05
        if not self.advisory() or not self.sees() or self._ended:
            self._alarm_over_since = self._alarm_under_since = None
            return
        if not over:
            # An episode ends once the belt has stayed under for a while: treadctl decides
            # on confirmed readings, and a dip between two of them is the same episode.
            if self._alarm_under_since is None:
                self._alarm_under_since = t_s
            if t_s - self._alarm_under_since >= ADVISORY_EPISODE_GAP_S:
                self._alarm_over_since = None
            return
        self._alarm_under_since = None
        if self._alarm_over_since is None:
            self._alarm_over_since, self._alarm_told = t_s, False
        since = self._alarm_over_since
        # Said for this episode, or for the one treadctl still sees going on (it says it
        # again every ADVISORY_REPEAT_S while the belt stays over).
        alarmed = self._alarmed_at is not None and self._alarmed_at >= since - ADVISORY_REPEAT_S
        late_s = ADVISORY_ALARM_S + 3.0 / self._sim.config.data_rate_hz
        if not alarmed and t_s - since > late_s and not self._alarm_told:
            self._alarm_told = True
            self._violate(
                t_s,
                "alarm",
                f"{kmh:.2f} km/h facing {self.facing} (ceiling {ceiling:g}) for "
                f"{t_s - since:.1f} s in advisory mode without an alarm",
            )

    def _check_rise(self, t_s: float, kmh: float, before: float) -> None:
        if self._console_recent(t_s) or self._own_target():
            self._envelope_min = None
            return
        rate = self.limits.ramp_rate(self.facing)
        if self._turning_until is not None and t_s <= self._turning_until:
            rate = min(rate, self.limits.ramp_rate("backward"))
        level = kmh - rate * t_s
        if self._envelope_min is None or level < self._envelope_min:
            self._envelope_min = level
        allowance = self.minimum_kmh + self.increment_kmh + LIMIT_TOLERANCE_KMH
        excess = level - self._envelope_min
        if excess > allowance:
            self._violate(
                t_s,
                "rise",
                f"{kmh:.2f} km/h facing {self.facing}: {excess:.2f} km/h more than a "
                f"{rate:g} km/h/s ramp allows",
            )
            self._envelope_min = level
