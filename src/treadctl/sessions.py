"""Where sessions live, and reading them back (tolerant of a crash's cut-off last line)."""

from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir

from treadctl.errors import TreadctlError

SESSIONS_SUBDIR = "sessions"


def data_dir() -> Path:
    """``TREADCTL_DATA_DIR`` if set, else the platform's data folder for treadctl."""
    override = os.environ.get("TREADCTL_DATA_DIR")
    return Path(override) if override else Path(user_data_dir("treadctl", appauthor=False))


def sessions_dir() -> Path:
    return data_dir() / SESSIONS_SUBDIR


def new_session_path(profile_name: str, *, now: float | None = None) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", profile_name).strip("-") or "workout"
    path = sessions_dir() / f"{stamp}-{slug}.jsonl"
    n = 2
    while path.exists():
        path = sessions_dir() / f"{stamp}-{slug}-{n}.jsonl"
        n += 1
    return path


class SessionFileError(TreadctlError, ValueError):
    pass


@dataclass
class Session:
    path: Path
    header: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)
    damaged_lines: int = 0
    damaged_at: list[int] = field(default_factory=list)
    """The line numbers (from 1) of the lines skipped as damaged."""

    @property
    def summary(self) -> dict[str, Any] | None:
        for event in reversed(self.events):
            if event.get("type") == "finished" and isinstance(event.get("summary"), dict):
                summary: dict[str, Any] = event["summary"]
                return summary
        return None

    @property
    def profile(self) -> str:
        return str(self.header.get("profile", ""))

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e.get("type") == kind]

    def commands(self) -> list[tuple[str, float | None]]:
        return [(e["name"], e.get("value")) for e in self.of_type("command")]

    def user_actions(self) -> list[tuple[float, str, float | None]]:
        return [(e["t"], e["action"], e.get("value")) for e in self.of_type("user")]

    def workout_times(self) -> list[float]:
        """Each event's time on the workout clock (what the TUI and the headless lines
        show): seconds the workout had run, pauses and holds not counted; 0 before the
        start. ``t`` on a line is the session clock, which counts everything.
        """
        return workout_times(self.events)


def workout_times(events: list[dict[str, Any]]) -> list[float]:
    """See :meth:`Session.workout_times`. Samples carry the workout clock; in between it
    runs with ``t`` except from a ``paused`` line to the next ``resumed``."""
    out: list[float] = []
    anchor_t, anchor_s, running = 0.0, 0.0, False
    for event in events:
        t = _number(event.get("t"), anchor_t)
        now_s = anchor_s + (max(0.0, t - anchor_t) if running else 0.0)
        match event.get("type"):
            case "workout_started":
                now_s, running = 0.0, True
            case "sample":
                now_s = _number(event.get("workout_s"), now_s)
            case "paused":
                running = False
            case "resumed":
                running = True
            case "finished":
                summary = event.get("summary")
                if isinstance(summary, dict):
                    now_s = _number(summary.get("workout_s"), now_s)
                running = False
            case _:
                pass
        anchor_t, anchor_s = t, now_s
        out.append(now_s)
    return out


def _number(value: object, default: float) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return default


def read_session(path: Path, *, skip: str | None = None) -> Session:
    """Read a session log; lines cut off by a crash, or otherwise damaged, are skipped
    and counted (with their numbers), not fatal. Lines containing ``skip`` (a fragment
    such as ``'"type": "sample"'``) are passed over unread, for a quick look at a long log.

    Raises:
        SessionFileError: unreadable, or not a treadctl session; the message names the
            file and the first line that could not be used.
    """
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise SessionFileError(f"{path}: {exc.strerror or exc}") from exc
    records: list[dict[str, Any]] = []
    damaged_at: list[int] = []
    header_line = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or (skip is not None and records and skip in line):
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            damaged_at.append(number)
            continue
        if isinstance(record, dict) and isinstance(record.get("type"), str):
            if not records:
                header_line = number
            records.append(record)
        else:
            damaged_at.append(number)
    if not records:
        if not text.strip():
            raise SessionFileError(f"{path}: empty, not a treadctl session log")
        raise SessionFileError(
            f"{path}: line {damaged_at[0]}: not a JSON event; nothing in the file is usable "
            "(not a treadctl session log?)"
        )
    if records[0].get("type") != "session":
        where = f"line {damaged_at[0]} is damaged" if damaged_at else "it is missing"
        raise SessionFileError(
            f"{path}: line {header_line}: a {records[0].get('type')!r} event where the "
            f"session header should come first ({where}); not usable as a session log"
        )
    return Session(path, records[0], records[1:], len(damaged_at), damaged_at)


def list_sessions(directory: Path | None = None) -> list[Path]:
    folder = directory or sessions_dir()
    if not folder.is_dir():
        return []
    return sorted(folder.glob("*.jsonl"))
