"""Are you sure? Before a stop or a pause goes to someone else's treadmill."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Static

#: What each command does, said before it is sent.
CONSEQUENCES = {
    "stop": "The belt stops at once and the workout ends. Only the person at the "
    "treadmill can start a new one.",
    "pause": "The belt stops and the workout waits. The person at the treadmill resumes it there.",
}


class ConfirmCommand(ModalScreen[bool]):
    """``Stop lane-3?`` with No (``n``, the focus) and Yes (``y``); escape is no."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes, send it", id="confirm_yes"),
        Binding("n,escape", "answer(False)", "No", key_display="n", id="confirm_no"),
    ]

    def __init__(self, command: str, name: str, detail: str = "") -> None:
        super().__init__()
        self.command = command
        self.treadmill_name = name
        self.detail = detail

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-dialog"):
            title = Text(f"{self.command.capitalize()} ", style="bold")
            title.append(self.treadmill_name, style="bold reverse")
            title.append("?", style="bold")
            yield Static(title, id="confirm-title")
            body = CONSEQUENCES[self.command]
            if self.detail:
                body = f"{self.detail}\n\n{body}"
            yield Static(Text(body), id="confirm-text")
            with Horizontal(id="confirm-buttons"):
                yield Button("No (n)", id="no", variant="primary")
                yield Button(f"{self.command.capitalize()} it (y)", id="yes", variant="error")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
