"""Safety alerts from the engine, one banner at a time, each until it is acknowledged."""

from __future__ import annotations

from rich.markup import escape
from textual.widgets import Static

from treadctl.workout.events import SafetyAlert

#: Headlines by alert kind; anything else is named by its hazard.
TITLES = {
    "link_lost": "LINK LOST",
    "no_answer": "TREADMILL NOT ANSWERING",
    "reconnected": "RECONNECTED",
    "offline": "NOT CONNECTED",
    "gave_up": "COULD NOT RECONNECT",
    "safety_key": "SAFETY KEY PULLED",
    "console_stop": "STOPPED AT THE CONSOLE",
    "control_lost": "CONTROL LOST",
    "control_regained": "CONTROL REGAINED",
    "target_not_reached": "TARGET SPEED NOT REACHED",
    "too_fast": "BELT TOO FAST",
    "heart_rate": "HEART RATE HIGH",
    "turn_not_slow": "BELT DID NOT SLOW DOWN",
    "stop_offline": "STOP NOT SENT",
    "stop_failed": "STOP FAILED",
    "stale": "NO DATA",
    "heart_rate_unknown": "HEART RATE UNKNOWN",
    "advisory_mode": "ADVISORY MODE: SET THE SPEED AT THE CONSOLE",
    "commands_ignored": "COMMANDS IGNORED",
    "over_ceiling": "TOO FAST: SLOW IT AT THE CONSOLE",
    "turn_too_fast": "TOO FAST TO TURN",
    "speed_up_too_quick": "SPEEDING UP TOO QUICKLY",
    "stop_at_console": "STOP AT THE CONSOLE",
}


def alert_title(alert: SafetyAlert) -> str:
    title = TITLES.get(alert.kind)
    if title is None:
        title = "CEILING" if alert.hazard == "H2" else f"SAFETY {alert.hazard}"
    return title


class AlertBanner(Static):
    """The oldest unacknowledged alert; hidden when there is none.

    Alerts that need an answer (``needs_ack``) get the class ``-severe``, the others
    ``-warning``. Every alert stays until :meth:`acknowledge` is called for it.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.pending: list[SafetyAlert] = []
        self.display = False

    def add(self, alert: SafetyAlert) -> None:
        self.pending.append(alert)
        self._show()

    def acknowledge(self) -> SafetyAlert | None:
        """Drop the alert on show (the oldest); returns it."""
        if not self.pending:
            return None
        alert = self.pending.pop(0)
        self._show()
        return alert

    def _show(self) -> None:
        self.display = bool(self.pending)
        if not self.pending:
            self.update("")
            return
        alert = self.pending[0]
        more = len(self.pending) - 1
        tail = f"  ([b]{more}[/b] more)" if more else ""
        self.set_class(alert.needs_ack, "-severe")
        self.set_class(not alert.needs_ack, "-warning")
        self.update(
            f"[b]⚠ {alert_title(alert)}[/b]  {escape(alert.message)}\n"
            f"[b reverse] a [/] acknowledge{tail}"
        )
