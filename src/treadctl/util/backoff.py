"""Reconnect delays: the first retry soon, each next one twice as late, up to a cap."""

from __future__ import annotations


class Backoff:
    def __init__(self, initial_s: float, max_s: float) -> None:
        if not 0 < initial_s <= max_s:
            raise ValueError("a backoff needs 0 < initial_s <= max_s")
        self.initial_s = initial_s
        self.max_s = max_s
        self._next_s = initial_s

    def next_s(self) -> float:
        """The delay before this retry (and doubles the one after it)."""
        delay_s = self._next_s
        self._next_s = min(self._next_s * 2, self.max_s)
        return delay_s

    def reset(self) -> None:
        """A success: the next failure starts again at ``initial_s``."""
        self._next_s = self.initial_s
