"""The session log: one JSON object a line, written through as it happens.

Each line is handed to the kernel with one ``write`` on an ``O_APPEND`` descriptor and
no user-space buffer, so a crash or ``kill -9`` loses at most the line being written.
Lines carry ``t`` (seconds since the session started, on the run's clock) and ``type``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from treadctl.clock import Clock
from treadctl.workout.events import WorkoutEvent, event_to_dict

SESSION_FORMAT_VERSION = 1


class SessionRecorder:
    """Writes events to ``path`` as JSONL. Call it with each event."""

    def __init__(self, path: Path, clock: Clock, header: dict[str, Any]) -> None:
        self.path = path
        self.clock = clock
        self.lines = 0
        self.write_errors = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fd: int | None = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self._t0 = clock.now()
        self._write({"type": "session", "version": SESSION_FORMAT_VERSION, **header})

    def _write(self, record: dict[str, Any]) -> None:
        if self._fd is None:
            return
        line = json.dumps({"t": round(self.clock.now() - self._t0, 3), **record}) + "\n"
        try:
            os.write(self._fd, line.encode("utf-8"))
            self.lines += 1
        except OSError:
            # A full disk must not stop the workout; the count shows what was lost.
            self.write_errors += 1

    def __call__(self, event: WorkoutEvent) -> None:
        self._write(event_to_dict(event))

    def record(self, kind: str, /, **fields: Any) -> None:
        """A line that is not a runner event (e.g. a remote command answered).

        ``kind`` is the line's ``type``; ``fields`` may have a ``kind`` of their own.
        """
        self._write({"type": kind, **fields})

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> SessionRecorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
