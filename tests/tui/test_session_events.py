"""The workout screen mounts after the runner has started: what came before reaches it."""

from __future__ import annotations

import asyncio
from pathlib import Path

from treadctl.clock import VirtualClock
from treadctl.config import load_settings
from treadctl.runtime import WorkoutOptions
from treadctl.tui.session import WorkoutSession
from treadctl.workout.events import WorkoutEvent, WorkoutStarted


async def test_the_first_listener_gets_the_events_from_before_it_listened(
    short_profile: Path, config_path: Path
) -> None:
    clock = VirtualClock()
    session = WorkoutSession(
        WorkoutOptions(
            profile=short_profile,
            settings=load_settings(config_path),
            clock=clock,
            risks_acknowledged=True,
            log_path=short_profile.parent / "session.jsonl",
        )
    )
    async with clock.running():
        task = asyncio.create_task(session.run())
        await clock.sleep(10.0)  # the runner has started and emitted for a while
        assert session.runner is not None
        first: list[WorkoutEvent] = []
        second: list[WorkoutEvent] = []
        session.add_listener(first.append)
        session.add_listener(second.append)
        assert isinstance(first[0], WorkoutStarted)  # from before anyone listened
        assert not any(isinstance(e, WorkoutStarted) for e in second)  # only the first
        seen = len(first)
        session.emergency_stop()
        await task
    assert len(first) > seen  # and then the live ones
    assert second == first[seen:]
