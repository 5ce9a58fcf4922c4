"""The runner's frozen status: what every front end reads, decided in one place."""

from __future__ import annotations

import dataclasses

import pytest

from tests.workout.harness import workout
from treadctl.workout.events import SegmentStarted, Turnaround, WorkoutEvent
from treadctl.workout.holds import RunState
from treadctl.workout.timeline import PlanLimits, SegmentStep, TurnStep


def waiting_turn(event: WorkoutEvent) -> bool:
    return isinstance(event, Turnaround) and event.phase == "waiting_for_confirm"


async def test_status_is_a_frozen_picture_taken_at_one_instant() -> None:
    async with workout() as w:
        w.start()
        await w.at_event(lambda e: isinstance(e, SegmentStarted))
        before = w.runner.status()
        await w.rig.clock.sleep(5)
        after = w.runner.status()
        assert after.workout_s > before.workout_s  # a new picture moves on...
        with pytest.raises(dataclasses.FrozenInstanceError):
            before.workout_s = 0.0  # type: ignore[misc]
        assert isinstance(after.step, SegmentStep)
        assert after.adjustable
        assert after.can_pause
        assert not after.can_resume
        assert after.totals.distance_m > before.totals.distance_m
        await w.finish()


async def test_a_turn_waiting_for_confirm_is_seen_at_its_event_and_gone_at_confirm() -> None:
    async with workout(limits=PlanLimits(turn_confirm=True)) as w:
        w.start()
        await w.at_event(waiting_turn)
        seen = [t.status for t in w.log if waiting_turn(t.event)]
        assert seen[0].turn_waiting  # readers of the event see the turn waiting
        status = w.runner.status()
        assert isinstance(status.step, TurnStep)
        assert status.turn_waiting
        assert status.awaiting_confirm
        assert not status.adjustable  # no speed changes mid-turn
        w.runner.confirm()
        assert not w.runner.status().awaiting_confirm  # at once, before the runner wakes
        await w.until(lambda: len([e for e in w.events if waiting_turn(e)]) == 2)
        w.runner.confirm()
        await w.finish()


async def test_a_plain_pause_can_resume_and_a_hold_waits_for_confirm() -> None:
    async with workout() as w:
        w.start()
        await w.at_event(lambda e: isinstance(e, SegmentStarted))
        w.runner.pause()
        status = w.runner.status()
        assert status.paused
        assert status.can_resume
        assert not status.awaiting_confirm
        assert not status.adjustable
        assert not status.can_pause
        w.runner.resume()
        await w.until(lambda: w.runner.status().state is RunState.RUNNING)
        w.runner.hold("test hold", needs_confirm=True)
        status = w.runner.status()
        assert status.hold_waiting
        assert status.awaiting_confirm
        assert not status.can_resume
        assert status.pause_reason == "test hold"
        w.runner.confirm()
        await w.finish()
