"""A replay at --time-factor max runs on :class:`~treadctl.clock.VirtualTimeLoop`, where
the loop itself moves virtual time; tests run on the default loop with a driver task.
Both must give the same workout, line for line."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from treadctl.clock import run as clock_run
from treadctl.config import Settings
from treadctl.runtime import WorkoutOptions, run_workout
from treadctl.sim import Quirk


def _lines(path: Path) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    lines[0].pop("started_at")  # the wall clock's date
    return lines


def test_a_workout_is_the_same_on_both_ways_of_driving_time(
    settings: Settings, tmp_path: Path
) -> None:
    def options(name: str) -> WorkoutOptions:
        return WorkoutOptions(
            profile="backward-ladder-1",
            settings=settings,
            speed="max",
            quirks=frozenset({Quirk.TARGET_SPEED_ECHO}),
            log_path=tmp_path / f"{name}.jsonl",
            risks_acknowledged=True,
            auto_confirm_s=2.0,
        )

    on_loop = clock_run(run_workout(options("loop")))
    on_driver = asyncio.run(run_workout(options("driver")))
    assert on_loop.summary == on_driver.summary
    assert on_loop.summary.completed
    loop_lines, driver_lines = _lines(on_loop.log_path), _lines(on_driver.log_path)
    assert len(loop_lines) > 500
    assert loop_lines == driver_lines
