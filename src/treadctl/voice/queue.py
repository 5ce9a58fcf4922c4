"""The speech queue: most urgent first, stale words dropped, never more than a few waiting.

A countdown number that cannot be said on time is dropped, never said late; a newer turn
phase replaces an older one still waiting; when the queue is full the least urgent,
oldest utterance goes. Nothing here waits or touches audio: :meth:`SpeechQueue.put` is
what the workout's event callback calls, so it stays cheap.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Literal

from treadctl.voice.utterance import Utterance

#: The most utterances waiting at once. A workout says a few things a minute; more than
#: this waiting means they are out of date anyway.
MAX_WAITING = 8

DropReason = Literal["stale", "superseded", "queue full", "duplicate", "interrupted", "muted"]
OnDrop = Callable[[Utterance, DropReason], None]


class SpeechQueue:
    """Utterances waiting to be said, taken most urgent first, then oldest first."""

    def __init__(self, *, on_drop: OnDrop | None = None, max_waiting: int = MAX_WAITING) -> None:
        self._items: list[Utterance] = []
        self._on_drop = on_drop
        self.max_waiting = max_waiting
        self._changed = asyncio.Event()
        self.dropped: dict[DropReason, int] = {}

    def __len__(self) -> int:
        return len(self._items)

    @property
    def waiting(self) -> tuple[Utterance, ...]:
        return tuple(self._items)

    def _drop(self, utterance: Utterance, reason: DropReason) -> None:
        self.dropped[reason] = self.dropped.get(reason, 0) + 1
        if self._on_drop is not None:
            self._on_drop(utterance, reason)

    def _drop_stale(self, now: float) -> None:
        keep = []
        for item in self._items:
            if item.fresh(now):
                keep.append(item)
            else:
                self._drop(item, "stale")
        self._items = keep

    def put(self, utterance: Utterance, now: float) -> None:
        """Queue ``utterance``; replaces its group's older one, drops what went stale."""
        self._drop_stale(now)
        if any(i.text == utterance.text and i.kind == utterance.kind for i in self._items):
            self._drop(utterance, "duplicate")
            return
        if utterance.group is not None:
            for item in [i for i in self._items if i.group == utterance.group]:
                self._items.remove(item)
                self._drop(item, "superseded")
        self._items.append(utterance)
        while len(self._items) > self.max_waiting:
            worst = max(self._items, key=lambda i: (i.priority, -i.queued_at))
            self._items.remove(worst)
            self._drop(worst, "queue full")
        self._changed.set()

    def pop(self, now: float) -> Utterance | None:
        """The most urgent fresh utterance, or None; stale ones are dropped on the way."""
        self._drop_stale(now)
        if not self._items:
            return None
        best = min(self._items, key=lambda i: (i.priority, i.queued_at))
        self._items.remove(best)
        return best

    def drop_where(self, test: Callable[[Utterance], bool], reason: DropReason) -> None:
        """Drop every waiting utterance ``test`` is true for (the words, on mute)."""
        for item in [i for i in self._items if test(i)]:
            self._items.remove(item)
            self._drop(item, reason)

    async def changed(self) -> None:
        """Wait until something is put in."""
        if self._items:
            return
        self._changed.clear()
        await self._changed.wait()
