"""Advisory mode's alarms: what treadctl cannot prevent on a belt it cannot command, it
says at once (a safety alert: the voice's alert tone, the screen's banner).

- H2: above the ceiling for the way the person faces (during a turn, either way's), as
  careful as the speed-unit check allows; said again while it lasts;
- H1: faster than the turn speed while the person turns;
- H3: facing backward, speeding up faster than the backward ramp rate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from treadctl.workout.events import Hazard
from treadctl.workout.monitors import CEILING_TOLERANCE_KMH
from treadctl.workout.profile import Direction

if TYPE_CHECKING:
    from treadctl.workout.runner import Runner

#: While the person turns, the belt may be this much over the turn speed (readings lag).
TURN_MARGIN_KMH = 0.1
#: Facing backward, a speed-up this far ahead of the backward ramp rate is too quick (H3).
RISE_MARGIN_KMH = 0.3
#: One such alarm for a speed-up: the next no sooner than this.
RISE_REPEAT_S = 10.0
#: A belt that stays too fast is alarmed again this often (the person may not have heard).
ALARM_REPEAT_S = 10.0

STOP_WORDS = "press STOP on the console, or pull the safety key"


class AdvisoryAlarms:
    """Fed every trusted reading; raises the runner's safety alerts."""

    def __init__(self, runner: Runner) -> None:
        self.r = runner
        self.turn_limit_kmh: float | None = None
        """While the person turns: the speed the belt must stay under."""
        self._said: dict[str, float] = {}
        """Alarm episodes going on, and when each was last said."""
        self._envelope: float | None = None
        self._rise_told_at: float | None = None

    def forget(self) -> None:
        """After a gap in the readings, every episode starts afresh."""
        self._said.clear()
        self._envelope = None

    def observe(self, now_s: float, kmh: float) -> None:
        r = self.r
        facing: Direction = r.facing
        turning = r.gate.turning
        facings: tuple[Direction, ...] = ("forward", "backward") if turning else (facing,)
        # As careful as the unit check allows: until the odometer has shown the reported
        # speed is in km/h, a machine counting in mph must not hide a belt over the ceiling.
        ceiling = min(r.gate.facing_ceiling_kmh(f) for f in facings)
        margin = max(CEILING_TOLERANCE_KMH, r.gate.grid.increment_kmh)
        self._episode(
            now_s,
            "over_ceiling",
            kmh > ceiling + margin,
            "H2",
            f"Too fast: the belt runs at {kmh:.1f} km/h facing {facing}, above "
            f"{r.ceilings.ceiling_words(ceiling)}. Hold the rails and slow it at the console "
            "now, or "
            f"{STOP_WORDS}.",
        )
        turn = self.turn_limit_kmh
        self._episode(
            now_s,
            "turn_too_fast",
            turn is not None and kmh > turn + TURN_MARGIN_KMH,
            "H1",
            f"The belt is too fast to turn around: {kmh:.1f} km/h. Hold the rails, and turn "
            f"only at {turn or 0:.1f} km/h or less: slow it at the console.",
        )
        if facing == "backward" and not turning and turn is None:
            self._check_rise(now_s, kmh)
        else:
            self._envelope = None

    def _check_rise(self, now_s: float, kmh: float) -> None:
        """H3 facing backward: speeding up faster than the backward ramp rate allows."""
        level = kmh - self.r.limits.ramp_rate("backward") * now_s
        if self._envelope is None or level < self._envelope:
            self._envelope = level
        if level - self._envelope <= RISE_MARGIN_KMH:
            return
        self._envelope = level  # the next alarm needs another quick rise
        told = self._rise_told_at
        if told is not None and now_s - told < RISE_REPEAT_S:
            return
        self._rise_told_at = now_s
        self.r.alert(
            "H3",
            "speed_up_too_quick",
            f"The belt speeds up too quickly for walking backward ({kmh:.1f} km/h now). "
            "Hold the rails; raise the speed a step at a time.",
        )

    def _episode(
        self, now_s: float, kind: str, now_true: bool, hazard: Hazard, message: str
    ) -> None:
        """Alarm when ``now_true`` starts, and every :data:`ALARM_REPEAT_S` while it lasts."""
        if not now_true:
            self._said.pop(kind, None)
            return
        said_at = self._said.get(kind)
        if said_at is not None and now_s - said_at < ALARM_REPEAT_S:
            return
        self._said[kind] = now_s
        self.r.alert(hazard, kind, message)
