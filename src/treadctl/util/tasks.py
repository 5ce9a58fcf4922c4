"""Fire-and-forget tasks that are kept, logged when they fail, and cancelled together.

asyncio keeps only a weak reference to a task: one nobody holds can vanish mid-way.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

log = logging.getLogger(__name__)


class TaskSet:
    """Holds the tasks it started until they finish."""

    def __init__(self, what: str = "task") -> None:
        self.what = what
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str | None = None) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        if name is not None:
            task.set_name(name)
        self._tasks.add(task)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("%s %s failed", self.what, task.get_name(), exc_info=task.exception())

    async def aclose(self) -> None:
        """Cancel every task and wait until they have finished."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        # gather, not awaiting each: a cancellation of the caller itself must still reach it
        await asyncio.gather(*tasks, return_exceptions=True)

    async def wait(self) -> None:
        """Wait for the tasks running now (and any they start) to finish."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    def __len__(self) -> int:
        return len(self._tasks)

    def __bool__(self) -> bool:
        return bool(self._tasks)
