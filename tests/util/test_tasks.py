from __future__ import annotations

import asyncio
import gc
import logging

import pytest

from treadctl.util.tasks import TaskSet


async def test_a_spawned_task_is_kept_until_it_finishes() -> None:
    tasks = TaskSet()
    done = asyncio.Event()
    release = asyncio.Event()

    async def work() -> None:
        await release.wait()
        done.set()

    tasks.spawn(work(), name="work")
    gc.collect()  # nothing else holds the task: the set must
    assert len(tasks) == 1
    release.set()
    await tasks.wait()
    assert done.is_set()
    assert not tasks


async def test_a_failed_task_is_logged_with_its_name(caplog: pytest.LogCaptureFixture) -> None:
    tasks = TaskSet("release")

    async def fail() -> None:
        raise ValueError("lost the link")

    with caplog.at_level(logging.ERROR):
        tasks.spawn(fail(), name="release-1")
        await tasks.wait()
    assert "release release-1 failed" in caplog.text
    assert "lost the link" in caplog.text


async def test_aclose_cancels_and_waits_for_every_task() -> None:
    tasks = TaskSet()
    cleaned: list[int] = []

    async def forever(n: int) -> None:
        try:
            await asyncio.Event().wait()
        finally:
            cleaned.append(n)

    for n in range(3):
        tasks.spawn(forever(n))
    await asyncio.sleep(0)  # let them start
    await tasks.aclose()
    assert sorted(cleaned) == [0, 1, 2]
    assert len(tasks) == 0


async def test_wait_includes_tasks_started_by_tasks() -> None:
    tasks = TaskSet()
    order: list[str] = []

    async def child() -> None:
        await asyncio.sleep(0)
        order.append("child")

    async def parent() -> None:
        tasks.spawn(child())
        order.append("parent")

    tasks.spawn(parent())
    await tasks.wait()
    assert order == ["parent", "child"]
