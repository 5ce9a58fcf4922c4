"""A list of callbacks: add one (get back its remover), call them all."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)


class Listeners(Generic[T]):
    """Callbacks of one value each. A callback that raises is logged and the others are
    still called: one listener's bug never reaches whoever emits (the link, the runner)."""

    def __init__(self, what: str = "listener") -> None:
        self.what = what
        self._callbacks: list[Callable[[T], None]] = []

    def add(self, callback: Callable[[T], None]) -> Callable[[], None]:
        """Call ``callback`` with every value; returns a function that removes it."""
        self._callbacks.append(callback)

        def remove() -> None:
            with contextlib.suppress(ValueError):
                self._callbacks.remove(callback)

        return remove

    def emit(self, value: T) -> None:
        for callback in list(self._callbacks):  # a callback may remove itself
            try:
                callback(value)
            except Exception:
                log.exception("%s failed on %r", self.what, value)

    def __len__(self) -> int:
        return len(self._callbacks)


class Callbacks:
    """Callbacks without a value (a link going down)."""

    def __init__(self, what: str = "callback") -> None:
        self._listeners: Listeners[None] = Listeners(what)

    def add(self, callback: Callable[[], None]) -> Callable[[], None]:
        return self._listeners.add(lambda _none: callback())

    def emit(self) -> None:
        self._listeners.emit(None)

    def __len__(self) -> int:
        return len(self._listeners)
