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


class SessionFileError(ValueError):
    pass


@dataclass
class Session:
    path: Path
    header: dict[str, Any]
    events: list[dict[str, Any]] = field(default_factory=list)
    damaged_lines: int = 0

    @property
    def summary(self) -> dict[str, Any] | None:
        for event in reversed(self.events):
            if event.get("type") == "finished":
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


def read_session(path: Path) -> Session:
    """Read a session log; lines cut off by a crash are counted, not fatal.

    Raises:
        SessionFileError: unreadable, or not a treadctl session.
    """
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise SessionFileError(f"{path}: {exc.strerror or exc}") from exc
    records: list[dict[str, Any]] = []
    damaged = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            damaged += 1
            continue
        if isinstance(record, dict) and "type" in record:
            records.append(record)
        else:
            damaged += 1
    if not records or records[0].get("type") != "session":
        raise SessionFileError(f"{path}: not a treadctl session log (no session header)")
    return Session(path, records[0], records[1:], damaged)


def list_sessions(directory: Path | None = None) -> list[Path]:
    folder = directory or sessions_dir()
    if not folder.is_dir():
        return []
    return sorted(folder.glob("*.jsonl"))
