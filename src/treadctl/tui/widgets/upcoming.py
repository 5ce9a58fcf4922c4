"""The next few steps of the workout, for terminals wide enough to show them."""

from __future__ import annotations

from rich.console import RenderableType
from rich.table import Table
from rich.text import Text
from textual.widget import Widget

from treadctl.formatting import clock_text
from treadctl.tui.view import Units, facing_word, speed_label
from treadctl.workout.timeline import StepKind, Timeline

#: How many segments and turns the list shows at most.
SHOWN = 16


class Upcoming(Widget):
    """``COMING UP``: segments and turns after the current step, with their lengths."""

    def __init__(self, *, units: Units = "kmh", id: str | None = None) -> None:
        super().__init__(id=id)
        self.units: Units = units
        self.timeline: Timeline | None = None
        self.index = -1

    def set_position(self, timeline: Timeline, index: int) -> None:
        if timeline is self.timeline and index == self.index:
            return
        self.timeline, self.index = timeline, index
        self.refresh()

    def render(self) -> RenderableType:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(no_wrap=True)
        grid.add_column(no_wrap=True, ratio=1, overflow="ellipsis")
        grid.title = "COMING UP"
        grid.title_style = "bold"
        grid.title_justify = "left"
        if self.timeline is None:
            return grid
        shown = 0
        for step in self.timeline.steps[self.index + 1 :]:
            if shown >= max(1, self.size.height - 1) or shown >= SHOWN:
                break
            if step.kind is StepKind.TURN:
                grid.add_row(
                    "↻", Text("turn around", style="bold"), f"face {facing_word(step.ends_facing)}"
                )
            elif step.kind is StepKind.SEGMENT:
                arrow = "▼" if step.facing == "backward" else "▲"
                grid.add_row(
                    arrow,
                    f"{clock_text(step.duration_s)} {speed_label(step.speed_kmh, self.units):>9}",
                    Text(step.label),
                )
            else:
                continue
            shown += 1
        if shown == 0:
            grid.add_row("■", "the end", "the belt stops")
        return grid
