"""All the sessions in a folder, read tolerantly, and the figures over them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from treadctl.history.log import Kind, SessionLog, load_session_log
from treadctl.sessions import SessionFileError, list_sessions


@dataclass
class History:
    logs: list[SessionLog] = field(default_factory=list)
    """Readable sessions, oldest first."""
    unreadable: list[tuple[Path, str]] = field(default_factory=list)
    """Files that hold nothing usable, with why."""


def load_history(folder: Path | None = None, *, samples: bool = False) -> History:
    """Every session in ``folder``; without their samples unless asked (see
    :func:`~treadctl.history.log.load_session_log`)."""
    history = History()
    for path in list_sessions(folder):
        try:
            history.logs.append(load_session_log(path, samples=samples))
        except SessionFileError as exc:
            history.unreadable.append((path, str(exc)))
    history.logs.sort(key=lambda log: log.started_at)
    return history


def select(
    logs: Iterable[SessionLog],
    *,
    kinds: Sequence[Kind] | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
    min_backward_s: float = 0.0,
) -> list[SessionLog]:
    """The sessions of these kinds, started on ``since`` .. ``until`` (local dates, both
    included), with at least ``min_backward_s`` backward."""
    out = []
    for log in logs:
        day = log.started_at.astimezone().date()
        if kinds is not None and log.kind not in kinds:
            continue
        if since is not None and day < since:
            continue
        if until is not None and day > until:
            continue
        if log.backward_s < min_backward_s:
            continue
        out.append(log)
    return out


@dataclass(frozen=True)
class Week:
    monday: dt.date
    backward_s: float
    sessions: int
    longest_bout_s: float


def week_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def weekly(logs: Sequence[SessionLog], *, fill: bool = True) -> list[Week]:
    """Backward time, sessions and the longest bout per week (Monday first), with the
    empty weeks in between when ``fill``."""
    by_week: dict[dt.date, list[SessionLog]] = {}
    for log in logs:
        by_week.setdefault(week_of(log.started_at.astimezone().date()), []).append(log)
    if not by_week:
        return []
    weeks = sorted(by_week)
    if fill:
        monday, last = weeks[0], weeks[-1]
        weeks = []
        while monday <= last:
            weeks.append(monday)
            monday += dt.timedelta(days=7)
    return [
        Week(
            monday,
            sum(log.backward_s for log in by_week.get(monday, [])),
            len(by_week.get(monday, [])),
            max((log.longest_backward_s for log in by_week.get(monday, [])), default=0.0),
        )
        for monday in weeks
    ]
