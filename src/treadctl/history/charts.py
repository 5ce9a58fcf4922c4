"""Chart files (SVG or PNG) with matplotlib, the optional ``charts`` extra.

matplotlib and its numpy weigh about 60 MB, too much for a treadmill controller that
may run on a small computer by the machine, so it is not a core dependency: `pip
install 'treadctl[charts]'` adds it, and without it the commands say so. The TUI draws
its charts with plotext instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from treadctl.errors import TreadctlError
from treadctl.history.log import SessionLog
from treadctl.history.series import history_series, session_series

FORMATS = (".svg", ".png")
BACKWARD_COLOR = "#f2a541"
SPEED_COLOR = "#1f6fb2"
INCLINE_COLOR = "#5a9e4b"
HEART_COLOR = "#c0392b"


class ChartError(TreadctlError, RuntimeError):
    """No chart could be drawn: matplotlib missing, a wrong suffix, nothing to draw."""


def _pyplot() -> Any:
    try:
        import matplotlib  # noqa: PLC0415

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt  # noqa: PLC0415
    except ImportError:
        raise ChartError(
            "charts as files need matplotlib: pip install 'treadctl[charts]'"
        ) from None
    return plt


def _check_suffix(path: Path) -> None:
    if path.suffix.lower() not in FORMATS:
        raise ChartError(f"{path}: give a .svg or .png file name")


def _save(fig: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    # A fixed date in SVG metadata keeps the file the same for the same session.
    metadata = {"Date": None} if path.suffix.lower() == ".svg" else {}
    fig.savefig(path, dpi=110, metadata=metadata)
    return path


def plot_session(log: SessionLog, path: Path) -> Path:
    """Speed, incline and heart rate over the session, backward stretches shaded."""
    _check_suffix(path)
    series = session_series(log)
    if not series.minutes:
        raise ChartError(f"{log.path}: no samples to draw")
    plt = _pyplot()
    panels = 3 if series.has_heart_rate else 2
    fig, axes = plt.subplots(panels, 1, sharex=True, figsize=(9, 2.2 * panels + 0.8))
    try:
        fig.suptitle(f"{log.title} · {log.started_at.astimezone():%Y-%m-%d %H:%M} · {log.kind}")
        rows: list[tuple[list[Any], str, str]] = [
            (list(series.speed_kmh), "speed km/h", SPEED_COLOR),
            (list(series.incline_pct), "incline %", INCLINE_COLOR),
        ]
        if series.has_heart_rate:
            rows.append((list(series.heart_rate_bpm), "heart rate bpm", HEART_COLOR))
        for ax, (values, label, color) in zip(axes, rows, strict=True):
            for start, end in series.backward_spans:
                ax.axvspan(start, end, color=BACKWARD_COLOR, alpha=0.3, linewidth=0)
            ax.plot(
                series.minutes,
                [float("nan") if v is None else v for v in values],
                color=color,
                linewidth=1.4,
            )
            ax.set_ylabel(label)
            ax.grid(alpha=0.3)
            shown = [v for v in values if v is not None]
            if shown and max(shown) - min(shown) < 1:  # a flat line: a scale around it
                pad = max(1.0, abs(max(shown)) * 0.1)
                ax.set_ylim(min(shown) - pad, max(shown) + pad)
        axes[0].plot([], [], color=BACKWARD_COLOR, alpha=0.5, linewidth=8, label="backward")
        axes[0].legend(loc="upper right", frameon=False)
        axes[-1].set_xlabel("minutes")
        fig.tight_layout()
        return _save(fig, path)
    finally:
        plt.close(fig)


def plot_weekly(logs: Sequence[SessionLog], path: Path) -> Path:
    """Backward minutes a week, the longest bout and backward speed session by session."""
    _check_suffix(path)
    data = history_series(logs)
    if not data.weeks:
        raise ChartError("no sessions with backward bouts to draw")
    plt = _pyplot()
    fig, axes = plt.subplots(3, 1, figsize=(9, 8))
    try:
        fig.suptitle("Backward walking, week by week")
        weeks = [w.monday for w in data.weeks]
        axes[0].bar(weeks, [w.backward_s / 60 for w in data.weeks], width=5, color=BACKWARD_COLOR)
        axes[0].set_ylabel("backward min / week")
        axes[1].plot(data.session_dates, data.longest_bout_s, marker="o", color=SPEED_COLOR)
        axes[1].set_ylabel("longest bout s")
        speeds = [float("nan") if v is None else v for v in data.backward_speed_kmh]
        axes[2].plot(data.session_dates, speeds, marker="o", color=INCLINE_COLOR)
        axes[2].set_ylabel("backward km/h")
        for ax in axes:
            ax.grid(alpha=0.3)
        fig.autofmt_xdate()
        fig.tight_layout()
        return _save(fig, path)
    finally:
        plt.close(fig)
