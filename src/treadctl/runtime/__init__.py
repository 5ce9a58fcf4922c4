"""Wiring one workout: what to run (:class:`WorkoutOptions`) and what came of it.

:func:`run_workout` runs it; its machinery (the simulator, the client, the runner, the
recorder) lives in :mod:`treadctl.runtime.run` and is imported only when a workout runs,
so a front end (the TUI's start screen, ``--help``) starts without it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from treadctl.clock import Clock
from treadctl.config import Settings

if TYPE_CHECKING:
    from treadctl.client import SpeedUnit
    from treadctl.sim import Quirk
    from treadctl.strap import StrapFactory
    from treadctl.workout.events import Summary, WorkoutEvent
    from treadctl.workout.ports import Treadmill, TreadmillFactory, WorkoutSink
    from treadctl.workout.profile import Profile
    from treadctl.workout.runner import Runner
    from treadctl.workout.timeline import PlanLimits, Timeline
    from treadctl.workout.zwo import ZwoReference

#: A clock speed: 1.0 real time, N times faster, or "max" (virtual time, no waiting).
ClockSpeed = float | Literal["max"]
UserActionAt = tuple[float, str, float | None]


@dataclass
class WorkoutOptions:
    profile: str | Path
    settings: Settings
    speed: ClockSpeed = 1.0
    quirks: frozenset[Quirk] = frozenset()
    speed_unit: SpeedUnit = "kmh"
    log_path: Path | None = None
    actions: Sequence[UserActionAt] = ()
    """User actions to replay at their recorded times (seconds since the session start)."""
    limits: PlanLimits | None = None
    """Limits to run under instead of the settings' (a replay uses the recorded ones)."""
    risks_acknowledged: bool = False
    sim_name: str = "treadctl-sim"
    extra_header: dict[str, Any] = field(default_factory=dict)
    clock: Clock | None = None
    """A clock to run on instead of one made from ``speed`` (tests step a VirtualClock)."""
    treadmill: TreadmillFactory | None = None
    """How to reach the treadmill; None: the simulator with ``quirks`` and ``speed_unit``."""
    sinks: Sequence[WorkoutSink] = ()
    auto_confirm_s: float | None = None
    """A simulated person who confirms turns and holds after this long (profile replays)."""
    hold_limit_s: float | None = None
    """End the workout if it waits for a person longer than this (session replays)."""
    zwo: ZwoReference | None = None
    """What a ``.zwo`` profile's targets are fractions of; None: the settings' paces."""
    strap: StrapFactory | None = None
    """A heart-rate strap to read beside the treadmill (``--hr``); None: none."""
    console_hand: bool = False
    """On the simulator: a stand-in hand sets its console as advisory mode says
    (rehearsals and replays of treadmills that cannot be commanded)."""


@dataclass
class WorkoutResult:
    summary: Summary
    log_path: Path
    timeline: Timeline
    profile: Profile


def session_kind(
    treadmill_kind: str, speed: ClockSpeed, extra_header: dict[str, Any]
) -> Literal["real", "rehearsal", "replay"]:
    """real: a Bluetooth treadmill in real time; replay: a replay command; else rehearsal."""
    if "replay_of" in extra_header:
        return "replay"
    if treadmill_kind == "bluetooth" and speed == 1.0:
        return "real"
    return "rehearsal"


async def run_workout(
    options: WorkoutOptions,
    *,
    on_event: Callable[[WorkoutEvent], None] | None = None,
    on_runner: Callable[[Runner, Treadmill], None] | None = None,
    on_log: Callable[[Path], None] | None = None,
) -> WorkoutResult:
    """Run one workout and record its session (see :func:`treadctl.runtime.run.run_workout`).

    Raises:
        ProfileError, CeilingError: the profile cannot run under these settings.
        RisksNotAcknowledged: backward segments and no acknowledgment (H11).
    """
    from treadctl.runtime.run import run_workout as run  # noqa: PLC0415 (only when one runs)

    return await run(options, on_event=on_event, on_runner=on_runner, on_log=on_log)
