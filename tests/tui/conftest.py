"""The TUI against the simulator, on a virtual clock that the tests move by hand.

With a clock injected, ``run_workout`` does not drive it: nothing happens on the belt
until a test calls :func:`advance`, so what the screen shows at each step is exact.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from textual.app import App
from textual.pilot import Pilot

from treadctl.clock import VirtualClock
from treadctl.config import Settings, load_settings
from treadctl.runtime import WorkoutOptions
from treadctl.sim import SimTreadmill
from treadctl.tui import TreadctlApp
from treadctl.tui.screens import WorkoutScreen
from treadctl.workout.runner import Runner

#: A short workout: forward, backward, forward (two turnarounds), about 1.5 minutes.
SHORT_PROFILE = """\
title = "Short rehearsal"
description = "Forward, a backward bout, forward again."

[[segments]]
label = "Warm-up"
direction = "forward"
speed_kmh = 3.0
duration = "20s"

  [[segments.cues]]
  at = "5s"
  text = "Shoulders down."

[[segments]]
label = "Backward bout"
direction = "backward"
speed_kmh = 1.5
duration = "30s"

[[segments]]
label = "Cool-down"
direction = "forward"
speed_kmh = 2.5
duration = "15s"
"""


@pytest.fixture
def short_profile(tmp_path: Path) -> Path:
    path = tmp_path / "short.toml"
    path.write_text(SHORT_PROFILE, encoding="utf-8")
    return path


MakeApp = Callable[..., TreadctlApp]


@pytest.fixture
def make_app(tmp_path: Path, config_path: Path) -> MakeApp:
    """A TUI opened straight on ``profile`` (risks accepted), with the session log in tmp;
    ``options``: more of its WorkoutOptions (quirks, a strap), ``settings``: settings."""

    def make(
        profile: str | Path,
        clock: VirtualClock,
        *,
        acknowledged: bool = True,
        options: Mapping[str, Any] | None = None,
        **settings: Any,
    ) -> TreadctlApp:
        loaded = load_settings(config_path, **settings)
        workout = WorkoutOptions(
            profile=profile,
            settings=loaded,
            clock=clock,
            log_path=tmp_path / "session.jsonl",
            risks_acknowledged=acknowledged,
            **(options or {}),
        )
        return TreadctlApp(loaded, workout=workout)

    return make


@pytest.fixture
def settings(config_path: Path) -> Settings:
    return load_settings(config_path)


async def advance(pilot: Pilot[Any], clock: VirtualClock, seconds: float) -> None:
    """Let ``seconds`` of workout time pass, half a second at a time, then let the screen
    catch up. (Each step settles the event loop, Textual's message pumps included.)"""
    steps = max(1, round(seconds / 0.5))
    for _ in range(steps):
        await clock.advance(seconds / steps)
    await pilot.pause()


async def advance_until(
    pilot: Pilot[Any],
    clock: VirtualClock,
    predicate: Callable[[], bool],
    limit_s: float = 600.0,
    step_s: float = 0.5,
) -> None:
    """Advance the clock until ``predicate`` holds; fail after ``limit_s`` of clock time.

    Every few steps the screen catches up as well (``pilot.pause()``): Textual does
    some of its work on the loop's real-time timers, which moving the virtual clock does
    not wait for, and on a busy machine the workout would otherwise run on without its
    screen (a start that never showed was seen once under a full parallel load).
    """
    start = clock.now()
    steps = 0
    while not predicate():
        if clock.now() - start > limit_s:
            raise AssertionError(f"not reached within {limit_s} s of clock time")
        await clock.advance(step_s)
        steps += 1
        if steps % SCREEN_CATCH_UP_STEPS == 0:
            await pilot.pause()
    await pilot.pause()


#: Clock steps of :func:`advance_until` between two waits for the screen to catch up.
SCREEN_CATCH_UP_STEPS = 8


def screen_text(app: App[Any]) -> str:
    """What the terminal shows now, as plain text (what a person would read)."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    console.print(app.screen._compositor.render_update(full=True))
    return console.export_text()


def runner_of(app: TreadctlApp) -> Runner:
    assert app.session is not None
    assert app.session.runner is not None
    return app.session.runner


def sim_of(app: TreadctlApp) -> SimTreadmill:
    assert app.session is not None
    assert app.session.treadmill is not None
    sim = app.session.treadmill.sim
    assert sim is not None
    return sim


def workout_screen(app: TreadctlApp) -> WorkoutScreen:
    for screen in reversed(app.screen_stack):
        if isinstance(screen, WorkoutScreen):
            return screen
    raise AssertionError(f"no workout screen in {app.screen_stack}")


async def started(pilot: Pilot[Any], clock: VirtualClock) -> None:
    """Until the runner exists and the belt has been started."""
    app = pilot.app
    assert isinstance(app, TreadctlApp)
    await advance_until(
        pilot,
        clock,
        lambda: (
            app.session is not None
            and app.session.runner is not None
            and app.session.treadmill is not None
            and app.session.treadmill.client.state.speed_kmh is not None
            and app.session.treadmill.client.state.speed_kmh > 0
        ),
        limit_s=30,
    )
