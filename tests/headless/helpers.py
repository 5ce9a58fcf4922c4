"""A workout on the simulator and a virtual clock, with the headless printer and keys."""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from treadctl.clock import VirtualClock
from treadctl.config import Settings
from treadctl.headless import HeadlessPrinter, KeyHandler
from treadctl.runtime import WorkoutOptions, WorkoutResult, run_workout
from treadctl.sim import Quirk
from treadctl.workout.ports import Treadmill
from treadctl.workout.runner import Runner
from treadctl.workout.status import RunnerStatus

#: Forward, backward at the default backward ceiling (3.0 km/h), forward.
PROFILE = """\
title = "Keys"

[[segments]]
label = "Warm-up"
direction = "forward"
speed_kmh = 3.0
duration = "60s"

[[segments]]
label = "Backward"
direction = "backward"
speed_kmh = 3.0
duration = "60s"

[[segments]]
label = "Cool-down"
direction = "forward"
speed_kmh = 2.0
duration = "30s"
"""


@dataclass
class Session:
    """A running workout: its runner, the printer's lines and the key handler."""

    clock: VirtualClock
    out: io.StringIO
    task: asyncio.Task[WorkoutResult]
    holder: dict[str, Any] = field(default_factory=dict)

    @property
    def runner(self) -> Runner:
        runner = self.holder["runner"]
        assert isinstance(runner, Runner)
        return runner

    @property
    def keys(self) -> KeyHandler:
        keys = self.holder["keys"]
        assert isinstance(keys, KeyHandler)
        return keys

    def lines(self) -> list[str]:
        return self.out.getvalue().splitlines()

    def press(self, text: str) -> str:
        """Type ``text`` and Enter; the answer (the first line after it, before what the
        runner says about it), without its clock."""
        before = len(self.lines())
        self.keys(text + "\n")
        new = self.lines()[before:]
        assert new, f"no answer to {text!r}"
        return new[0].split("] ", 1)[1]

    async def until(self, ok: Callable[[RunnerStatus], bool], limit_s: float = 600) -> None:
        """Let workout time pass (virtual) until the runner's status satisfies ``ok``."""
        waited_s = 0.0
        while "runner" not in self.holder or not ok(self.runner.status()):
            assert waited_s < limit_s, "condition not met"
            await self.clock.sleep(0.1)
            waited_s += 0.1

    async def result(self) -> WorkoutResult:
        return await asyncio.wait_for(asyncio.shield(self.task), 30)


@contextlib.asynccontextmanager
async def headless_session(
    folder: Path,
    *,
    quirks: Sequence[Quirk] = (),
    on_runner: Callable[[Session], None] | None = None,
    **settings: Any,
) -> AsyncIterator[Session]:
    profile = folder / "keys.toml"
    profile.write_text(PROFILE)
    clock = VirtualClock()
    out = io.StringIO()
    printer = HeadlessPrinter(out)
    options = WorkoutOptions(
        profile=profile,
        settings=Settings(**{"turn_hold_s": 2.0, "turn_warning_s": 2.0, **settings}),
        clock=clock,
        quirks=frozenset(quirks),
        log_path=folder / "session.jsonl",
        risks_acknowledged=True,
    )
    holder: dict[str, Any] = {}
    session: Session

    def attach(runner: Runner, _treadmill: Treadmill) -> None:
        printer.follow(runner)
        holder["runner"] = runner
        holder["keys"] = KeyHandler(runner, printer)
        if on_runner is not None:
            on_runner(session)

    async with clock.running():
        task = asyncio.create_task(run_workout(options, on_event=printer, on_runner=attach))
        session = Session(clock, out, task, holder)
        try:
            yield session
        finally:
            if not task.done():
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
