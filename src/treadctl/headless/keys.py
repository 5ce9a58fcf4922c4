"""Keys typed as lines (a key, then Enter): the TUI's keys, as far as a line allows.

Every line gets one line back at once: what the key does now, or why it does nothing
(paused, turning, at the ceiling, no alert to acknowledge, ...). The stop key is ``s``,
or a line of spaces (the TUI's space bar); Ctrl-C stops the belt too.
"""

from __future__ import annotations

from treadctl.formatting import speed_text
from treadctl.headless.printer import HeadlessPrinter
from treadctl.util.tasks import TaskSet
from treadctl.workout.adjust import ADJUST_INCLINE_STEP_PCT, ADJUST_SPEED_STEP_KMH
from treadctl.workout.holds import RunState
from treadctl.workout.runner import Runner
from treadctl.workout.status import RunnerStatus
from treadctl.workout.timeline import FinishStep, RampStep, StartStep, TurnStep

#: Every key, and what it does (``?`` prints them; docs/tui.md lists them too).
KEYS: tuple[tuple[str, str], ...] = (
    ("s (or a line of spaces)", "STOP: the belt stops now and the workout ends"),
    ("Enter (or c)", "confirm: the turn is done, or go on after a hold"),
    ("p", "pause (the belt pauses)"),
    ("r", "resume (the belt ramps up again gently)"),
    ("+ / -", f"speed up / down by {ADJUST_SPEED_STEP_KMH:g} km/h, within your ceilings"),
    ("] / [ (or u / d)", f"incline up / down by {ADJUST_INCLINE_STEP_PCT:g} %, within limits"),
    ("a", "acknowledge the oldest safety alert"),
    ("q", "quit: the belt pauses; q again ends the workout"),
    ("?", "this list"),
)

#: The keys on one line (the start lines, and the answer to a line that is no key).
KEYS_HELP = (
    "keys (type one, then Enter): s = STOP, Enter = confirm/turned, p = pause, "
    "r = resume, +/- = speed, ]/[ = incline, a = acknowledge alert, q = quit, ? = keys. "
    "Ctrl-C stops the belt and exits."
)

_SPEED_KEYS = {"+": +1, "=": +1, "-": -1, "_": -1}
_INCLINE_KEYS = {"]": +1, "u": +1, "[": -1, "d": -1}


def why_not_adjustable(status: RunnerStatus) -> str:
    """Why speed and incline keys do nothing now (``status.adjustable`` is False)."""
    if status.state is RunState.READY:
        return "the workout has not started yet"
    if status.state is RunState.FINISHED:
        return "the workout has ended"
    if status.hold_waiting:
        return f"held ({status.pause_reason}): Enter goes on"
    if status.paused:
        return "paused: r resumes"
    if status.state is RunState.RESUMING:
        return "resuming: the belt is coming back up"
    match status.step:
        case TurnStep():
            return "turning"
        case RampStep():
            return "the belt is changing speed for the plan"
        case StartStep():
            return "the belt is starting"
        case FinishStep():
            return "the workout is finishing"
        case _:
            return "not now"


