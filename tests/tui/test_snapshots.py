"""Snapshots of the screens a person sees, at 80x24 and 160x48, dark and light.

The workout runs on a virtual clock that ``run_before`` moves to a fixed point, and the
session log has a relative path, so every run draws the same screen. Update after a
deliberate change with ``pytest tests/tui/test_snapshots.py --snapshot-update`` and
look at the SVGs (``docs/images`` holds copies for docs/tui.md).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.tui.conftest import SHORT_PROFILE, advance, advance_until, started
from treadctl.clock import VirtualClock
from treadctl.config import load_settings
from treadctl.runtime import WorkoutOptions
from treadctl.tui import TreadctlApp
from treadctl.tui.screens import EndScreen, WorkoutScreen

SnapCompare = Callable[..., bool]


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in tmp_path, so the session log's path on screen is always ``session.jsonl``
    (and the config file's, in the risk dialog, ``config/config.toml``)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TREADCTL_CONFIG", "config/config.toml")
    (tmp_path / "short.toml").write_text(SHORT_PROFILE, encoding="utf-8")
    return tmp_path


def workout_app(clock: VirtualClock, *, theme: str | None = None, **settings: Any) -> TreadctlApp:
    loaded = load_settings(**settings)
    options = WorkoutOptions(
        profile=Path("short.toml"),
        settings=loaded,
        clock=clock,
        log_path=Path("session.jsonl"),
        risks_acknowledged=True,
    )
    app = TreadctlApp(loaded, workout=options)
    if theme is not None:
        app.theme = theme
    return app


def is_turning(pilot: Pilot[Any]) -> bool:
    return any(
        isinstance(s, WorkoutScreen) and s.has_class("-turning") for s in pilot.app.screen_stack
    )


def is_backward_segment(pilot: Pilot[Any]) -> bool:
    app = pilot.app
    assert isinstance(app, TreadctlApp)
    runner = app.session.runner if app.session is not None else None
    return (
        runner is not None
        and runner.facing == "backward"
        and runner.segment_left_s is not None
        and runner.segment_left_s < 25
    )


async def settled(pilot: Pilot[Any]) -> None:
    """The coach's pick (a worker reading the history) is in place."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def test_start_screen(snap_compare: SnapCompare, here: Path) -> None:
    app = TreadctlApp(load_settings(), clock_factory=VirtualClock)
    assert snap_compare(app, terminal_size=(80, 24), run_before=settled)


def test_risk_dialog(snap_compare: SnapCompare, here: Path) -> None:
    app = TreadctlApp(load_settings(), clock_factory=VirtualClock)
    assert snap_compare(app, press=["s"], terminal_size=(80, 24), run_before=settled)


def test_workout_forward(snap_compare: SnapCompare, here: Path) -> None:
    clock = VirtualClock()

    async def run_before(pilot: Pilot[Any]) -> None:
        await started(pilot, clock)
        await advance(pilot, clock, 10)

    assert snap_compare(workout_app(clock), terminal_size=(80, 24), run_before=run_before)


def test_workout_backward_light(snap_compare: SnapCompare, here: Path) -> None:
    clock = VirtualClock()

    async def run_before(pilot: Pilot[Any]) -> None:
        await started(pilot, clock)
        await advance_until(pilot, clock, lambda: is_backward_segment(pilot))

    app = workout_app(clock, theme="textual-light")
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_workout_backward_large(snap_compare: SnapCompare, here: Path) -> None:
    clock = VirtualClock()

    async def run_before(pilot: Pilot[Any]) -> None:
        await started(pilot, clock)
        await advance_until(pilot, clock, lambda: is_backward_segment(pilot))

    assert snap_compare(workout_app(clock), terminal_size=(160, 48), run_before=run_before)


def test_turnaround_prompt(snap_compare: SnapCompare, here: Path) -> None:
    clock = VirtualClock()

    async def run_before(pilot: Pilot[Any]) -> None:
        await started(pilot, clock)
        await advance_until(pilot, clock, lambda: is_turning(pilot))
        await advance(pilot, clock, 6)  # the hold is over: waiting for the person

    app = workout_app(clock, turn_confirm=True)
    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_link_lost_banner(snap_compare: SnapCompare, here: Path) -> None:
    clock = VirtualClock()

    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, TreadctlApp)
        await started(pilot, clock)
        await advance(pilot, clock, 8)
        assert app.session is not None
        assert app.session.treadmill is not None
        app.session.treadmill.client.link.break_link()  # type: ignore[attr-defined]
        await advance(pilot, clock, 0.5)

    assert snap_compare(workout_app(clock), terminal_size=(80, 24), run_before=run_before)


def test_end_screen(snap_compare: SnapCompare, here: Path) -> None:
    clock = VirtualClock()

    async def run_before(pilot: Pilot[Any]) -> None:
        await started(pilot, clock)
        await advance_until(pilot, clock, lambda: isinstance(pilot.app.screen, EndScreen))
        await settled(pilot)  # the chart, read from the session log

    assert snap_compare(workout_app(clock), terminal_size=(80, 24), run_before=run_before)
