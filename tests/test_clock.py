import asyncio
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import pytest

from treadctl.clock import MonotonicClock, VirtualClock, VirtualTimeLoop, wait_for
from treadctl.clock import run as clock_run

T = TypeVar("T")


async def test_advance_wakes_sleepers_in_deadline_order() -> None:
    clock = VirtualClock()
    woke: list[tuple[str, float]] = []

    async def sleeper(name: str, s: float) -> None:
        await clock.sleep(s)
        woke.append((name, clock.now()))

    tasks = [asyncio.create_task(sleeper(n, s)) for n, s in (("c", 3), ("a", 1), ("b", 2))]
    await clock.advance(2.5)
    assert woke == [("a", 1), ("b", 2)]
    assert clock.now() == 2.5
    await clock.advance(1)
    assert woke[-1] == ("c", 3)
    await asyncio.gather(*tasks)


async def test_cancelled_sleeper_is_forgotten() -> None:
    clock = VirtualClock()
    task = asyncio.create_task(clock.sleep(5))
    await clock.advance(0)
    assert clock.pending == 1
    task.cancel()
    await clock.advance(10)
    assert clock.pending == 0
    assert task.cancelled()


async def test_run_until_jumps_time_without_real_waiting() -> None:
    clock = VirtualClock()

    async def hour_long() -> float:
        for _ in range(3600):
            await clock.sleep(1)
        return clock.now()

    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await clock.run_until(hour_long()) == 3600
    assert loop.time() - started < 5


async def test_wait_for_times_out_on_clock_time() -> None:
    clock = VirtualClock()
    never: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    async with clock.running():
        with pytest.raises(TimeoutError):
            await wait_for(clock, never, 30)
    assert clock.now() == pytest.approx(30)
    assert never.cancelled()


async def test_wait_for_returns_result_before_timeout() -> None:
    clock = VirtualClock()

    async def answer() -> int:
        await clock.sleep(1)
        return 42

    async with clock.running():
        assert await wait_for(clock, answer(), 5) == 42
    assert clock.now() == pytest.approx(1)


async def test_monotonic_clock_runs_faster_by_its_factor() -> None:
    clock = MonotonicClock(factor=100)
    start = clock.now()
    await clock.sleep(1.0)  # 10 ms of real time
    assert clock.now() - start >= 0.99
    with pytest.raises(ValueError, match="positive"):
        MonotonicClock(factor=0)


async def test_call_later_runs_in_deadline_order_with_sleepers() -> None:
    clock = VirtualClock()
    seen: list[tuple[str, float]] = []

    async def sleeper() -> None:
        await clock.sleep(2)
        seen.append(("sleeper", clock.now()))

    clock.call_later(3, lambda: seen.append(("late", clock.now())))
    clock.call_later(1, lambda: seen.append(("early", clock.now())))
    cancelled = clock.call_later(1.5, lambda: seen.append(("cancelled", clock.now())))
    cancelled.cancel()
    task = asyncio.create_task(sleeper())
    await clock.advance(5)
    await task
    assert seen == [("early", 1), ("sleeper", 2), ("late", 3)]
    assert clock.pending == 0


async def test_a_failing_callback_is_reported_and_time_goes_on() -> None:
    clock = VirtualClock()
    loop = asyncio.get_running_loop()
    reported: list[dict[str, object]] = []
    loop.set_exception_handler(lambda _loop, context: reported.append(context))
    try:
        clock.call_later(1, lambda: 1 / 0)
        ran: list[float] = []
        clock.call_later(2, lambda: ran.append(clock.now()))
        await clock.advance(3)
    finally:
        loop.set_exception_handler(None)
    assert ran == [2]
    assert isinstance(reported[0]["exception"], ZeroDivisionError)


async def test_monotonic_call_later_scales_by_its_factor() -> None:
    clock = MonotonicClock(factor=100)
    done = asyncio.Event()
    start = clock.now()
    clock.call_later(1.0, done.set)  # 10 ms of real time
    await asyncio.wait_for(done.wait(), 5)
    assert clock.now() - start >= 0.99


