"""One number session by session (the longest bout, backward speed), as a line (plotext)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from textual_plotext import PlotextPlot


class TrendChart(PlotextPlot):
    values: Sequence[float | None] = ()

    def show(
        self, dates: Sequence[dt.datetime], values: Sequence[float | None], title: str, color: str
    ) -> None:
        self.values = values
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        known = [(i + 1, v) for i, v in enumerate(values) if v is not None]
        if not known:
            plt.title("no backward sessions yet")
        else:
            plt.plot([i for i, _ in known], [v for _, v in known], color=color, marker="dot")
            first, last = dates[0].astimezone(), dates[-1].astimezone()
            plt.title(f"{title} · session 1 ({first:%d %b}) to {len(dates)} ({last:%d %b})")
            plt.xlabel("session")
        self.refresh()