class KeyHandler:
    """What a line typed on stdin does to the runner; answers on the printer."""

    def __init__(self, runner: Runner, printer: HeadlessPrinter) -> None:
        self.runner = runner
        self.printer = printer
        self._quit_asked = False
        self._stops = TaskSet("keyboard stop")

    def tell(self, key: str, text: str) -> None:
        self.printer.line(f"{key} : {text}")

    def __call__(self, text: str) -> None:
        if text == "":
            # End of input (Ctrl-D): no key, and nothing to answer but the way to stop.
            self.tell("Ctrl-D", "no more keys from here; Ctrl-C stops the belt")
            return
        line = text.rstrip("\r\n")
        key = line.strip().lower()
        quit_asked, self._quit_asked = self._quit_asked, False
        if line and not key:
            self.stop(" ", "stopped from the keyboard")
            return
        match key:
            case "s" | "stop":
                self.stop(key, "stopped from the keyboard")
            case "q" if quit_asked:
                self.stop(key, "quit from the keyboard")
            case "q":
                self.quit()
            case "" | "c":
                self.confirm("Enter" if key == "" else key)
            case "p":
                self.pause()
            case "r":
                self.resume()
            case "a":
                self.acknowledge()
            case "?" | "h" | "help":
                for name, what in KEYS:
                    self.tell(name, what)
            case _ if key in _SPEED_KEYS:
                self.speed(key, _SPEED_KEYS[key])
            case _ if key in _INCLINE_KEYS:
                self.incline(key, _INCLINE_KEYS[key])
            case _:
                self.tell(line.strip(), f"not a key. {KEYS_HELP}")

    # -- each key ----------------------------------------------------------------------

    def stop(self, key: str, reason: str) -> None:
        self.tell(key, "STOP: stopping the belt, ending the workout")
        self._stops.spawn(self.runner.emergency_stop(reason))

    def quit(self) -> None:
        status = self.runner.status()
        if not status.live:
            self.tell("q", "the workout has ended")
            return
        self._quit_asked = True
        if status.can_pause:
            self.tell("q", "paused; q again ends the workout, r goes on")
            self.runner.pause()
        else:
            self.tell("q", "q again ends the workout")

    def confirm(self, key: str) -> None:
        status = self.runner.status()
        if status.turn_waiting:
            self.tell(key, "turned: going on")
            self.runner.confirm()
        elif status.hold_waiting:
            self._drop_acknowledged()
            self.tell(key, f"going on after the hold ({status.pause_reason}): the belt ramps up")
            self.runner.confirm()
        elif any(alert.needs_ack for alert in self.printer.alerts):
            self.acknowledge(key, needs_ack=True)
        elif status.paused:
            self.tell(key, "paused by you: r resumes")
        else:
            self.tell(key, "nothing waits for a confirm")

    def pause(self) -> None:
        status = self.runner.status()
        if status.can_pause:
            self.tell("p", "pausing: the belt pauses, r resumes")
            self.runner.pause()
        elif status.paused:
            self.tell("p", "already paused")
        else:
            self.tell("p", why_not_adjustable(status))

    def resume(self) -> None:
        status = self.runner.status()
        if status.can_resume:
            self.tell("r", "resuming: the belt ramps up gently")
            self.runner.resume()
        elif status.hold_waiting:
            self.tell("r", f"held ({status.pause_reason}): Enter goes on")
        elif status.state is RunState.RESUMING:
            self.tell("r", "already resuming")
        elif status.live:
            self.tell("r", "not paused")
        else:
            self.tell("r", why_not_adjustable(status))

    def acknowledge(self, key: str = "a", *, needs_ack: bool = False) -> None:
        alerts = self.printer.alerts
        pending = [a for a in alerts if a.needs_ack] if needs_ack else alerts
        if not pending:
            self.tell(key, "no alert to acknowledge")
            return
        alert = pending[0]
        alerts.remove(alert)
        more = f" ({len(alerts)} more)" if alerts else ""
        self.tell(key, f"acknowledged {alert.hazard}: {alert.message}{more}")

    def _drop_acknowledged(self) -> None:
        """Going on after a hold acknowledges the alerts that asked for it."""
        self.printer.alerts[:] = [a for a in self.printer.alerts if not a.needs_ack]

    def speed(self, key: str, sign: int) -> None:
        runner = self.runner
        status = runner.status()
        if not status.adjustable:
            self.tell(key, why_not_adjustable(status))
            return
        units = self.printer.units
        now_kmh = status.step.speed_kmh + runner.offset_kmh
        ceiling_kmh = runner.limits.speed_ceiling(status.facing)
        slowest_kmh = runner.gate.grid.minimum_kmh
        if sign > 0 and now_kmh >= ceiling_kmh - 1e-6:
            self.tell(
                key, f"at the ceiling: {status.facing} speed stays at {speed_text(now_kmh, units)}"
            )
            return
        if sign < 0 and now_kmh <= slowest_kmh + 1e-6:
            self.tell(key, f"at the slowest this treadmill goes, {speed_text(now_kmh, units)}")
            return
        # As the runner will: one step, kept within the treadmill's slowest and the ceiling.
        wanted_kmh = min(max(now_kmh + sign * ADJUST_SPEED_STEP_KMH, slowest_kmh), ceiling_kmh)
        held = " (the ceiling)" if wanted_kmh >= ceiling_kmh - 1e-6 else ""
        self.tell(key, f"asking for {speed_text(wanted_kmh, units)}{held}")
        runner.adjuster.speed(sign * ADJUST_SPEED_STEP_KMH)

    def incline(self, key: str, sign: int) -> None:
        runner = self.runner
        status = runner.status()
        if not status.adjustable:
            self.tell(key, why_not_adjustable(status))
            return
        rng = runner.client.incline_range
        if rng.maximum <= rng.minimum:
            self.tell(key, "this treadmill has no incline to change")
            return
        now_pct = status.step.incline_pct + runner.offset_incline_pct
        ceiling = runner.limits.incline_ceiling(status.facing)
        high_pct = rng.maximum if ceiling is None else min(rng.maximum, ceiling)
        if sign > 0 and now_pct >= high_pct - 1e-6:
            at = "the ceiling" if ceiling is not None and ceiling <= rng.maximum else "the top"
            self.tell(key, f"at {at}: incline stays at {now_pct:g} %")
            return
        if sign < 0 and now_pct <= rng.minimum + 1e-6:
            self.tell(key, f"at the lowest: incline stays at {now_pct:g} %")
            return
        wanted_pct = min(max(now_pct + sign * ADJUST_INCLINE_STEP_PCT, rng.minimum), high_pct)
        self.tell(key, f"asking for {wanted_pct:g} % incline")
        runner.adjuster.incline(sign * ADJUST_INCLINE_STEP_PCT)
