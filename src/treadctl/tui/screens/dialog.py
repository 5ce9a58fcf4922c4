"""The base of every dialog: Stop in its footer too, and escape to close it.

Stop is an app binding with priority, so it already works inside a dialog; but Textual's
footer shows only the dialog's own bindings, so each dialog repeats it for display.
Escape is the reflex for closing a dialog, so in a dialog it closes the dialog and never
stops the workout: space does, everywhere.
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

from textual.binding import Binding, BindingType
from textual.screen import ModalScreen

ResultType = TypeVar("ResultType")


class Dialog(ModalScreen[ResultType]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "space,ctrl+c",
            "app.emergency_stop",
            "STOP",
            key_display="space",
            priority=True,
            id="stop_in_dialog",
        ),
        Binding("escape", "cancel", "Close", key_display="esc", id="close_dialog"),
    ]

    def action_cancel(self) -> None:
        """Escape: closed with no answer (a question is answered "no")."""
        self.dismiss(None)
