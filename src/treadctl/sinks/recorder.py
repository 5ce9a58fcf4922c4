"""The session log: one JSON object a line, written through as it happens.

Written through :class:`~treadctl.util.jsonl.JsonlAppender`: a crash or ``kill -9`` loses
at most the line being written, and a full disk costs lines, never the workout.
Lines carry ``t`` (seconds since the session started, on the run's clock) and ``type``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from treadctl.clock import Clock
from treadctl.util.jsonl import JsonlAppender
from treadctl.workout.events import WorkoutEvent, event_to_dict

SESSION_FORMAT_VERSION = 1


class SessionRecorder:
    """Writes events to ``path`` as JSONL. Call it with each event."""

    def __init__(self, path: Path, clock: Clock, header: dict[str, Any]) -> None:
        self.path = path
        self.clock = clock
        self._out = JsonlAppender(path)
        self._t0 = clock.now()
        self._write({"type": "session", "version": SESSION_FORMAT_VERSION, **header})

    @property
    def lines(self) -> int:
        return self._out.lines

    @property
    def write_errors(self) -> int:
        """Lines a full disk (or another write error) lost; the workout goes on."""
        return self._out.write_errors

    def _write(self, record: dict[str, Any]) -> None:
        self._out.write({"t": round(self.clock.now() - self._t0, 3), **record})

    def __call__(self, event: WorkoutEvent) -> None:
        self._write(event_to_dict(event))

    def record(self, kind: str, /, **fields: Any) -> None:
        """A line that is not a runner event (e.g. a remote command answered).

        ``kind`` is the line's ``type``; ``fields`` may have a ``kind`` of their own.
        """
        self._write({"type": kind, **fields})

    def close(self) -> None:
        self._out.close()

    def __enter__(self) -> SessionRecorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
