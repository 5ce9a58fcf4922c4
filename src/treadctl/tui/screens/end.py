"""After the workout: how it went, and where the session was saved."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from treadctl.tui.session import WorkoutSession
from treadctl.tui.view import Units
from treadctl.tui.widgets import BigText, SummaryTable
from treadctl.tui.widgets.alert_banner import alert_title
from treadctl.workout.events import SafetyAlert

#: How many unacknowledged alerts the end screen repeats.
SHOWN_ALERTS = 3


class EndScreen(Screen[None]):
    """The summary (duration, distance, backward time and distance, energy, safety events)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,n", "app.new_workout", "New workout", key_display="enter", id="new"),
        Binding("q", "app.quit", "Quit", id="quit"),
    ]

    def __init__(
        self,
        session: WorkoutSession,
        *,
        units: Units = "kmh",
        alerts: Sequence[SafetyAlert] = (),
    ) -> None:
        super().__init__()
        self.session = session
        self.units: Units = units
        self.alerts = list(alerts)
        """Alerts not acknowledged on the workout screen: still to be read."""

    def compose(self) -> ComposeResult:
        session = self.session
        result = session.result
        with Vertical(id="end"):
            if result is None:
                yield BigText("STOP", fallback="WORKOUT NOT RUN", id="end-words", classes="-failed")
                yield Static("[b]The workout did not run.[/b]", id="end-state")
                yield Static(escape(session.error or "no reason given"), id="end-error")
            else:
                summary = result.summary
                if summary.completed:
                    yield BigText("DONE", fallback="WORKOUT DONE", id="end-words")
                    yield Static(
                        f"[b]{escape(result.profile.display_title)}[/b]: completed. Well done.",
                        id="end-state",
                    )
                else:
                    yield BigText(
                        "STOP", fallback="WORKOUT ENDED", id="end-words", classes="-failed"
                    )
                    yield Static(
                        f"[b]{escape(result.profile.display_title)}[/b]: ended early "
                        f"({escape(summary.reason)}).",
                        id="end-state",
                    )
                with Center():
                    yield SummaryTable(summary, units=self.units, id="summary")
            if self.alerts:
                yield Static(self._alerts_markup(), id="end-alerts")
            if session.log_path is not None:
                path = escape(str(session.log_path))
                yield Static(
                    f"Session saved to\n[b]{path}[/b]\n"
                    "[dim]to play it back: treadctl replay and that file[/dim]",
                    id="end-log",
                )
        yield Footer()

    def _alerts_markup(self) -> str:
        lines = [
            f"[b]⚠ {alert_title(a)}[/b]  {escape(a.message)}" for a in self.alerts[-SHOWN_ALERTS:]
        ]
        hidden = len(self.alerts) - SHOWN_ALERTS
        if hidden > 0:
            lines.insert(0, f"[dim]({hidden} earlier alerts in the session log)[/dim]")
        return "\n".join(lines)
