"""The coach's pick on the start screen, the history screen, and the end screen's chart."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import OptionList

from tests.history.making import day, ladder_profile, rehearse_async
from tests.tui.conftest import MakeApp, advance_until, screen_text, started
from treadctl.clock import VirtualClock
from treadctl.config import Settings
from treadctl.sessions import data_dir, sessions_dir
from treadctl.tui import TreadctlApp
from treadctl.tui.coach import COACH_FILE
from treadctl.tui.screens import EndScreen, StartScreen
from treadctl.tui.screens.history import HistoryScreen
from treadctl.tui.widgets.session_chart import SessionChart
from treadctl.tui.widgets.trend_chart import TrendChart
from treadctl.tui.widgets.weekly_chart import WeeklyChart


async def _two_clean_sessions(tmp_path: Path) -> None:
    rung1 = ladder_profile(tmp_path, 20, 0.8)
    for n in range(2):
        await rehearse_async(rung1, sessions_dir(), when=day(n))


async def test_the_start_screen_preselects_the_coachs_pick_and_says_why(
    settings: Settings, tmp_path: Path
) -> None:
    await _two_clean_sessions(tmp_path)
    app = TreadctlApp(settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        start = app.screen
        assert isinstance(start, StartScreen)
        assert start.pick is not None
        assert start.pick.recommendation.level.number == 2
        profiles = start.query_one("#profiles", OptionList)
        assert profiles.highlighted == 0
        assert start.profiles[0].key == str(data_dir() / "coach" / COACH_FILE)
        assert start.profiles[0].error is None
        shown = " ".join(screen_text(app).split())
        assert "Coach's pick (c): 6 backward bouts of 30 s at 0.8 km/h (level 2)" in shown
        assert "Coach: 30 s backward at 0.8 km/h" in shown
        # Another profile, then c goes back to the pick.
        profiles.highlighted = 3
        await pilot.press("c")
        await pilot.pause()
        assert profiles.highlighted == 0


async def test_with_no_sessions_the_pick_is_first_steps(settings: Settings) -> None:
    app = TreadctlApp(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        start = app.screen
        assert isinstance(start, StartScreen)
        assert start.highlighted is not None
        assert start.highlighted.key == "first-steps"
        assert "No sessions with backward bouts yet" in " ".join(screen_text(app).split())


async def test_without_a_coachs_pick_the_beginner_profile_is_preselected(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not the first profile in the list (an hour-long one): first-steps."""

    def no_pick(*_args: object, **_kwargs: object) -> None:
        raise OSError("the data folder is read-only")

    monkeypatch.setattr("treadctl.tui.app.coach_pick", no_pick)
    app = TreadctlApp(settings)
    async with app.run_test(size=(120, 35)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        start = app.screen
        assert isinstance(start, StartScreen)
        assert start.pick is None
        assert start.profiles[0].key == "backward-endurance-60"
        assert start.highlighted is not None
        assert start.highlighted.key == "first-steps"
        shown = " ".join(screen_text(app).split())
        assert "No coach's pick: the data folder is read-only" in shown
        assert "First steps backward first-steps" in shown  # its details are on show


async def test_the_history_screen_charts_the_sessions(settings: Settings, tmp_path: Path) -> None:
    await _two_clean_sessions(tmp_path)
    longer = ladder_profile(tmp_path, 45, 1.0)
    await rehearse_async(longer, sessions_dir(), when=day(9))
    await rehearse_async(longer, sessions_dir(), when=day(10), extra_header={"replay_of": "x"})
    app = TreadctlApp(settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("h")
        await pilot.pause()
        history = app.screen
        assert isinstance(history, HistoryScreen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert len(history.logs) == 3  # the replay is left out
        weekly = history.query_one("#weekly-chart", WeeklyChart)
        assert [w.sessions for w in weekly.weeks] == [2, 1]
        longest = history.query_one("#longest-chart", TrendChart)
        assert [round(v or 0) for v in longest.values] == [20, 20, 45]
        shown = screen_text(app)
        total_min = sum(log.backward_s for log in history.logs) / 60
        assert f"3 sessions · {total_min:.0f} min backward · longest bout 45 s" in shown
        assert "backward minutes per week" in shown
        await pilot.press("3")
        await pilot.pause()
        assert "backward speed (km/h)" in screen_text(app)
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, StartScreen)


async def test_the_end_screen_charts_the_session_and_exports_it(
    make_app: MakeApp, short_profile: Path, tmp_path: Path
) -> None:
    clock = VirtualClock()
    exports = tmp_path / "exports"
    app = make_app(
        short_profile,
        clock,
        export_on_finish="fit",
        export_rehearsals=True,
        export_folder=exports,
    )
    async with app.run_test(size=(120, 35)) as pilot:
        await started(pilot, clock)
        # The workout ends on the clock; the export after it runs in a thread, in real
        # time: wait for it (and the end screen it leads to) rather than race the clock.
        await advance_until(
            pilot,
            clock,
            lambda: app.session is not None and app.session.result is not None,
            limit_s=600,
        )
        await app.workers.wait_for_complete()
        await pilot.pause()
        end = app.screen
        assert isinstance(end, EndScreen)
        chart = end.query_one(SessionChart)
        assert chart.series is not None
        assert len(chart.series.backward_spans) == 1
        start_min, end_min = chart.series.backward_spans[0]
        assert 0.4 < end_min - start_min < 1.0  # the 30 s bout and its turns
        assert end.energy is not None
        shown = screen_text(app)
        assert f"Energy: about {end.energy.kcal:.0f} kcal" in shown
        assert "Compendium 2011" in shown
        assert "minutes" in shown
        assert (exports / "session.fit").stat().st_size > 0
        await pilot.press("h")
        await pilot.pause()
        assert isinstance(app.screen, HistoryScreen)
