"""Sessions for the history and export tests, made by really running workouts on the
simulator at virtual speed (no hand-written logs)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from treadctl.config import Settings
from treadctl.runtime import WorkoutOptions, run_workout
from treadctl.sim import Quirk
from treadctl.workout.ports import Treadmill
from treadctl.workout.runner import Runner

UserActions = Sequence[tuple[float, str, float | None]]


def ladder_profile(folder: Path, bout_s: float, speed_kmh: float, *, bouts: int = 2) -> Path:
    """A short profile: forward, ``bouts`` backward bouts with forward walks, forward."""
    path = folder / f"bouts-{bout_s:g}s-{speed_kmh:g}kmh.toml"
    path.write_text(
        f"""\
title = "{bouts} x {bout_s:g} s at {speed_kmh:g} km/h"

[[segments]]
label = "Warm-up"
direction = "forward"
speed_kmh = 3.0
duration = "20s"

[[segments]]
label = "Bouts"
times = {bouts}

  [[segments.segments]]
  label = "Backward bout"
  direction = "backward"
  speed_kmh = {speed_kmh}
  duration = "{bout_s:g}s"

  [[segments.segments]]
  label = "Forward walk"
  direction = "forward"
  speed_kmh = 3.0
  duration = "20s"
""",
        encoding="utf-8",
    )
    return path


async def rehearse_async(
    profile: str | Path,
    folder: Path,
    *,
    when: dt.datetime | None = None,
    actions: UserActions = (),
    heart_rate_bpm: int | None = None,
    quirks: frozenset[Quirk] = frozenset(),
    auto_confirm_s: float | None = 2.0,
    name: str | None = None,
    extra_header: dict[str, Any] | None = None,
    **settings: Any,
) -> Path:
    """Run ``profile`` on the simulator at virtual speed; the log goes in ``folder``."""
    header = dict(extra_header or {})
    if when is not None:
        header["started_at"] = when.isoformat()
    stem = name or f"{(when or dt.datetime.now(dt.UTC)):%Y%m%d-%H%M%S}-{Path(str(profile)).stem}"

    def on_runner(runner: Runner, treadmill: Treadmill) -> None:
        if heart_rate_bpm is not None and treadmill.sim is not None:
            treadmill.sim.heart_rate_bpm = heart_rate_bpm

    result = await run_workout(
        WorkoutOptions(
            profile=profile,
            settings=Settings(**settings),
            speed="max",
            quirks=quirks,
            risks_acknowledged=True,
            auto_confirm_s=auto_confirm_s,
            actions=actions,
            log_path=folder / f"{stem}.jsonl",
            extra_header=header,
        ),
        on_runner=on_runner,
    )
    return result.log_path


def rehearse(profile: str | Path, folder: Path, **kwargs: Any) -> Path:
    """:func:`rehearse_async` from synchronous code (module fixtures)."""
    return asyncio.run(rehearse_async(profile, folder, **kwargs))


def day(n: int, hour: int = 18) -> dt.datetime:
    """A fixed start time: ``n`` days after Monday 2025-03-03."""
    return dt.datetime(2025, 3, 3, hour, tzinfo=dt.UTC) + dt.timedelta(days=n)
