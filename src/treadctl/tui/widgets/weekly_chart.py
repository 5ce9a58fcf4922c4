"""Backward minutes a week, as bars (plotext)."""

from __future__ import annotations

from collections.abc import Sequence

from textual_plotext import PlotextPlot

from treadctl.history.store import Week

BAR_COLOR = "orange"


class WeeklyChart(PlotextPlot):
    weeks: Sequence[Week] = ()

    def show(self, weeks: Sequence[Week]) -> None:
        self.weeks = weeks
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        if not weeks:
            plt.title("no backward sessions yet")
        else:
            labels = [w.monday.strftime("%d %b") for w in weeks]
            plt.bar(labels, [round(w.backward_s / 60, 1) for w in weeks], color=BAR_COLOR)
            plt.title("backward minutes per week (weeks start on Monday)")
        self.refresh()
