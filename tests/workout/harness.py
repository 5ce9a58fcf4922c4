"""A workout on the simulator, on a virtual clock, with every event kept for asserts."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from tests.rig import Rig, rig
from treadctl.campaign.judge import BeltJudge, belt_steps
from treadctl.sim import Quirk
from treadctl.workout.events import (
    Command,
    SafetyAlert,
    Summary,
    Turnaround,
    WorkoutEvent,
)
from treadctl.workout.profile import Profile, flatten
from treadctl.workout.runner import ReconnectPolicy, Runner
from treadctl.workout.status import RunnerStatus
from treadctl.workout.timeline import PlanLimits, Timeline, compile_timeline

WARM = {"direction": "forward", "speed_kmh": 3.0, "duration": "30s", "label": "warm-up"}
BACK = {"direction": "backward", "speed_kmh": 2.0, "duration": "60s", "label": "backward bout"}
COOL = {"direction": "forward", "speed_kmh": 3.0, "duration": "30s", "label": "cool-down"}
FWD_BACK_FWD = [WARM, BACK, COOL]
DEFAULT_RECONNECT = ReconnectPolicy(initial_s=1.0, max_s=4.0)


@dataclass
class Timed:
    t_s: float
    event: WorkoutEvent
    belt_kmh: float
    #: The runner's status as its event's readers see it.
    status: RunnerStatus


@dataclass
class Workout:
    rig: Rig
    runner: Runner
    timeline: Timeline
    judge: BeltJudge
    log: list[Timed] = field(default_factory=list)
    task: asyncio.Task[Summary] | None = None

    def console_set_speed(self, kmh: float) -> None:
        self.rig.sim.console_set_speed(kmh)
        self.judge.console_speed(self.rig.clock.now(), kmh)

    def console_start(self) -> None:
        self.judge.console_start(self.rig.clock.now())
        self.rig.sim.console_start()

    @property
    def events(self) -> list[WorkoutEvent]:
        return [t.event for t in self.log]

    def of(self, kind: type[Any]) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]

    def alerts(self, kind: str | None = None) -> list[SafetyAlert]:
        return [a for a in self.of(SafetyAlert) if kind is None or a.kind == kind]

    def commands(self, name: str | None = None) -> list[tuple[float, Command]]:
        return [
            (t.t_s, t.event)
            for t in self.log
            if isinstance(t.event, Command) and (name is None or t.event.name == name)
        ]

    def speed_commands(self) -> list[tuple[float, float, str]]:
        """(time, km/h, facing) of every speed sent; facing switches at "turn now"."""
        facing = self.timeline.steps[0].facing
        out: list[tuple[float, float, str]] = []
        for timed in self.log:
            event = timed.event
            if isinstance(event, Turnaround) and event.phase == "turn_now":
                facing = event.to_facing
            elif isinstance(event, Command) and event.name == "speed" and event.value is not None:
                out.append((timed.t_s, event.value, facing))
        return out

    def start(self) -> None:
        self.task = asyncio.create_task(self.runner.run())

    async def finish(self) -> Summary:
        """The run's summary. Virtual time flies; the real-time bound only catches hangs."""
        assert self.task is not None
        return await asyncio.wait_for(asyncio.shield(self.task), 20)

    async def until(self, predicate: Callable[[], bool], limit_s: float = 600) -> None:
        """Let virtual time pass until ``predicate`` holds (fails after ``limit_s``)."""
        waited = 0.0
        while not predicate():
            if waited >= limit_s:
                raise AssertionError(f"condition not met within {limit_s} s of workout")
            await self.rig.clock.sleep(0.25)
            waited += 0.25

    async def at_event(self, match: Callable[[WorkoutEvent], bool], limit_s: float = 600) -> None:
        await self.until(lambda: any(match(e) for e in self.events), limit_s)


def profile_of(segments: list[dict[str, Any]], **extra: Any) -> Profile:
    return Profile.model_validate({"name": "test", "segments": segments, **extra})


@contextlib.asynccontextmanager
async def workout(
    segments: list[dict[str, Any]] | None = None,
    *quirks: Quirk,
    limits: PlanLimits | None = None,
    acknowledged: bool = True,
    reconnect: ReconnectPolicy | None = DEFAULT_RECONNECT,
    client_options: dict[str, Any] | None = None,
    **sim_config: Any,
) -> AsyncIterator[Workout]:
    async with rig(*quirks, client_options=client_options, **sim_config) as r:
        await r.client.connect()
        await r.client.request_control()
        timeline = compile_timeline(
            flatten(profile_of(segments or FWD_BACK_FWD)),
            limits or PlanLimits(),
            speed_range=r.client.speed_range,
            incline_range=r.client.incline_range,
        )
        holder: list[Workout] = []

        def emit(event: WorkoutEvent) -> None:
            r.sim.advance()
            w = holder[0]
            w.log.append(Timed(r.clock.now(), event, r.sim.belt.speed_kmh, w.runner.status()))
            holder[0].judge.follow(r.clock.now(), event)

        runner = Runner(
            timeline,
            r.client,
            r.clock,
            emit,
            profile_name="test",
            risks_acknowledged=acknowledged,
            reconnect=reconnect,
        )
        minimum_kmh, increment_kmh = belt_steps(r.sim)
        judge = BeltJudge(
            timeline.limits,
            minimum_kmh=minimum_kmh,
            increment_kmh=increment_kmh,
            facing=timeline.steps[0].facing,
        )
        judge.watch(r.sim)
        w = Workout(r, runner, timeline, judge)
        holder.append(w)
        try:
            yield w
        finally:
            if w.task is not None and not w.task.done():
                w.task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await w.task
