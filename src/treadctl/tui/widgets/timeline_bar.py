"""The whole workout as a bar: segments by direction, turnarounds, and where we are.

Forward segments are full blocks, backward ones half blocks, turnarounds a ``↻``: the
shapes differ as well as the colours. What is done is drawn bright, what is to come dim.
"""

from __future__ import annotations

from rich.console import RenderableType
from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from treadctl.formatting import clock_text
from treadctl.workout.timeline import Step, StepKind, Timeline

FORWARD = Style(color="#1e88e5")
BACKWARD = Style(color="#ffb300")
TURN = Style(color="#e53935", bold=True)
RAMP = Style(color="#9e9e9e")
DIM = Style(dim=True)


def _cell(step: Step) -> tuple[str, Style]:
    match step.kind:
        case StepKind.TURN:
            return "↻", TURN
        case StepKind.SEGMENT:
            return ("▄", BACKWARD) if step.facing == "backward" else ("█", FORWARD)
        case _:
            return "▁", RAMP


def bar_cells(timeline: Timeline, width: int) -> list[Step]:
    """The step drawn in each of ``width`` columns; every turn gets a column of its own."""
    steps = [s for s in timeline.steps if s.duration_s > 0 or s.kind is StepKind.TURN]
    total = timeline.total_s
    if width <= 0 or not steps or total <= 0:
        return []
    cells: list[Step] = []
    for col in range(width):
        t = (col + 0.5) / width * total
        cells.append(next((s for s in steps if s.start_s <= t < s.end_s), steps[-1]))
    for turn in (s for s in steps if s.kind is StepKind.TURN):
        if turn not in cells:
            col = min(width - 1, int(turn.start_s / total * width))
            cells[col] = turn
    return cells


class TimelineBar(Widget):
    """Three lines: the bar, a marker under the present, and where we are in words."""

    def __init__(self, timeline: Timeline | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.timeline = timeline
        self.position_s = 0.0
        self.caption = ""

    def set_timeline(self, timeline: Timeline) -> None:
        self.timeline = timeline
        self.refresh()

    def set_progress(self, position_s: float, caption: str) -> None:
        """Move the marker to ``position_s``; redraws only when a column or words change."""
        if self.timeline is None:
            return
        width = max(self.size.width, 1)
        total = self.timeline.total_s or 1.0
        old_col = int(self.position_s / total * width)
        new_col = int(position_s / total * width)
        changed = old_col != new_col or caption != self.caption
        self.position_s = position_s
        self.caption = caption
        if changed:
            self.refresh()

    def render(self) -> RenderableType:
        width = self.size.width
        if self.timeline is None or width <= 0:
            return Text("")
        total = self.timeline.total_s or 1.0
        marker = min(width - 1, int(self.position_s / total * width))
        bar = Text(no_wrap=True, overflow="crop")
        for col, step in enumerate(bar_cells(self.timeline, width)):
            glyph, style = _cell(step)
            bar.append(glyph, style if col <= marker else style + DIM)
        pointer = Text(" " * marker + "▲", no_wrap=True, overflow="crop", style="bold")
        end = Text(f"{self.caption}  ·  {clock_text(round(total))} in all", no_wrap=True)
        end.truncate(width, overflow="ellipsis")
        return Text("\n").join([bar, pointer, end])
