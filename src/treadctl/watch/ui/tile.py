"""One treadmill on the dashboard: a bordered box, redrawn only when what it says changes."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import Static

from treadctl.watch.fleet import Treadmill
from treadctl.watch.ui.view import reasons_text, tile_text


class Tile(Static):
    """Name on the top border, five lines inside, why it needs you on the bottom border.

    Classes: ``-urgent`` (it needs a person), ``-offline``, ``-done`` (not in use),
    ``-selected``, and ``-forward``/``-backward``. A tile shows whichever treadmill the
    dashboard gives it; the dashboard has only as many tiles as fit on the screen.
    """

    class Chosen(Message):
        """The tile was clicked (twice: open its detail view)."""

        def __init__(self, device_id: str, open_detail: bool) -> None:
            super().__init__()
            self.device_id = device_id
            self.open_detail = open_detail

    def __init__(self) -> None:
        super().__init__("", classes="tile")
        self.device_id: str | None = None
        self._drawn: tuple[object, ...] | None = None

    def show(self, treadmill: Treadmill | None, *, wall_s: float, selected: bool) -> None:
        """Show ``treadmill`` (None: hide the tile). Cheap when nothing changed."""
        if treadmill is None:
            self.device_id = None
            self._drawn = None
            self.display = False
            return
        key = (treadmill.device_id, treadmill.version, int(wall_s), selected)
        if key == self._drawn:
            return
        self._drawn = key
        self.device_id = treadmill.device_id
        self.display = True
        status = treadmill.status
        urgent = bool(treadmill.reasons)
        self.set_class(urgent, "-urgent")
        self.set_class(treadmill.availability == "offline", "-offline")
        self.set_class(not urgent and not treadmill.active, "-done")
        self.set_class(selected, "-selected")
        facing = status.facing if status is not None else None
        self.set_class(facing == "forward", "-forward")
        self.set_class(facing == "backward", "-backward")
        title = Text(treadmill.device_id, style="bold")
        if treadmill.name != treadmill.device_id:
            title.append(f" · {treadmill.name}", style="")
        self.border_title = title
        self.border_subtitle = Text(f"⚠ {reasons_text(treadmill)}") if urgent else None
        self.update(tile_text(treadmill, wall_s=wall_s))

    def on_click(self, event: events.Click) -> None:
        if self.device_id is not None:
            self.post_message(self.Chosen(self.device_id, event.chain >= 2))
