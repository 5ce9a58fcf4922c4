"""Clocks the simulator, the client and the workout runner are given.

Everything that waits goes through a :class:`Clock`, so the same code runs on the real
monotonic clock for a workout, faster than real time for ``--time-factor N``, and on a
:class:`VirtualClock` for tests and ``--time-factor max`` replays, where no one sleeps for real.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
from collections.abc import AsyncIterator, Awaitable
from typing import Protocol, TypeVar

T = TypeVar("T")

#: How many times :meth:`VirtualClock.settle` yields at most before giving up on quiet.
SETTLE_MAX_YIELDS = 10_000


class Clock(Protocol):
    """A source of time in seconds and a way to wait on it."""

    def now(self) -> float:
        """Seconds on this clock (the origin is arbitrary)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of this clock's time."""
        ...


class MonotonicClock:
    """The event loop's monotonic clock, optionally running ``factor`` times faster."""

    def __init__(self, factor: float = 1.0) -> None:
        if factor <= 0:
            raise ValueError("clock factor must be positive")
        self.factor = factor
        self._origin_real: float | None = None

    def _loop_time(self) -> float:
        return asyncio.get_running_loop().time()

    def now(self) -> float:
        real = self._loop_time()
        if self._origin_real is None:
            self._origin_real = real
        return (real - self._origin_real) * self.factor

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, seconds) / self.factor)


class VirtualClock:
    """Time that moves only when told to, or as fast as the work allows.

    ``advance(s)`` moves time forward, waking sleepers in deadline order and letting the
    event loop settle after each. ``running()`` starts a driver that jumps to the next
    deadline whenever the loop has nothing else to do: a 60-minute workout then takes as
    long as its computation.
    """

    def __init__(self, start_s: float = 0.0) -> None:
        self._now = start_s
        self._seq = itertools.count()
        self._timers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._timer_added: asyncio.Event | None = None

    def now(self) -> float:
        return self._now

    async def sleep(self, seconds: float) -> None:
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._timers, (self._now + seconds, next(self._seq), fut))
        if self._timer_added is not None:
            self._timer_added.set()
        await fut

    @property
    def pending(self) -> int:
        """Sleepers still waiting (cancelled ones are dropped lazily)."""
        return sum(1 for _, _, fut in self._timers if not fut.done())

    def _drop_cancelled(self) -> None:
        while self._timers and self._timers[0][2].done():
            heapq.heappop(self._timers)

    def _fire_next(self) -> None:
        deadline, _, fut = heapq.heappop(self._timers)
        self._now = max(self._now, deadline)
        if not fut.done():
            fut.set_result(None)

    async def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds``, waking every sleeper due on the way."""
        target = self._now + seconds
        await settle()
        while True:
            self._drop_cancelled()
            if not self._timers or self._timers[0][0] > target:
                break
            self._fire_next()
            await settle()
        self._now = max(self._now, target)
        await settle()

    async def run_until(self, awaitable: Awaitable[T], limit_s: float = 1e9) -> T:
        """Run ``awaitable`` to completion, jumping time forward whenever all is quiet."""
        task = asyncio.ensure_future(awaitable)
        deadline = self._now + limit_s
        while not task.done():
            await settle()
            if task.done():
                break
            self._drop_cancelled()
            if not self._timers:
                # Nothing scheduled on this clock: real I/O may be outstanding.
                await asyncio.sleep(0.001)
                continue
            if self._timers[0][0] > deadline:
                task.cancel()
                break
            self._fire_next()
        return await task

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[VirtualClock]:
        """Drive time in the background for as long as the context is open."""
        self._timer_added = asyncio.Event()

        async def drive() -> None:
            assert self._timer_added is not None
            while True:
                await settle()
                self._drop_cancelled()
                if self._timers:
                    self._fire_next()
                else:
                    self._timer_added.clear()
                    await self._timer_added.wait()

        driver = asyncio.create_task(drive(), name="virtual-clock")
        try:
            yield self
        finally:
            driver.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await driver
            self._timer_added = None


async def settle() -> None:
    """Yield to the event loop until nothing else is ready to run.

    asyncio has no public "is idle" query; CPython's loop keeps its ready queue in
    ``_ready``. Where that is missing we fall back to a fixed number of yields.
    """
    loop = asyncio.get_running_loop()
    ready = getattr(loop, "_ready", None)
    if ready is None:
        for _ in range(100):
            await asyncio.sleep(0)
        return
    for _ in range(SETTLE_MAX_YIELDS):
        await asyncio.sleep(0)
        if not ready:
            return


async def wait_for(clock: Clock, awaitable: Awaitable[T], timeout_s: float) -> T:
    """Like :func:`asyncio.wait_for`, but the timeout runs on ``clock``.

    Raises:
        TimeoutError: ``timeout_s`` of clock time passed first; ``awaitable`` is cancelled.
    """
    task = asyncio.ensure_future(awaitable)
    timer = asyncio.ensure_future(clock.sleep(timeout_s))
    try:
        await asyncio.wait({task, timer}, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        task.cancel()
        timer.cancel()
        raise
    if task.done():
        timer.cancel()
        return task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    raise TimeoutError(f"no answer within {timeout_s:g} s")
