"""The history: backward minutes a week, the longest bout, backward speed, as charts."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Static, TabbedContent, TabPane

from treadctl.history.log import SessionLog
from treadctl.history.series import HistorySeries, history_series
from treadctl.history.store import History, load_history, select
from treadctl.tui.widgets.trend_chart import TrendChart
from treadctl.tui.widgets.weekly_chart import WeeklyChart


class HistoryScreen(Screen[None]):
    """Real sessions and rehearsals (replays are left out), read in a worker thread."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,b", "dismiss_history", "Back", key_display="b", id="back"),
        Binding("1", "tab('weekly')", "Weekly", id="tab_weekly"),
        Binding("2", "tab('longest')", "Longest bout", id="tab_longest"),
        Binding("3", "tab('speed')", "Speed", id="tab_speed"),
        Binding("q", "app.quit", "Quit", id="quit"),
    ]

    def __init__(self, sessions: Path | None = None) -> None:
        super().__init__()
        self.sessions = sessions
        self.history: History | None = None
        self.logs: list[SessionLog] = []
        self.series: HistorySeries | None = None

    def compose(self) -> ComposeResult:
        yield Static("[b]History[/b] · reading your sessions…", id="history-title")
        with TabbedContent(id="history-tabs"):
            with TabPane("Backward minutes a week", id="weekly"):
                yield WeeklyChart(id="weekly-chart")
            with TabPane("Longest bout", id="longest"):
                yield TrendChart(id="longest-chart")
            with TabPane("Backward speed", id="speed"):
                yield TrendChart(id="speed-chart")
        yield Footer()

    def on_mount(self) -> None:
        self.run_worker(self._load, thread=True, group="history", exit_on_error=False)

    def _load(self) -> None:
        history = load_history(self.sessions)
        self.app.call_from_thread(self.show_history, history)

    def show_history(self, history: History) -> None:
        self.history = history
        self.logs = [
            log for log in select(history.logs, kinds=("real", "rehearsal")) if log.has_backward
        ]
        series = history_series(self.logs)
        self.series = series
        self.query_one("#weekly-chart", WeeklyChart).show(series.weeks)
        self.query_one("#longest-chart", TrendChart).show(
            series.session_dates, series.longest_bout_s, "longest backward bout (s)", "cyan"
        )
        self.query_one("#speed-chart", TrendChart).show(
            series.session_dates, series.backward_speed_kmh, "backward speed (km/h)", "green"
        )
        total_min = sum(log.backward_s for log in self.logs) / 60
        longest = max((log.longest_backward_s for log in self.logs), default=0.0)
        text = (
            f"[b]History[/b] · {len(self.logs)} sessions · {total_min:.0f} min backward · "
            f"longest bout {longest:.0f} s"
        )
        if history.unreadable:
            text += f" · {len(history.unreadable)} unreadable file(s) skipped"
        self.query_one("#history-title", Static).update(text)

    def action_tab(self, tab: str) -> None:
        self.query_one("#history-tabs", TabbedContent).active = tab

    def action_dismiss_history(self) -> None:
        self.app.pop_screen()
