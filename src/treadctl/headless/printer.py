"""Runner events as lines: one line per thing that happens, each with the workout clock.

The clock at the start of a line is the workout clock, the one the TUI shows: time the
workout has run, pauses and holds not counted (``sessions show`` times its safety events
on the same clock). Safety lines stand out with ``!!``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from treadctl.formatting import clock_text, speed_text, summary_lines
from treadctl.headless.output import Output
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
from treadctl.workout.holds import RunState
from treadctl.workout.runner import Runner
from treadctl.workout.status import RunnerStatus

PROGRESS_EVERY_S = 15.0

#: Says which clock the lines' times are on (printed once, at the start).
CLOCK_NOTE = "[mm:ss] is workout time: pauses and holds do not count"


class HeadlessPrinter:
    """Turns runner events into lines on ``out`` (a stream, or an :class:`Output`)."""

    def __init__(
        self,
        out: TextIO | Output | None = None,
        *,
        units: str = "kmh",
        verbose: bool = False,
    ) -> None:
        self.output = out if isinstance(out, Output) else Output(out)
        self.units = units
        self.verbose = verbose
        self.alerts: list[SafetyAlert] = []
        """Safety alerts not yet acknowledged (``a``), oldest first."""
        self._status: Callable[[], RunnerStatus] | None = None
        self._sample_s = 0.0
        self._final_s: float | None = None
        self._next_progress_s = PROGRESS_EVERY_S

    def follow(self, runner: Runner) -> None:
        """Time lines on ``runner``'s workout clock (without: the latest sample's)."""
        self._status = runner.status

    @property
    def workout_s(self) -> float:
        if self._final_s is not None:
            return self._final_s
        if self._status is None:
            return self._sample_s
        status = self._status()
        return 0.0 if status.state is RunState.READY else status.workout_s

    def line(self, text: str) -> None:
        """A line with the workout clock in front."""
        self.output.write_line(f"[{clock_text(self.workout_s)}] {text}")

    def say(self, text: str) -> None:
        """A line as it is (start-up and end lines)."""
        self.output.write_line(text)

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
                self.alerts.append(event)
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
                self._sample_s = event.workout_s
                self._progress(event)
            case Finished():
                self._final_s = event.summary.workout_s
                for text in summary_lines(event.summary, self.units):
                    self.line(text)
            case _:
                pass

    def _progress(self, sample: Sample) -> None:
        if sample.workout_s < self._next_progress_s:
            return
        self._next_progress_s = sample.workout_s + PROGRESS_EVERY_S
        left = (
            f", {clock_text(sample.segment_left_s)} left"
            if sample.segment_left_s is not None
            else ""
        )
        self.line(
            f"{sample.facing} at {speed_text(sample.speed_kmh, self.units)}, "
            f"{(sample.distance_m or 0):.0f} m{left}"
        )
