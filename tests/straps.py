"""A workout through the runtime on the simulated treadmill (and, where a test wants one,
a simulated heart-rate strap beside it), both on the loopback link and one virtual clock,
every event kept."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from treadctl.client.heart_rate import HeartRateStrap
from treadctl.clock import Clock, VirtualClock
from treadctl.config import Settings
from treadctl.runtime import WorkoutOptions, WorkoutResult, run_workout
from treadctl.sim import SimTreadmill
from treadctl.sim.heart_rate_strap import HeartRateCurve, SimHeartRateStrap, StrapConfig
from treadctl.sim.loopback import LoopbackLink
from treadctl.strap import Strap, StrapFactory
from treadctl.workout.events import CueEvent, SafetyAlert, Sample, WorkoutEvent
from treadctl.workout.ports import Treadmill
from treadctl.workout.runner import Runner

PROFILE = """\
title = "Strap test"

[[segments]]
label = "Warm-up"
direction = "forward"
speed_kmh = 3.0
duration = "40s"

[[segments]]
label = "Backward bout"
direction = "backward"
speed_kmh = 2.0
duration = "60s"

[[segments]]
label = "Cool-down"
direction = "forward"
speed_kmh = 3.0
duration = "30s"
"""


@dataclass
class SimStrap:
    """The simulated strap a factory opened, and the loopback link it is reached by."""

    curve: HeartRateCurve
    config: StrapConfig = field(default_factory=StrapConfig)
    sim: SimHeartRateStrap | None = None
    link: LoopbackLink | None = None
    client: HeartRateStrap | None = None

    def factory(self) -> StrapFactory:
        @contextlib.asynccontextmanager
        async def open_strap(clock: Clock) -> AsyncIterator[Strap]:
            self.sim = SimHeartRateStrap(clock, self.config, curve=self.curve)
            self.link = LoopbackLink(self.sim, clock)
            async with self.sim.running(), HeartRateStrap(self.link, clock) as client:
                self.client = client
                yield Strap(client, "simulator", self.config.name, self.config.address, self.sim)

        return open_strap

    def out_of_range(self) -> None:
        assert self.sim is not None
        assert self.link is not None
        self.link.reachable = False
        self.sim.drop_connections()

    def in_range(self) -> None:
        assert self.link is not None
        self.link.reachable = True


@dataclass
class StrappedRun:
    clock: VirtualClock
    strap: SimStrap | None
    task: asyncio.Task[WorkoutResult]
    log: list[tuple[float, WorkoutEvent]] = field(default_factory=list)
    holder: dict[str, Any] = field(default_factory=dict)
    listeners: list[Callable[[WorkoutEvent], None]] = field(default_factory=list)
    belt: list[float] = field(default_factory=list)
    """The simulated belt's speed at each event of ``log`` (what really happened)."""

    @property
    def runner(self) -> Runner:
        runner = self.holder["runner"]
        assert isinstance(runner, Runner)
        return runner

    @property
    def treadmill(self) -> SimTreadmill:
        treadmill = self.holder["treadmill"]
        assert isinstance(treadmill, Treadmill)
        assert treadmill.sim is not None
        return treadmill.sim

    @property
    def events(self) -> list[WorkoutEvent]:
        return [e for _, e in self.log]

    def samples(self) -> list[tuple[float, Sample]]:
        return [(t, e) for t, e in self.log if isinstance(e, Sample)]

    def alerts(self, kind: str | None = None) -> list[SafetyAlert]:
        return [
            e
            for e in self.events
            if isinstance(e, SafetyAlert) and (kind is None or e.kind == kind)
        ]

    def of(self, kind: type[Any]) -> list[Any]:
        return [e for e in self.events if isinstance(e, kind)]

    def cues(self, containing: str) -> list[CueEvent]:
        return [e for e in self.events if isinstance(e, CueEvent) and containing in e.text]

    async def until(self, predicate: Callable[[], bool], limit_s: float = 600) -> None:
        waited = 0.0
        while not predicate():
            if waited >= limit_s:
                raise AssertionError(f"condition not met within {limit_s} s of workout")
            if self.task.done():
                self.task.result()  # raises what ended it
                raise AssertionError("the workout ended first")
            await self.clock.sleep(0.25)
            waited += 0.25

    async def finish(self) -> WorkoutResult:
        return await asyncio.wait_for(asyncio.shield(self.task), 30)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@contextlib.asynccontextmanager
async def strapped_run(
    folder: Path,
    strap: SimStrap | None,
    *,
    settings: Settings | None = None,
    profile: str = PROFILE,
    **options: Any,
) -> AsyncIterator[StrappedRun]:
    """Start a workout (in the background) with ``strap`` beside the simulator."""
    path = folder / "strap-test.toml"
    _write(path, profile)
    clock = VirtualClock()
    async with clock.running():
        run: StrappedRun | None = None

        def on_event(event: WorkoutEvent) -> None:
            assert run is not None
            run.log.append((clock.now(), event))
            treadmill = run.holder.get("treadmill")
            sim = treadmill.sim if isinstance(treadmill, Treadmill) else None
            if sim is not None:
                sim.advance()
            run.belt.append(sim.belt.speed_kmh if sim is not None else 0.0)
            for listener in run.listeners:
                listener(event)

        def on_runner(runner: Runner, treadmill: Treadmill) -> None:
            assert run is not None
            run.holder["runner"] = runner
            run.holder["treadmill"] = treadmill

        workout = WorkoutOptions(
            profile=path,
            settings=settings or Settings(),
            clock=clock,
            log_path=folder / "session.jsonl",
            risks_acknowledged=True,
            strap=None if strap is None else strap.factory(),
            **options,
        )
        task = asyncio.create_task(run_workout(workout, on_event=on_event, on_runner=on_runner))
        run = StrappedRun(clock, strap, task)
        try:
            await run.until(lambda: "runner" in run.holder, limit_s=30)
            yield run
        finally:
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
