"""Append-only JSON lines, each handed to the kernel as it is written.

One ``os.write`` per line on an ``O_APPEND`` descriptor and no user-space buffer: a crash
or ``kill -9`` loses at most the line being written, and a full disk costs lines, never
the caller (write errors are counted, not raised). The session log, the BLE log and the voice
cue list are written this way.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

#: Records are plain data (no cycles to look for); text stays UTF-8 rather than escaped.
_ENCODER = json.JSONEncoder(check_circular=False, ensure_ascii=False)


class JsonlAppender:
    """``path`` opened for appending (``truncate``: emptied first)."""

    def __init__(self, path: Path, *, truncate: bool = False) -> None:
        self.path = path
        self.lines = 0
        self.write_errors = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if truncate else os.O_APPEND)
        self._fd: int | None = os.open(path, flags, 0o644)

    @property
    def closed(self) -> bool:
        return self._fd is None

    def write(self, record: Mapping[str, Any]) -> bool:
        """Append ``record`` as one line; False if it could not be written."""
        if self._fd is None:
            return False
        line = (_ENCODER.encode(record) + "\n").encode("utf-8")  # not JSON: a bug
        try:
            os.write(self._fd, line)
        except OSError:
            self.write_errors += 1
            return False
        self.lines += 1
        return True

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> JsonlAppender:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
