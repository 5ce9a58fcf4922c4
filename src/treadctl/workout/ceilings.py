"""H2 on the belt: a speed set at the console above the ceiling brought back under it,
a belt over the ceiling for the way the person faces, and how a ceiling is named in what
the person is told (whose it is, where it is set, the care before the unit is checked).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from treadctl.clock import wait_for
from treadctl.workout.events import CueEvent
from treadctl.workout.gate import Limiter, SpeedDecision
from treadctl.workout.monitors import (
    CEILING_TOLERANCE_KMH,
    Commanded,
    over_ceiling_alarm,
)
from treadctl.workout.profile import Direction
from treadctl.workout.timeline import speed_key

if TYPE_CHECKING:
    from treadctl.workout.runner import Runner

#: A command that keeps a limit gets this long to go out before the belt is paused instead.
URGENT_COMMAND_S = 1.0
#: A belt set over the ceiling at the console gets this long to come back under it.
CONSOLE_CEILING_GRACE_S = 1.5


class Ceilings:
    """The runner's watch on its speed ceilings (H2), and their names in messages."""

    def __init__(self, runner: Runner) -> None:
        self.r = runner
        self._over_ceiling = False
        self._console_over_at: float | None = None
        self._told_unit_care = False

    def on_target_speed(self, kmh: float) -> None:
        """A target speed set elsewhere (the console, another app): never above the ceiling.

        The machine now holds a target treadctl did not set: the next command goes out
        whatever it is, and a belt at rest gets the slow speed stored again (a start at the
        console must not go to a fast target set while it stood still).
        """
        stored = self.r.belt.stored_kmh
        if stored is None or abs(stored - kmh) > 0.01:
            self.r.gate.forget_stored()
            if not self.r.gate.belt_running and self.r.holds.live:
                self.r.spawn(self.r.belt.store_slow())
            elif self.r.gate.belt_running:
                # The person at the console chose this speed: H8 judges the belt by it now.
                self.r.belt.commanded = Commanded(
                    kmh, self.r.clock.now(), self.r.belt_actions.trusted_kmh() or 0.0
                )
        ceiling = self.r.gate.facing_ceiling_kmh(self.r.facing)  # careful until the unit is checked
        if kmh <= ceiling + 1e-9 or not self.r.holds.live:
            return
        now = self.r.clock.now()
        if self._console_over_at is not None and now - self._console_over_at < 10.0:
            return  # the same episode (some machines repeat the target while they ramp)
        self._console_over_at = now
        self.r.alert(
            "H2",
            "console_over_ceiling",
            f"The console set {kmh:g} km/h, above {self.ceiling_words(ceiling)}: brought back "
            "under it.",
        )
        if self.r.gate.belt_running:
            self.r.spawn(self._back_under(ceiling))

    def ceiling_words(self, ceiling_kmh: float) -> str:
        """The speed ceiling now, facing as the person faces, named with whose it is; the
        care taken until the speed unit is checked is said as such."""
        key = speed_key(self.r.facing)
        if ceiling_kmh < self.r.limits.speed_ceiling(self.r.facing) - 0.05:
            return (
                f"{round(ceiling_kmh, 2):g} km/h, the speed held under "
                f"{self.r.limits.describe(key)} until treadctl has checked the treadmill's "
                "speed unit"
            )
        return self.r.limits.describe(key, ceiling_kmh)

    async def _back_under(self, ceiling_kmh: float) -> None:
        """Bring a belt set over the ceiling back under it; if the command cannot go out
        at once (a procedure whose answer is late holds the control point), pause."""
        try:
            sent = await wait_for(self.r.clock, self.r.belt.speed(ceiling_kmh), URGENT_COMMAND_S)
        except TimeoutError:
            sent = False
        if not sent and self.r.holds.live and self.r.gate.belt_running:
            self.r.alert(
                "H2",
                "console_over_ceiling_paused",
                "Could not bring the belt back under the ceiling in time: paused.",
                needs_ack=True,
            )
            self.r.hold("belt over the ceiling", needs_confirm=True, pause_belt=True)

    def check(self, trusted_kmh: float) -> None:
        """H2 on the belt: above the ceiling for the way the person faces, the belt disobeys.

        Checked on every trusted reading, held or not: a hold that leaves the belt
        running (a missed target) must not leave a person backward on a fast belt. A
        speed set at the console is brought back under the ceiling first (a grace of a
        few readings while the belt turns round).
        """
        ceiling = self.r.gate.facing_ceiling_kmh(self.r.facing)  # careful until the unit is checked
        over = trusted_kmh > ceiling + max(CEILING_TOLERANCE_KMH, self.r.gate.grid.increment_kmh)
        console = self._console_over_at is not None and (
            self.r.clock.now() - self._console_over_at < CONSOLE_CEILING_GRACE_S
        )
        if not over or not self.r.holds.live:
            self._over_ceiling = False
            return
        if console or self.r.trust.falling():
            return  # coming back down, or just set at the console: give it its moment
        if not self._over_ceiling:
            self._over_ceiling = True
            self.r.reports.raise_alarm(
                over_ceiling_alarm(trusted_kmh, self.r.facing, self.ceiling_words(ceiling))
            )

    def told_limited(self, decision: SpeedDecision) -> None:
        if decision.limited_by is Limiter.CEILING:
            facings: tuple[Direction, ...] = (
                ("forward", "backward") if self.r.gate.turning else (self.r.facing,)
            )
            lowest = min(facings, key=self.r.limits.speed_ceiling)
            real_ceiling = self.r.limits.speed_ceiling(lowest)
            if not self.r.gate.unit_verified and decision.kmh < real_ceiling - 0.05:
                # Not the ceiling: the care taken until the speed unit is checked.
                if not self._told_unit_care:
                    self._told_unit_care = True
                    self.r.emit(
                        CueEvent(
                            "Speeds are held a little lower until treadctl has checked the "
                            "treadmill's speed unit, after about 15 m of walking."
                        )
                    )
                return
            self.r.alert_once(
                "H2",
                f"ceiling-{self.r.facing}",
                f"Held at {self.r.limits.describe(speed_key(lowest), real_ceiling)}, "
                f"{decision.kmh:.2f} km/h on this treadmill's grid.",
            )
        elif decision.limited_by is Limiter.RANGE:
            self.r.alert_once(
                "H4",
                "range-speed_kmh",
                f"{decision.wanted_kmh:g} km/h is outside the treadmill's range: "
                f"sent {decision.kmh:.2f} km/h.",
            )