async def test_wait_for_cancelled_from_outside_is_a_cancel_not_a_timeout() -> None:
    clock = VirtualClock()
    never: asyncio.Future[None] = asyncio.get_running_loop().create_future()
    async with clock.running():
        task = asyncio.create_task(wait_for(clock, never, 30))
        await clock.sleep(1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert never.cancelled()
    assert clock.pending == 0  # its timer went with it


def _on_virtual_time_loop(main: Callable[[], Coroutine[Any, Any, T]]) -> T:
    return clock_run(main())


def test_virtual_time_loop_drives_the_clock_without_a_driver_task() -> None:
    async def main() -> tuple[float, int]:
        clock = VirtualClock()
        assert isinstance(asyncio.get_running_loop(), VirtualTimeLoop)
        async with clock.running():
            tasks_before = len(asyncio.all_tasks())
            beats: list[float] = []

            def beat() -> None:
                beats.append(clock.now())
                if len(beats) < 10:
                    clock.call_later(0.5, beat)

            clock.call_later(0.5, beat)
            for _ in range(3600):
                await clock.sleep(1)
            return clock.now(), len(asyncio.all_tasks()) - tasks_before + len(beats) - 10

    now_s, extra = _on_virtual_time_loop(main)
    assert now_s == 3600
    assert extra == 0  # no driver task; every beat ran


def test_virtual_time_loop_waits_for_real_io_when_no_one_sleeps() -> None:
    """With nobody asleep on the clock the loop blocks on its sockets as usual."""

    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(await reader.readexactly(4))
        await writer.drain()
        writer.close()
        await writer.wait_closed()

    async def main() -> bytes:
        clock = VirtualClock()
        async with clock.running(), await asyncio.start_server(echo, "127.0.0.1", 0) as server:
            host, port = server.sockets[0].getsockname()[:2]
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(b"ping")
            data = await reader.readexactly(4)
            writer.close()
            await writer.wait_closed()
            return data

    assert _on_virtual_time_loop(main) == b"ping"


def test_virtual_time_loop_serves_sockets_while_time_runs() -> None:
    """A sleeper that never stops (a simulator's beat) must not starve the sockets: they
    are looked at every few turns (MQTT, and the signal pipe, work during a replay)."""

    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(await reader.readexactly(4))
        await writer.drain()
        writer.close()
        await writer.wait_closed()

    async def main() -> tuple[bytes, float]:
        clock = VirtualClock()

        def beat() -> None:
            if clock.now() < 50_000:  # a bound, so that a starving loop fails, not hangs
                clock.call_later(0.5, beat)

        async with clock.running(), await asyncio.start_server(echo, "127.0.0.1", 0) as server:
            clock.call_later(0.5, beat)
            host, port = server.sockets[0].getsockname()[:2]
            reader, writer = await asyncio.open_connection(host, port)
            writer.write(b"pong")
            data = await reader.readexactly(4)
            writer.close()
            await writer.wait_closed()
            return data, clock.now()

    data, now_s = _on_virtual_time_loop(main)
    assert data == b"pong"
    assert 0 < now_s < 1_000  # time ran on meanwhile, and the sockets were not starved


def test_virtual_time_loop_and_the_driver_task_wake_sleepers_alike() -> None:
    """The same work on both ways of driving time: the same order, the same times."""

    async def work() -> list[tuple[str, float]]:
        clock = VirtualClock()
        seen: list[tuple[str, float]] = []

        async def sleeper(name: str, period_s: float) -> None:
            for _ in range(20):
                await clock.sleep(period_s)
                seen.append((name, clock.now()))

        async with clock.running():
            ticker = clock.call_later(0.25, lambda: seen.append(("timer", clock.now())))
            await asyncio.gather(sleeper("a", 0.5), sleeper("b", 0.7))
            ticker.cancel()
        return seen

    on_hook = clock_run(work())
    on_driver = asyncio.run(work())
    assert on_hook == on_driver
    assert len(on_hook) == 41
