"""Plain-text front end: one line per thing that happens, keys read from stdin lines.

For a terminal without the TUI, a log, or a screen reader. Lines start with the
workout clock; safety lines stand out with ``!!`` so they can be found at a glance.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import TextIO

from treadctl.formatting import clock_text, speed_text, summary_lines
from treadctl.workout.events import (
    Advice,
    Command,
    Countdown,
    CueEvent,
    Finished,
    Paused,
    Resumed,
    SafetyAlert,
    Sample,
    SegmentEnded,
    SegmentStarted,
    Turnaround,
    UserAction,
    WorkoutEvent,
    WorkoutStarted,
)
from treadctl.workout.runner import ADJUST_INCLINE_STEP_PCT, ADJUST_SPEED_STEP_KMH, Runner

PROGRESS_EVERY_S = 15.0

KEYS_HELP = (
    "keys (then Enter): Enter = confirm/turned, p = pause, r = resume, s = STOP, "
    "+/- = speed, u/d = incline. Ctrl-C stops the belt and exits."
)


class HeadlessPrinter:
    """Turns runner events into lines on ``out``."""

    def __init__(self, out: TextIO = sys.stdout, *, units: str = "kmh", verbose: bool = False):
        self.out = out
        self.units = units
        self.verbose = verbose
        self.workout_s = 0.0
        self._next_progress_s = PROGRESS_EVERY_S

    def line(self, text: str) -> None:
        self.out.write(f"[{clock_text(self.workout_s)}] {text}\n")
        self.out.flush()

    def __call__(self, event: WorkoutEvent) -> None:
        match event:
            case WorkoutStarted():
                self.line(
                    f"{event.title}: {clock_text(event.total_s)} in all, "
                    f"{clock_text(event.backward_s)} backward"
                )
            case SegmentStarted():
                facing = event.facing.upper()
                self.line(
                    f"segment {event.index + 1}: {event.label or facing} | {facing} | "
                    f"{speed_text(event.speed_kmh, self.units)} | {event.incline_pct:g} % | "
                    f"{clock_text(event.duration_s)}"
                )
            case SegmentEnded() if self.verbose:
                self.line(f"segment {event.index + 1} done")
            case CueEvent():
                self.line(f"cue: {event.text}")
            case Advice():
                self.line(f">>> at the console: {event.text}")
            case Countdown() if event.seconds_left <= 3:
                self.line(f"{event.what} in {event.seconds_left} s")
            case Turnaround(phase="turn_now"):
                self.line(f">>> TURN AROUND NOW: face {event.to_facing.upper()} <<<")
            case Turnaround(phase="waiting_for_confirm"):
                self.line("turned? press Enter to confirm")
            case Turnaround(phase="warning" | "slowing" | "speeding_up") if event.message:
                self.line(event.message)
            case SafetyAlert():
                ack = " [Enter to acknowledge]" if event.needs_ack else ""
                self.line(f"!! SAFETY ({event.hazard}): {event.message}{ack}")
            case Paused():
                extra = " (press Enter to go on)" if event.needs_confirm else " (r to resume)"
                self.line(f"paused: {event.reason}{extra}")
            case Resumed():
                self.line("resumed")
            case Command() if not event.ok:
                self.line(f"!! command {event.name} failed: {event.error}")
            case Command() if self.verbose:
                value = "" if event.value is None else f" {event.value:g}"
                self.line(f"-> {event.name}{value}")
            case UserAction() if self.verbose:
                self.line(f"you: {event.action}")
            case Sample():
                self.workout_s = event.workout_s
                if event.workout_s >= self._next_progress_s:
                    self._next_progress_s = event.workout_s + PROGRESS_EVERY_S
                    left = (
                        f", {clock_text(event.segment_left_s)} left"
                        if event.segment_left_s is not None
                        else ""
                    )
                    self.line(
                        f"{event.facing} at {speed_text(event.speed_kmh, self.units)}, "
                        f"{(event.distance_m or 0):.0f} m{left}"
                    )
            case Finished():
                for text in summary_lines(event.summary, self.units):
                    self.line(text)
            case _:
                pass


def key_handler(runner: Runner, loop: asyncio.AbstractEventLoop) -> Callable[[str], None]:
    """What a line typed on stdin does to the runner."""
    tasks: set[asyncio.Task[None]] = set()

    def handle(text: str) -> None:
        key = text.strip().lower()
        match key:
            case "":
                runner.confirm()
            case "p":
                runner.pause()
            case "r":
                runner.resume()
            case "s" | "q" | "x" | "stop":
                task = loop.create_task(runner.emergency_stop("stopped from the keyboard"))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
            case "+" | "=":
                runner.adjust_speed(+ADJUST_SPEED_STEP_KMH)
            case "-" | "_":
                runner.adjust_speed(-ADJUST_SPEED_STEP_KMH)
            case "u":
                runner.adjust_incline(+ADJUST_INCLINE_STEP_PCT)
            case "d":
                runner.adjust_incline(-ADJUST_INCLINE_STEP_PCT)
            case _:
                pass

    return handle
