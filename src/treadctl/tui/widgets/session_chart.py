"""The session over time: speed and incline (left scale), heart rate (right), with the
backward stretches shaded. Drawn in the terminal with plotext."""

from __future__ import annotations

from textual_plotext import PlotextPlot

from treadctl.history.series import SessionSeries

SPEED_COLOR = "cyan"
INCLINE_COLOR = "green"
HEART_COLOR = "red"
BACKWARD_COLOR = "orange"


class SessionChart(PlotextPlot):
    """Give it a :class:`SessionSeries` with :meth:`show`."""

    DEFAULT_CSS = """
    SessionChart {
        height: 12;
        min-height: 8;
    }
    """

    series: SessionSeries | None = None

    def show(self, series: SessionSeries) -> None:
        self.series = series
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        if not series.minutes:
            plt.title("no samples in this session")
            self.refresh()
            return
        top = max(max(series.speed_kmh, default=0.0), max(series.incline_pct, default=0.0))
        top = max(1.0, top * 1.1)
        # Shading: a filled series at the top of the scale while facing backward.
        inside = [
            top if any(a <= m <= b for a, b in series.backward_spans) else 0.0
            for m in series.minutes
        ]
        if any(inside):
            plt.plot(
                series.minutes,
                inside,
                fillx=True,
                color=BACKWARD_COLOR,
                label="backward",
                marker="braille",
            )
        plt.plot(
            series.minutes, series.speed_kmh, color=SPEED_COLOR, label="km/h", marker="braille"
        )
        if any(series.incline_pct):
            plt.plot(
                series.minutes,
                series.incline_pct,
                color=INCLINE_COLOR,
                label="incline %",
                marker="braille",
            )
        if series.has_heart_rate:
            known = [
                (m, v)
                for m, v in zip(series.minutes, series.heart_rate_bpm, strict=True)
                if v is not None
            ]
            plt.plot(
                [m for m, _ in known],
                [v for _, v in known],
                color=HEART_COLOR,
                label="bpm",
                yside="right",
                marker="braille",
            )
        plt.ylim(0, top)
        plt.xlabel("minutes")
        self.refresh()
