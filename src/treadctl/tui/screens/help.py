"""Every key, in a dialog (``?``). Stop (space) stays live while it is open; escape closes
it."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Footer, Static

from treadctl.tui.screens.dialog import Dialog

KEYS = (
    ("space / s / esc", "STOP the belt now and end the workout (space works in dialogs too)"),
    ("enter / c", "confirm: the turn is done, or go on after a hold"),
    ("p", "pause (the belt pauses)"),
    ("r", "resume (the belt ramps up again gently)"),
    ("+ / - (up / down)", "speed up / down by 0.1 km/h, within your ceilings"),
    ("] / [ (pgup / pgdn)", "incline up / down by 0.5 %, within your ceilings"),
    ("a", "acknowledge the safety alert on show"),
    ("m", "mute or unmute the voice (the tones stay)"),
    ("?", "this list (esc, enter or ? closes it)"),
    ("ctrl+t", "light or dark colours"),
    ("q / ctrl+q", "quit (the belt pauses first, then asks)"),
)


class HelpScreen(Dialog[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark,enter,q", "close", "Close", key_display="enter", id="close_help")
    ]

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", justify="right", no_wrap=True)
        table.add_column()
        for key, what in KEYS:
            table.add_row(key, what)
        with Vertical(id="help-dialog", classes="dialog"):
            yield Static("[b]Keys[/b]", classes="dialog--title")
            yield Static(table, id="help-keys")
        yield Footer()

    def action_close(self) -> None:
        self.dismiss(None)
