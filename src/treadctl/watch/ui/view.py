"""What a tile and the detail view say, as Rich text. Pure: no Textual, no I/O.

Every payload string has been cleaned by :mod:`treadctl.watch.status`; it goes into
:class:`rich.text.Text` as plain text, never as markup, so a treadmill's name cannot
restyle the dashboard.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Final

from rich.text import Text

from treadctl.watch.fleet import COMMAND_ANSWER_S, REASONS, Point, Treadmill
from treadctl.watch.status import TreadmillStatus

#: Facing in words, arrows and colours (the workout screen's: blue forward, amber backward).
FACING_TEXT: Final = {"forward": "▲ FORWARD", "backward": "▼ BACKWARD"}
FACING_STYLE: Final = {"forward": "bold #ffffff on #0d47a1", "backward": "bold #000000 on #ffb300"}
FACING_MARK: Final = {"forward": ("▲", "#5c9ded"), "backward": ("▼", "#ffb300")}
URGENT_STYLE: Final = "bold #ffffff on #b71c1c"


def clock_text(seconds: float | None) -> str:
    """``m:ss`` (or ``h:mm:ss``); ``–`` when unknown."""
    if seconds is None:
        return "–"
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def age_text(seconds: float) -> str:
    """How long ago, in words short enough for a tile."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f} s ago"
    if seconds < 3600:
        return f"{seconds / 60:.0f} min ago"
    return f"{seconds / 3600:.0f} h ago"


def number(value: float | None, unit: str, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f} {unit}"


def reasons_text(treadmill: Treadmill) -> str:
    """The tile's alarm line: every reason, most pressing first."""
    return " · ".join(REASONS[r] for r in treadmill.reasons)


def progress_text(status: TreadmillStatus) -> Text:
    """What the workout is doing: segment and time left, a turn, a pause, the end."""
    state = status.workout_state
    segment = status.segment or "–"
    if state == "running":
        left = status.segment_left_s
        tail = f" · {clock_text(left)} left" if left is not None else ""
        return Text(f"{segment}{tail}")
    if state == "turning":
        to = "backward" if status.facing == "forward" else "forward"
        return Text(f"turning to face {to}", style="bold")
    if state == "paused":
        why = status.paused_reason or "paused"
        return Text(f"paused: {why}", style="bold")
    if state == "idle":
        return Text("waiting to start", style="dim")
    if state in ("finished", "aborted"):
        far = "" if status.distance_m is None else f" · {status.distance_m / 1000:.2f} km"
        word = "finished" if state == "finished" else "ended early"
        return Text(f"{word}{far}", style="dim")
    return Text(state, style="dim")


def link_text(treadmill: Treadmill, wall_s: float | None = None) -> Text:
    """treadctl's link to its treadmill, and treadctl's own to the broker.

    Offline or silent in a workout, it says how old the figures above it are.
    """
    status = treadmill.status
    stale = {"offline", "silent"} & set(treadmill.reasons)
    heard = ""
    if stale and wall_s is not None and status is not None and status.ts is not None:
        heard = f" · {age_text(wall_s - status.ts)}"
    if treadmill.availability == "offline":
        return Text(f"○ treadctl offline{heard}", style="bold" if treadmill.reasons else "dim")
    if heard:
        return Text(f"… no news{heard}", style="bold")
    if status is None or status.link_connected is None:
        return Text("… link unknown", style="dim")
    if status.link_connected:
        return Text("● linked")
    return Text("✖ NO LINK", style="bold")


def command_text(treadmill: Treadmill, wall_s: float) -> Text | None:
    """The last command this watch sent, and the answer (for a minute)."""
    note = treadmill.last_command
    if note is None or wall_s - note.sent_wall_s > 60:
        return None
    ago = age_text(wall_s - note.sent_wall_s)
    if note.accepted is None:
        if wall_s - note.sent_wall_s > COMMAND_ANSWER_S:
            return Text(f"{note.name} sent {ago}: no answer", style="bold")
        return Text(f"{note.name} sent {ago}, waiting…")
    verdict = "accepted" if note.accepted else "REFUSED"
    return Text(f"{note.name} {verdict} ({ago})", style="" if note.accepted else "bold")


def alert_text(treadmill: Treadmill, wall_s: float) -> Text | None:
    alert = treadmill.last_alert
    if alert is None:
        return None
    ago = "" if alert.ts is None else f" {age_text(wall_s - alert.ts)}"
    style = "bold" if "alert" in treadmill.reasons else "dim"
    return Text(f"⚠ {alert.hazard}{ago}: {alert.message}", style=style)


def tile_text(treadmill: Treadmill, *, wall_s: float) -> Text:
    """Five lines: facing and speed; the workout; heart rate and link; alert; command."""
    status = treadmill.status
    lines: list[Text] = []
    if status is None:
        lines.append(Text("waiting for its first state", style="dim"))
    else:
        head = Text()
        if status.facing in FACING_TEXT:
            head.append(f" {FACING_TEXT[status.facing]} ", style=FACING_STYLE[status.facing])
        else:
            head.append(" ? facing ", style="dim")
        head.append(f"  {number(status.speed_kmh, 'km/h')}", style="bold")
        head.append(f"  {number(status.incline_pct, '%')}")
        lines.append(head)
        lines.append(progress_text(status))
    status_line = Text()
    if status is not None:
        hr = status.heart_rate_bpm
        status_line.append(f"♥ {hr} bpm" if hr is not None else "♥ –")
        status_line.append("   ")
    status_line.append_text(link_text(treadmill, wall_s))
    lines.append(status_line)
    for extra in (alert_text(treadmill, wall_s), command_text(treadmill, wall_s)):
        if extra is not None:
            lines.append(extra)
    if len(lines) < 5 and status is not None and status.profile:
        lines.append(Text(f"{status.profile} · {clock_text(status.elapsed_s)} in", style="dim"))
    text = Text("\n").join(lines[:5])
    text.no_wrap = True
    text.overflow = "ellipsis"
    return text


def facing_strip(points: Sequence[Point], width: int) -> Text:
    """The last ``width`` states as ▲ (forward) and ▼ (backward) marks, oldest first."""
    text = Text()
    for point in list(points)[-width:]:
        mark, colour = FACING_MARK.get(point.facing or "", ("·", "#808080"))
        text.append(mark, style=colour)
    return text


def event_lines(treadmill: Treadmill, count: int) -> Text:
    """The newest ``count`` events, newest first, each with its local clock time."""
    out = Text()
    events = list(treadmill.events)[-count:]
    for event in reversed(events):
        stamp = time.strftime("%H:%M:%S", time.localtime(event.ts)) if event.ts else "--:--:--"
        style = "bold" if event.type == "safety" else ""
        if out:
            out.append("\n")
        out.append(f"{stamp}  ", style="dim")
        out.append(event.text, style=style)
    if not out:
        out.append("no events yet", style="dim")
    out.no_wrap = True
    out.overflow = "ellipsis"
    return out
