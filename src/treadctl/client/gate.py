"""One control point procedure at a time, with a way for a stop to jump the queue."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator


class ProcedureGate:
    """A FIFO lock whose priority waiters go first and whose queue can be cancelled."""

    def __init__(self) -> None:
        self.busy = False
        self._waiters: deque[asyncio.Future[None]] = deque()

    @property
    def queued(self) -> int:
        return sum(1 for w in self._waiters if not w.done())

    async def acquire(self, *, priority: bool = False) -> None:
        if not self.busy and not self._waiters:
            self.busy = True
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if priority:
            self._waiters.appendleft(fut)
        else:
            self._waiters.append(fut)
        try:
            await fut
        except BaseException:
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                self.release()  # we were handed the gate as we were cancelled
            else:
                with contextlib.suppress(ValueError):
                    self._waiters.remove(fut)
            raise

    def release(self) -> None:
        while self._waiters:
            fut = self._waiters.popleft()
            if not fut.done():
                fut.set_result(None)
                return
        self.busy = False

    def cancel_queued(self, exc: BaseException) -> int:
        """Fail every waiter with ``exc``; returns how many there were."""
        count = 0
        while self._waiters:
            fut = self._waiters.popleft()
            if not fut.done():
                fut.set_exception(exc)
                count += 1
        return count

    @contextlib.asynccontextmanager
    async def hold(self, *, priority: bool = False) -> AsyncIterator[None]:
        await self.acquire(priority=priority)
        try:
            yield
        finally:
            self.release()
