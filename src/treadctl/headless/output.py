"""Lines to standard output, which may close under us (``treadctl ... | head -3``).

A closed pipe is not an error worth a traceback, but it is news: nobody reads the lines
any more. The first write that meets it points the descriptor at ``/dev/null`` (so
neither the next write nor the interpreter's last flush fails again, as the Python docs
on SIGPIPE advise) and calls ``on_closed`` once; the front end decides what that means
(a replay ends, a workout stops the belt).
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Callable
from typing import TextIO


def silence(stream: TextIO) -> None:
    """Point ``stream``'s descriptor at /dev/null (a stream without one is left alone)."""
    try:
        fd = stream.fileno()
    except (OSError, ValueError, io.UnsupportedOperation):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


class Output:
    """Writes whole lines to ``stream`` (default: the ``sys.stdout`` of the moment)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream
        self.closed = False
        """The reader went away; later lines are dropped."""
        self.on_closed: Callable[[], None] | None = None

    @property
    def stream(self) -> TextIO:
        return self._stream if self._stream is not None else sys.stdout

    def write_line(self, text: str) -> None:
        if self.closed:
            return
        stream = self.stream
        try:
            stream.write(text + "\n")
            stream.flush()
        except BrokenPipeError:
            self._reader_gone(stream)

    def _reader_gone(self, stream: TextIO) -> None:
        self.closed = True
        silence(stream)
        if self.on_closed is not None:
            self.on_closed()
