"""After the workout: how it went, and where the session was saved."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from treadctl.tui.command import DEFAULT_COMMAND, replay_command
from treadctl.tui.session import WorkoutSession
from treadctl.tui.view import Units
from treadctl.tui.widgets import BigText, SummaryTable
from treadctl.tui.widgets.alert_banner import alert_title
from treadctl.workout.events import SafetyAlert

if TYPE_CHECKING:  # the history loads in the end screen's worker, not at start-up
    from treadctl.history.energy import EnergyEstimate
    from treadctl.history.log import SessionLog

#: How many unacknowledged alerts the end screen repeats.
SHOWN_ALERTS = 3


class EndScreen(Screen[None]):
    """The summary (duration, distance, backward time and distance, energy, safety events)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,n", "app.new_workout", "New workout", key_display="enter", id="new"),
        Binding("h", "app.history", "History", id="history"),
        Binding("q", "app.quit", "Quit", id="quit"),
    ]

    def __init__(
        self,
        session: WorkoutSession,
        *,
        units: Units = "kmh",
        alerts: Sequence[SafetyAlert] = (),
        command: str = DEFAULT_COMMAND,
    ) -> None:
        super().__init__()
        self.session = session
        self.command = command
        """How the user started treadctl: the replay hint is a line they can paste."""
        self.units: Units = units
        self.alerts = list(alerts)
        """Alerts not acknowledged on the workout screen: still to be read."""
        self.session_log: SessionLog | None = None
        self.energy: EnergyEstimate | None = None

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
                yield Static("", id="end-energy")
            if self.alerts:
                yield Static(self._alerts_markup(), id="end-alerts")
            if session.log_path is not None:
                path = escape(str(session.log_path))
                replay = escape(replay_command(self.command, session.log_path))
                yield Static(
                    f"Session saved to\n[b]{path}[/b]\n[dim]to play it back:[/dim] {replay}",
                    id="end-log",
                )
            if result is not None and session.log_path is not None:
                # Imported here: plotext costs 0.2 s that the app's start need not wait for.
                from treadctl.tui.widgets.session_chart import SessionChart  # noqa: PLC0415

                yield SessionChart(id="end-chart")
        yield Footer()

    def on_mount(self) -> None:
        if self.session.result is not None and self.session.log_path is not None:
            self.run_worker(self._read_log, thread=True, group="end-chart", exit_on_error=False)

    def _read_log(self) -> None:
        """The session log, read back for the chart and the energy estimate."""
        from treadctl.export.files import body_of  # noqa: PLC0415 (see the imports)
        from treadctl.history.energy import Interval, estimate  # noqa: PLC0415
        from treadctl.history.log import load_session_log  # noqa: PLC0415
        from treadctl.sessions import SessionFileError  # noqa: PLC0415

        assert self.session.log_path is not None
        try:
            log = load_session_log(self.session.log_path)
        except SessionFileError:
            return
        energy = estimate(
            (
                Interval(d, p.speed_kmh, p.incline_pct, p.facing, p.heart_rate_bpm)
                for p, d in log.intervals()
            ),
            body_of(self.session.options.settings),
        )
        self.app.call_from_thread(self.show_log, log, energy)

    def show_log(self, log: SessionLog, energy: EnergyEstimate) -> None:
        self.session_log = log
        self.energy = energy
        machine = self.session.result.summary.energy_kcal if self.session.result else None
        said = (
            ""
            if machine is None
            else f" (the treadmill's {machine:.0f} kcal assumes walking forward)"
        )
        self.query_one("#end-energy", Static).update(
            f"Energy: about [b]{energy.kcal:.0f} kcal[/b]{said}\n"
            f"[dim]{escape(energy.basis[:1].upper() + energy.basis[1:])}[/dim]"
        )
        from treadctl.history.series import session_series  # noqa: PLC0415
        from treadctl.tui.widgets.session_chart import SessionChart  # noqa: PLC0415

        self.query_one(SessionChart).show(session_series(log))

    def _alerts_markup(self) -> str:
        lines = [
            f"[b]⚠ {alert_title(a)}[/b]  {escape(a.message)}" for a in self.alerts[-SHOWN_ALERTS:]
        ]
        hidden = len(self.alerts) - SHOWN_ALERTS
        if hidden > 0:
            lines.insert(0, f"[dim]({hidden} earlier alerts in the session log)[/dim]")
        return "\n".join(lines)
