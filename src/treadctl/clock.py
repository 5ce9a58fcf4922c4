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
import selectors
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Mapping
from typing import Any, Protocol, TypeVar

T = TypeVar("T")

#: How many times :meth:`VirtualClock.settle` yields at most before giving up on quiet.
SETTLE_MAX_YIELDS = 10_000


class Timer(Protocol):
    """A callback due on a clock; ``cancel()`` before it is due and it never runs."""

    def cancel(self) -> None: ...


class Clock(Protocol):
    """A source of time in seconds and ways to wait on it."""

    def now(self) -> float:
        """Seconds on this clock (the origin is arbitrary)."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of this clock's time."""
        ...

    def call_later(self, seconds: float, callback: Callable[[], object]) -> Timer:
        """Run ``callback`` on the event loop ``seconds`` of this clock's time from now.

        Cheaper than a task sleeping: what repeats thousands of times in a replay (the
        simulator's data, time-outs) uses this.
        """
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

    def call_later(self, seconds: float, callback: Callable[[], object]) -> Timer:
        return asyncio.get_running_loop().call_later(max(0.0, seconds) / self.factor, callback)


class _VirtualTimer:
    """A callback in :class:`VirtualClock`'s queue; done once run or cancelled."""

    __slots__ = ("_done", "callback")

    def __init__(self, callback: Callable[[], object]) -> None:
        self.callback = callback
        self._done = False

    def cancel(self) -> None:
        self._done = True

    def done(self) -> bool:
        return self._done

    def fire(self) -> None:
        """Run the callback now (the clock fires only while the loop has nothing ready)."""
        self._done = True
        try:
            self.callback()
        except Exception as exc:  # as the loop treats a failing callback: report, go on
            asyncio.get_running_loop().call_exception_handler(
                {"message": "VirtualClock callback failed", "exception": exc}
            )


class VirtualClock:
    """Time that moves only when told to, or as fast as the work allows.

    ``advance(s)`` moves time forward, waking sleepers (and running ``call_later``
    callbacks) in deadline order and letting the event loop settle after each.
    ``running()`` jumps to the next deadline whenever the loop has nothing else to do (on
    a :class:`VirtualTimeLoop` the loop does it; elsewhere a driver task): a 60-minute
    workout then takes as long as its computation.
    """

    def __init__(self, start_s: float = 0.0) -> None:
        self._now = start_s
        self._seq = itertools.count()
        self._timers: list[tuple[float, int, asyncio.Future[None] | _VirtualTimer]] = []
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

    def call_later(self, seconds: float, callback: Callable[[], object]) -> Timer:
        timer = _VirtualTimer(callback)
        heapq.heappush(self._timers, (self._now + max(0.0, seconds), next(self._seq), timer))
        if self._timer_added is not None:
            self._timer_added.set()
        return timer

    @property
    def pending(self) -> int:
        """Sleepers and callbacks still waiting (cancelled ones are dropped lazily)."""
        return sum(1 for _, _, fut in self._timers if not fut.done())

    def _drop_cancelled(self) -> None:
        while self._timers and self._timers[0][2].done():
            heapq.heappop(self._timers)

    def _fire_next(self) -> None:
        deadline, _, waiter = heapq.heappop(self._timers)
        self._now = max(self._now, deadline)
        if waiter.done():
            return
        if isinstance(waiter, _VirtualTimer):
            waiter.fire()
        else:
            waiter.set_result(None)

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

    def fire_when_idle(self) -> bool:
        """Wake the next sleeper now the loop is idle; False if nobody sleeps."""
        self._drop_cancelled()
        if not self._timers:
            return False
        self._fire_next()
        return True

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[VirtualClock]:
        """Drive time for as long as the context is open.

        On a :class:`VirtualTimeLoop` the loop itself wakes the next sleeper whenever it
        has nothing ready to run (no extra turns); on any other loop a background task
        waits for quiet with :func:`settle` and then does the same.
        """
        loop = asyncio.get_running_loop()
        if isinstance(loop, VirtualTimeLoop) and loop.idle_hook is None:
            loop.idle_hook = self.fire_when_idle
            try:
                yield self
            finally:
                loop.idle_hook = None
            return
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


#: Loop turns between two looks at the sockets while virtual time runs (a look costs a
#: system call; a signal or a socket then waits some microseconds more).
POLL_EVERY_TURNS = 16


class _IdleHookSelector(selectors.BaseSelector):
    """The platform's selector, calling a hook where the loop would otherwise wait.

    The event loop asks its selector for I/O once a turn, with a zero timeout when work is
    ready and a positive (or no) timeout when it is idle. Idle, the hook runs (a virtual
    clock wakes its next sleeper) instead of the wait; only when the hook has nobody to
    wake does the loop wait on its sockets. Otherwise the sockets are looked at every
    :data:`POLL_EVERY_TURNS` turns, busy or idle, rather than every turn.
    """

    def __init__(self) -> None:
        self._inner = selectors.DefaultSelector()
        self.idle_hook: Callable[[], bool] | None = None
        self._turns = 0

    def register(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._inner.register(fileobj, events, data)

    def unregister(self, fileobj: Any) -> selectors.SelectorKey:
        return self._inner.unregister(fileobj)

    def modify(self, fileobj: Any, events: int, data: Any = None) -> selectors.SelectorKey:
        return self._inner.modify(fileobj, events, data)

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        hook = self.idle_hook
        if hook is None:
            return self._inner.select(timeout)
        self._turns += 1
        if self._turns % POLL_EVERY_TURNS == 0:
            events = self._inner.select(0)
            if events:
                return events
        if timeout is not None and timeout <= 0:
            return []  # work is ready: run it
        if hook():
            return []  # a sleeper woke: run it
        return self._inner.select(timeout)  # nothing to do but wait for the world

    def close(self) -> None:
        self._inner.close()

    def get_map(self) -> Mapping[Any, selectors.SelectorKey]:
        return self._inner.get_map()


class VirtualTimeLoop(asyncio.SelectorEventLoop):
    """An event loop on which a :class:`VirtualClock` advances without extra turns.

    Only the selector differs from the default loop, so everything else (signals,
    subprocesses, sockets) behaves as usual.
    """

    def __init__(self) -> None:
        self._hook_selector = _IdleHookSelector()
        super().__init__(self._hook_selector)

    @property
    def idle_hook(self) -> Callable[[], bool] | None:
        return self._hook_selector.idle_hook

    @idle_hook.setter
    def idle_hook(self, hook: Callable[[], bool] | None) -> None:
        self._hook_selector.idle_hook = hook


def run(main: Coroutine[Any, Any, T]) -> T:
    """Like :func:`asyncio.run`, on a :class:`VirtualTimeLoop` where the platform has one."""
    if sys.platform == "win32":  # the default there is the proactor loop (subprocesses)
        return asyncio.run(main)
    with asyncio.Runner(loop_factory=VirtualTimeLoop) as runner:
        return runner.run(main)


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
    expired = False

    def expire() -> None:
        nonlocal expired
        if not task.done():
            expired = True
            task.cancel()

    timer = clock.call_later(timeout_s, expire)
    try:
        return await task
    except asyncio.CancelledError:
        current = asyncio.current_task()
        if expired and (current is None or not current.cancelling()):
            raise TimeoutError(f"no answer within {timeout_s:g} s") from None
        raise
    finally:
        timer.cancel()
