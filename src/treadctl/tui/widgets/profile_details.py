"""A profile's description, totals and any reason it cannot start, for the start screen."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from textual.widgets import Static

from treadctl.formatting import clock_text
from treadctl.tui.choices import ProfileChoice
from treadctl.tui.view import Units, facing_word, speed_label
from treadctl.workout.timeline import StepKind


def segments_table(choice: ProfileChoice, units: Units = "kmh") -> Table | None:
    """One row per segment and turn, in running order (the compiled timeline)."""
    if choice.timeline is None:
        return None
    table = Table(box=None, padding=(0, 1), show_edge=False, header_style="dim")
    table.add_column("")
    table.add_column("time", justify="right")
    table.add_column("speed", justify="right")
    table.add_column("incline", justify="right")
    table.add_column("segment", overflow="ellipsis", no_wrap=True)
    for step in choice.timeline.steps:
        if step.kind is StepKind.TURN:
            table.add_row("↻", "", "", "", f"turn to face {facing_word(step.ends_facing)}")
        elif step.kind is StepKind.SEGMENT:
            table.add_row(
                "▼" if step.facing == "backward" else "▲",
                clock_text(step.duration_s),
                speed_label(step.speed_kmh, units),
                f"{step.incline_pct:g} %",
                step.label,
            )
    return table


def details_markup(choice: ProfileChoice, units: Units = "kmh") -> str:
    lines = [f"[b]{escape(choice.title)}[/b]  [dim]{escape(choice.key)}[/dim]"]
    summary = choice.summary
    if summary is not None and choice.total_s is not None:
        total = clock_text(round(choice.total_s))
        back = clock_text(choice.backward_s)
        facts = f"[b]{total}[/b] in all · [b]{back}[/b] backward"
        if choice.turns:
            facts += f" · {choice.turns} turnaround{'s' if choice.turns != 1 else ''}"
        if summary.max_backward_speed_kmh is not None:
            facts += f" · backward up to {speed_label(summary.max_backward_speed_kmh, units)}"
        lines.append(facts)
    if choice.error:
        lines.append("")
        lines.append(f"[b reverse] Cannot start [/] {escape(choice.error)}")
    profile = choice.profile
    if profile is not None:
        if profile.description:
            lines += ["", escape(profile.description.strip())]
        if profile.who_for:
            lines += ["", f"[dim]For:[/dim] {escape(profile.who_for.strip())}"]
    return "\n".join(lines)


class ProfileDetails(Static):
    """What the profile is, for whom, its totals, and its segments one per row."""

    def __init__(self, *, units: Units = "kmh", id: str | None = None) -> None:
        super().__init__("", id=id)
        self.units: Units = units
        self.choice: ProfileChoice | None = None

    def show(self, choice: ProfileChoice) -> None:
        self.choice = choice
        parts: list[RenderableType] = [Text.from_markup(details_markup(choice, self.units))]
        table = segments_table(choice, self.units)
        if table is not None:
            parts += [Text(""), table]
        self.update(Group(*parts))
