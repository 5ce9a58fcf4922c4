"""The base of every dialog: Stop in its footer too.

Stop is an app binding with priority, so it already works inside a dialog; but Textual's
footer shows only the dialog's own bindings, so each dialog repeats it for display.
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

from textual.binding import Binding, BindingType
from textual.screen import ModalScreen

ResultType = TypeVar("ResultType")


class Dialog(ModalScreen[ResultType]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "space,escape,ctrl+c",
            "app.emergency_stop",
            "STOP",
            key_display="space",
            priority=True,
            id="stop_in_dialog",
        ),
    ]
