"""One clock for safety events: the headless lines and ``sessions show`` agree."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from tests.headless.helpers import PROFILE
from treadctl.cli import main
from treadctl.commands.sessions import WORKOUT_CLOCK_LEGEND
from treadctl.config import Settings
from treadctl.formatting import clock_text
from treadctl.headless import CLOCK_NOTE, HeadlessPrinter
from treadctl.runtime import WorkoutOptions, run_workout
from treadctl.sessions import read_session, workout_times
from treadctl.workout.ports import Treadmill
from treadctl.workout.runner import Runner


async def test_sessions_show_times_safety_events_as_the_headless_lines_did(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = tmp_path / "clock.toml"
    profile.write_text(PROFILE)
    log = tmp_path / "clock.jsonl"
    out = io.StringIO()
    printer = HeadlessPrinter(out)

    def follow(runner: Runner, _treadmill: Treadmill) -> None:
        printer.follow(runner)

    options = WorkoutOptions(
        profile=profile,
        settings=Settings(turn_hold_s=2.0, turn_warning_s=2.0),
        speed="max",
        log_path=log,
        risks_acknowledged=True,
        # A 30 s pause, then, backward at the ceiling, a press of + (an H2 alert).
        actions=[(10.0, "pause", None), (40.0, "resume", None), (130.0, "adjust_speed", 0.5)],
    )
    await run_workout(options, on_event=printer, on_runner=follow)
    (headless,) = [line for line in out.getvalue().splitlines() if "SAFETY (H2)" in line]
    headless_time = headless[1:6]

    assert main(["sessions", "show", str(log)]) == 0
    shown = capsys.readouterr().out
    (listed,) = re.findall(r"^  \[(\d\d:\d\d)\] H2 ", shown, flags=re.MULTILINE)
    assert listed == headless_time
    assert f"safety    1 event(s), at {WORKOUT_CLOCK_LEGEND}" in shown
    # Not the session clock, which counts the pause: the two differ by about 30 s.
    (alert,) = read_session(log).of_type("safety")
    assert clock_text(alert["t"]) != headless_time
    assert CLOCK_NOTE.startswith("[mm:ss] is workout time")


def test_workout_times_stop_while_paused() -> None:
    events = [
        {"t": 2.0, "type": "workout_started"},
        {"t": 5.0, "type": "sample", "workout_s": 3.0},
        {"t": 6.0, "type": "paused"},
        {"t": 20.0, "type": "safety"},
        {"t": 30.0, "type": "resumed"},
        {"t": 32.5, "type": "safety"},
        {"t": 40.0, "type": "finished", "summary": {"workout_s": 11.9}},
    ]
    assert workout_times(events) == [0.0, 3.0, 4.0, 4.0, 4.0, 6.5, 11.9]
