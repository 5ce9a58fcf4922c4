"""What comes next (with its countdown), the latest cue, and how to move backward."""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.widget import Widget

from treadctl.tui.view import NextUp
from treadctl.workout.coaching import BACKWARD_TIPS, FORWARD_TIPS, tips_line
from treadctl.workout.profile import Direction

#: Kinds of "next" that are about the person's safety, shown in reverse video.
URGENT = ("turn", "hold", "confirm")


class CuePanel(Widget):
    """``NEXT`` line, ``SOON`` countdown, ``CUE`` line and standing coaching ``HOW``."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.next_up: NextUp | None = None
        self.cue = ""
        self.countdown = ""
        self.facing: Direction = "forward"
        self._key: tuple[object, ...] = ()

    def set_next(self, next_up: NextUp) -> None:
        self.next_up = next_up
        self._changed()

    def set_cue(self, text: str) -> None:
        self.cue = text
        self._changed()

    def set_countdown(self, text: str) -> None:
        self.countdown = text
        self._changed()

    def set_facing(self, facing: Direction) -> None:
        self.facing = facing
        self._changed()

    def _changed(self) -> None:
        line = self.next_up.line() if self.next_up is not None else ""
        key = (line, self.cue, self.countdown, self.facing)
        if key != self._key:
            self._key = key
            self.refresh(layout=True)

    def rows(self) -> list[tuple[str, str, str]]:
        """``(label, text, style)`` for each line shown."""
        out: list[tuple[str, str, str]] = []
        if self.next_up is not None:
            urgent = self.next_up.kind in URGENT
            out.append(("NEXT", self.next_up.line(), "bold reverse" if urgent else "bold"))
        if self.countdown:
            out.append(("SOON", self.countdown, "bold reverse"))
        if self.cue:
            out.append(("CUE", self.cue, "bold"))
        tips = BACKWARD_TIPS if self.facing == "backward" else FORWARD_TIPS
        out.append(("HOW", tips_line(tips), ""))
        return out

    def render(self) -> RenderableType:
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column(ratio=1)
        for label, text, style in self.rows():
            grid.add_row(label, Text(text, style=style))
        return grid
