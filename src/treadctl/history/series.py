"""Numbers to draw: a session over time, and the history session by session and by week.

Plain lists, for any chart library: matplotlib for files (:mod:`treadctl.history.charts`),
plotext in the TUI.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from treadctl.history.log import SessionLog
from treadctl.history.store import Week, weekly


@dataclass(frozen=True)
class SessionSeries:
    minutes: list[float]
    speed_kmh: list[float]
    incline_pct: list[float]
    heart_rate_bpm: list[float | None]
    backward_spans: list[tuple[float, float]]
    """(start, end) minutes of every stretch facing backward."""

    @property
    def has_heart_rate(self) -> bool:
        return any(v is not None for v in self.heart_rate_bpm)


def session_series(log: SessionLog) -> SessionSeries:
    minutes, speed, incline, hr = [], [], [], []
    spans: list[tuple[float, float]] = []
    open_at: float | None = None
    for point in log.points:
        m = point.t_s / 60
        minutes.append(m)
        speed.append(point.speed_kmh or 0.0)
        incline.append(point.incline_pct or 0.0)
        hr.append(None if point.heart_rate_bpm is None else float(point.heart_rate_bpm))
        if point.facing == "backward" and open_at is None:
            open_at = m
        elif point.facing != "backward" and open_at is not None:
            spans.append((open_at, m))
            open_at = None
    if open_at is not None:
        spans.append((open_at, log.end_s / 60))
    return SessionSeries(minutes, speed, incline, hr, spans)


@dataclass(frozen=True)
class HistorySeries:
    weeks: list[Week]
    session_dates: list[dt.datetime]
    longest_bout_s: list[float]
    backward_speed_kmh: list[float | None]


def history_series(logs: Sequence[SessionLog]) -> HistorySeries:
    """Sessions with backward bouts, oldest first, and their weeks."""
    backward = [log for log in logs if log.has_backward]
    return HistorySeries(
        weeks=weekly(backward),
        session_dates=[log.started_at for log in backward],
        longest_bout_s=[log.longest_backward_s for log in backward],
        backward_speed_kmh=[log.backward_speed_kmh for log in backward],
    )
