"""One treadmill up close: what it does now, a live chart, and its recent events."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer, Sparkline, Static

from treadctl.watch.fleet import Fleet, Treadmill
from treadctl.watch.ui.view import (
    FACING_STYLE,
    FACING_TEXT,
    URGENT_STYLE,
    alert_text,
    clock_text,
    command_text,
    event_lines,
    facing_strip,
    link_text,
    number,
    progress_text,
    reasons_text,
)

#: Events listed at most (the fleet keeps the last 50 of each treadmill).
EVENTS_SHOWN = 30


def _title(treadmill: Treadmill, wall_s: float) -> Text:
    title = Text(f" {treadmill.device_id} ", style="bold reverse")
    if treadmill.name != treadmill.device_id:
        title.append(f"  {treadmill.name}", style="dim")
    status = treadmill.status
    if status is not None:
        title.append(f"  {status.profile or '?'} · {status.workout_state}")
        title.append(f" · {clock_text(status.elapsed_s)} in")
    title.append("   ")
    title.append_text(link_text(treadmill, wall_s))
    return title


def _now(treadmill: Treadmill, wall_s: float) -> Text:
    status = treadmill.status
    if status is None:
        return Text("waiting for its first state", style="dim")
    text = Text()
    if treadmill.reasons:
        text.append(f" ⚠ {reasons_text(treadmill)} ", style=URGENT_STYLE)
        text.append("\n")
    if status.facing in FACING_TEXT:
        text.append(f" {FACING_TEXT[status.facing]} ", style=FACING_STYLE[status.facing])
    text.append(f"  {number(status.speed_kmh, 'km/h')}", style="bold")
    text.append(f"  incline {number(status.incline_pct, '%')}")
    hr = status.heart_rate_bpm
    text.append(f"  ♥ {hr} bpm" if hr is not None else "  ♥ –")
    text.append("\n")
    text.append_text(progress_text(status))
    distance = "" if status.distance_m is None else f"{status.distance_m / 1000:.2f} km"
    text.append(f"   {distance} · {clock_text(status.backward_s)} backward")
    text.append(f" · {status.safety_alerts} safety alerts")
    for extra in (alert_text(treadmill, wall_s), command_text(treadmill, wall_s)):
        if extra is not None:
            text.append("\n")
            text.append_text(extra)
    return text


class DetailScreen(Screen[None]):
    """A treadmill's live figures, speed and heart-rate charts, and its last events.

    Stop, pause and acknowledge are the app's keys and act on this treadmill.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,backspace", "app.pop_screen", "Back", key_display="esc", id="back"),
    ]

    def __init__(self, fleet: Fleet, device_id: str) -> None:
        super().__init__()
        self.fleet = fleet
        self.device_id = device_id

    def compose(self) -> ComposeResult:
        with Vertical(id="detail"):
            yield Static(id="detail-title")
            yield Static(id="detail-now")
            yield Static(id="speed-label", classes="chart-label")
            yield Sparkline([], id="speed-chart")
            yield Static(id="hr-label", classes="chart-label")
            yield Sparkline([], id="hr-chart")
            yield Static(id="facing-strip")
            yield Static("Recent events, newest first", classes="chart-label")
            yield Static(id="detail-events")
        yield Footer()

    @property
    def treadmill(self) -> Treadmill | None:
        return self.fleet.treadmills.get(self.device_id)

    def sync(self, wall_s: float) -> None:
        treadmill = self.treadmill
        if treadmill is None:
            self.query_one("#detail-title", Static).update(
                Text(f"{self.device_id}: no longer on the broker", style="bold")
            )
            return
        self.query_one("#detail-title", Static).update(_title(treadmill, wall_s))
        self.query_one("#detail-now", Static).update(_now(treadmill, wall_s))
        points = list(treadmill.history)
        speeds = [p.speed_kmh or 0.0 for p in points]
        minutes = (points[-1].ts - points[0].ts) / 60 if len(points) > 1 else 0.0
        span = f"last {minutes:.0f} min" if minutes >= 1 else "last minute"
        top = f", top {max(speeds):.1f}" if speeds else ""
        self.query_one("#speed-label", Static).update(f"Speed, km/h ({span}{top})")
        # A zero in front: the bars start from a standing belt, not from the slowest speed.
        self.query_one("#speed-chart", Sparkline).data = [0.0, *speeds]
        rates = [float(p.heart_rate_bpm) for p in points if p.heart_rate_bpm is not None]
        hr_chart = self.query_one("#hr-chart", Sparkline)
        if rates:
            label = f"Heart rate, bpm ({span}, {min(rates):.0f} to {max(rates):.0f})"
            hr_chart.data = rates
        else:
            label = "Heart rate: none reported"
            hr_chart.data = [0.0]
        hr_chart.display = bool(rates)
        self.query_one("#hr-label", Static).update(label)
        width = max(10, self.size.width - 12)
        strip = Text("Facing   ", style="dim")
        strip.append_text(facing_strip(points, width))
        self.query_one("#facing-strip", Static).update(strip)
        self.query_one("#detail-events", Static).update(event_lines(treadmill, EVENTS_SHOWN))
