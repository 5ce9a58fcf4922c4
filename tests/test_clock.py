import asyncio

import pytest

from treadctl.clock import MonotonicClock, VirtualClock, wait_for


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
