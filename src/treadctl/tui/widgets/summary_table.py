"""The numbers of a finished workout, as the end screen shows them."""

from __future__ import annotations

from rich.table import Table
from textual.widgets import Static

from treadctl.formatting import clock_text
from treadctl.tui.view import Units, distance_unit, distance_value
from treadctl.workout.events import Summary


def summary_table(summary: Summary, units: Units = "kmh") -> Table:
    table = Table(show_header=False, box=None, padding=(0, 2))
    table.add_column(style="dim", justify="right")
    table.add_column(style="bold")
    unit = distance_unit(units)
    energy = "--" if summary.energy_kcal is None else f"{summary.energy_kcal:.0f} kcal"
    table.add_row(
        "duration",
        f"{clock_text(summary.duration_s)}  ({clock_text(summary.workout_s)} moving)",
    )
    table.add_row("distance", f"{distance_value(summary.distance_m, units)} {unit}")
    table.add_row(
        "backward",
        f"{clock_text(summary.backward_s)}, "
        f"{distance_value(summary.backward_distance_m, units)} {unit}",
    )
    table.add_row("energy", energy)
    table.add_row("safety events", str(summary.safety_events))
    return table


class SummaryTable(Static):
    def __init__(self, summary: Summary, *, units: Units = "kmh", id: str | None = None):
        super().__init__(summary_table(summary, units), id=id)
        self.summary = summary
