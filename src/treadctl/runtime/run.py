"""The heavy half of :mod:`treadctl.runtime`: running one workout (imported when a workout
runs, not when a front end starts)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import datetime
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from treadctl.client import SpeedUnit, TreadmillClient
from treadctl.client.errors import ControlNotPermitted
from treadctl.clock import Clock, MonotonicClock, VirtualClock
from treadctl.config import Settings, set_device_value
from treadctl.runtime import (
    ClockSpeed,
    UserActionAt,
    WorkoutOptions,
    WorkoutResult,
    session_kind,
)
from treadctl.sessions import new_session_path
from treadctl.sim import BeltState, Quirk, SimConfig, SimTreadmill
from treadctl.sim.loopback import LoopbackLink
from treadctl.sinks.recorder import SessionRecorder
from treadctl.workout.builtin import is_zwo, load_profile
from treadctl.workout.events import Advice, Paused, Turnaround, WorkoutEvent
from treadctl.workout.plan import plan, plan_limits
from treadctl.workout.ports import Treadmill, TreadmillFactory
from treadctl.workout.profile import Profile, flatten
from treadctl.workout.runner import ReconnectPolicy, Runner
from treadctl.workout.timeline import compile_timeline
from treadctl.workout.zwo import zwo_reference

if TYPE_CHECKING:  # a strap's modules load with the first strap (replay's start-up)
    from treadctl.strap import Strap

log = logging.getLogger(__name__)


def make_clock(speed: ClockSpeed) -> Clock:
    if speed == "max":
        return VirtualClock()
    return MonotonicClock(factor=float(speed))


@contextlib.asynccontextmanager
async def simulated_treadmill(
    clock: Clock,
    *,
    quirks: frozenset[Quirk] = frozenset(),
    speed_unit: SpeedUnit = "kmh",
    name: str = "treadctl-sim",
) -> AsyncIterator[Treadmill]:
    """A running simulator and a client for it over the loopback link (not connected)."""
    sim = SimTreadmill(clock, SimConfig(name=name, quirks=quirks))
    link = LoopbackLink(sim, clock)
    client = TreadmillClient(link, clock, speed_unit=speed_unit)
    async with sim.running():
        try:
            yield Treadmill(client, "simulator", name, sim.config.address, sim)
        finally:
            await client.aclose()


def _source_of(profile: Profile, requested: str | Path) -> str:
    return profile.source or str(requested)


async def _play_actions(
    runner: Runner, clock: Clock, t0: float, actions: Sequence[UserActionAt]
) -> None:
    for t_s, action, value in sorted(actions, key=lambda a: a[0]):
        wait_s = t0 + t_s - clock.now()
        if wait_s > 0:
            await clock.sleep(wait_s)
        match action:
            case "confirm":
                runner.confirm()
            case "pause":
                runner.pause()
            case "resume":
                runner.resume()
            case "adjust_speed" if value is not None:
                runner.adjuster.speed(value)
            case "adjust_incline" if value is not None:
                runner.adjuster.incline(value)
            case "stop":
                await runner.emergency_stop("stop (replayed)")
            case _:
                pass


class SimulatedPerson:
    """Stands in for the person in a replay: confirms after a while what waits for a
    person, and gives up (stops) on a hold nobody answers, so that every replay ends. A
    plain pause (from the keyboard, or a supervisor over MQTT) is not resumed by it.

    It sleeps until an event says something may wait for a person (a hold, a turn to
    confirm), then looks every half second until nothing waits: a replay of an hour
    does not wake it 7,200 times for nothing.
    """

    STEP_S = 0.5

    def __init__(
        self,
        runner: Runner,
        clock: Clock,
        confirm_after_s: float | None,
        give_up_after_s: float | None,
        *,
        actions_until_s: float = 0.0,
    ) -> None:
        self.runner = runner
        self.clock = clock
        self.confirm_after_s = confirm_after_s
        self.give_up_after_s = give_up_after_s
        self.actions_until_s = actions_until_s
        self._called = asyncio.Event()

    def heard(self, event: WorkoutEvent) -> None:
        if isinstance(event, Paused) or (
            isinstance(event, Turnaround) and event.phase == "waiting_for_confirm"
        ):
            self._called.set()

    async def run(self) -> None:
        while True:
            await self._called.wait()
            self._called.clear()
            if await self._attend():
                return

    async def _attend(self) -> bool:
        """Look after what waits until nothing does; True once it has stopped the belt."""
        waited_s = 0.0
        while True:
            await self.clock.sleep(self.STEP_S)
            status = self.runner.status()
            if not (status.awaiting_confirm or status.paused):
                return False
            waited_s += self.STEP_S
            if (
                self.confirm_after_s is not None
                and waited_s >= self.confirm_after_s
                and status.awaiting_confirm
            ):
                self.runner.confirm()
                waited_s = 0.0
            elif (
                self.give_up_after_s is not None
                and waited_s >= self.give_up_after_s
                and self.clock.now() >= self.actions_until_s  # recorded actions may answer
            ):
                await self.runner.emergency_stop("nobody answered a hold in the replay")
                return True


async def _take_control(client: TreadmillClient) -> str | None:
    """Request control; None once granted, else why the workout is advisory instead."""
    if not client.can_control:
        return "this treadmill has no control point: it reports, and takes no commands"
    try:
        await client.request_control()
    except ControlNotPermitted:
        return "the treadmill did not give control (another app may hold it)"
    return None


def _strap_header(strap: Strap) -> dict[str, str]:
    return {"kind": strap.kind, "name": strap.name, "address": strap.address}


class ConsoleHand:
    """A hand at the simulated console that does what advisory mode asks, after a moment.

    Speeds go up a step at a time, no faster than the ramp rate for the way the person
    faces (as a careful person presses +); down at once. A speed of 0 pauses the belt.
    Rehearsals and replays of treadmills that cannot be commanded use it; so do tests.
    """

    STEP_KMH = 0.1

    def __init__(
        self,
        sim: SimTreadmill,
        clock: Clock,
        runner: Runner,
        *,
        delay_s: float = 2.0,
        on_console: Callable[[str, float], None] | None = None,
    ) -> None:
        self.sim = sim
        self.clock = clock
        self.runner = runner
        self.delay_s = delay_s
        self.on_console = on_console
        """Told each thing the hand does (``"speed"``, ``"start"``, ``"pause"``) first."""
        self._task: asyncio.Task[None] | None = None

    def _tell(self, what: str, kmh: float = 0.0) -> None:
        if self.on_console is not None:
            self.on_console(what, kmh)

    def set_speed(self, kmh: float) -> None:
        self._tell("speed", kmh)
        self.sim.console_set_speed(kmh)

    def heard(self, event: WorkoutEvent) -> None:
        if isinstance(event, Advice) and event.speed_kmh is not None:
            self.cancel()
            self._task = asyncio.ensure_future(self.follow(event.speed_kmh))

    def cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def follow(self, kmh: float) -> None:
        await self.clock.sleep(self.delay_s)
        sim = self.sim
        if kmh <= 0:
            self._tell("pause")
            sim.console_pause()
            return
        slowest = sim.config.min_speed_kmh
        if sim.state is not BeltState.RUNNING:
            self.set_speed(max(slowest, min(kmh, slowest + self.STEP_KMH)))
            self._tell("start")
            sim.console_start()
        current = sim.belt.target_speed_kmh
        while current < kmh - 1e-6:
            rate = self.runner.limits.ramp_rate(self.runner.facing)
            await self.clock.sleep(self.STEP_KMH / rate)
            current = round(min(kmh, current + self.STEP_KMH), 2)
            self.set_speed(current)
        if current > kmh + 1e-6:
            self.set_speed(kmh)


def _remember_unit(treadmill: Treadmill, settings: Settings, unit: SpeedUnit) -> None:
    """The person confirmed this treadmill counts in ``unit``: keep it for next time.

    Only for real treadmills (a simulator's quirk is the rehearsal's business).
    """
    if treadmill.kind != "bluetooth":
        return
    path = set_device_value(treadmill.address, "speed_unit", unit, settings.config_path)
    log.info("remembered speed_unit = %s for %s in %s", unit, treadmill.address, path)


async def run_workout(
    options: WorkoutOptions,
    *,
    on_event: Callable[[WorkoutEvent], None] | None = None,
    on_runner: Callable[[Runner, Treadmill], None] | None = None,
    on_log: Callable[[Path], None] | None = None,
) -> WorkoutResult:
    """Run one workout against the simulated treadmill and record its session.

    Raises:
        ProfileError, CeilingError: the profile cannot run under these settings.
        RisksNotAcknowledged: backward segments and no acknowledgment (H11).
    """
    zwo = options.zwo or zwo_reference(options.settings)
    profile = load_profile(options.profile, zwo=zwo)  # refused before any treadmill is opened
    clock = options.clock or make_clock(options.speed)
    driver: contextlib.AbstractAsyncContextManager[Any] = (
        clock.running()
        if isinstance(clock, VirtualClock) and options.clock is None
        else contextlib.nullcontext()
    )
    opener: TreadmillFactory = options.treadmill or (
        lambda c: simulated_treadmill(
            c, quirks=options.quirks, speed_unit=options.speed_unit, name=options.sim_name
        )
    )
    async with (
        driver,
        opener(clock) as treadmill,
        contextlib.AsyncExitStack() as sinks,
    ):
        # The strap has a link of its own, opened beside the treadmill's: it connects
        # (and reconnects) in the background, and nothing it does reaches the treadmill.
        strap: Strap | None = None
        if options.strap is not None:
            strap = await sinks.enter_async_context(options.strap(clock))
        client = treadmill.client
        for sink in options.sinks:
            await sinks.enter_async_context(sink)
        await client.connect()
        advisory = await _take_control(client)
        if is_zwo(options.profile) and client.speed_range is not None:
            # Ramps in steps this treadmill can take, now that its speed grid is known.
            profile = load_profile(options.profile, zwo=zwo.on_grid_of(client.speed_range))
        if options.limits is not None:
            limits = options.limits
            timeline = compile_timeline(
                flatten(profile),
                limits,
                speed_range=client.speed_range,
                incline_range=client.incline_range,
                source=_source_of(profile, options.profile),
            )
        else:
            limits = plan_limits(profile, options.settings)
            timeline = plan(
                profile,
                options.settings,
                speed_range=client.speed_range,
                incline_range=client.incline_range,
            )
        log_path = options.log_path or new_session_path(profile.name)
        header = {
            "profile": profile.name,
            "title": profile.display_title,
            "source": _source_of(profile, options.profile),
            "limits": dataclasses.asdict(limits),
            "treadmill": {
                "kind": treadmill.kind,
                "name": treadmill.name,
                "address": treadmill.address,
                "device_id": treadmill.device_id,
                "quirks": sorted(str(q) for q in options.quirks),
                "speed_unit": client.speed_unit,
                **({"device_info": client.device_info} if client.device_info else {}),
            },
            **({"heart_rate_strap": _strap_header(strap)} if strap is not None else {}),
            **({"advisory": advisory} if advisory is not None else {}),
            "clock": "virtual" if options.speed == "max" else f"x{float(options.speed):g}",
            # History and export (treadctl.history): which kind of session, and when.
            "kind": session_kind(treadmill.kind, options.speed, options.extra_header),
            "started_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            **options.extra_header,
        }
        with SessionRecorder(log_path, clock, header) as recorder:
            if on_log is not None:
                on_log(log_path)

            person: SimulatedPerson | None = None
            hand: ConsoleHand | None = None

            def emit(event: WorkoutEvent) -> None:
                recorder(event)
                if person is not None:
                    person.heard(event)
                if hand is not None:
                    hand.heard(event)
                for sink in options.sinks:
                    try:
                        sink(event)
                    except Exception:  # a sink's bug must not touch the workout
                        log.exception("sink %r failed on %r", sink, event)
                if on_event is not None:
                    on_event(event)

            runner = Runner(
                timeline,
                client,
                clock,
                emit,
                profile_name=profile.name,
                title=profile.display_title,
                source=header["source"],
                risks_acknowledged=options.risks_acknowledged,
                reconnect=ReconnectPolicy(),
                on_unit_switch=lambda unit: _remember_unit(treadmill, options.settings, unit),
                heart_rate=None if strap is None else strap.client,
                advisory=advisory,
            )
            if options.console_hand and treadmill.sim is not None:
                hand = ConsoleHand(treadmill.sim, clock, runner)
            for sink in options.sinks:
                sink.attach(runner, treadmill, recorder)
            if on_runner is not None:
                on_runner(runner, treadmill)
            helpers = [
                asyncio.ensure_future(_play_actions(runner, clock, clock.now(), options.actions))
            ]
            if options.auto_confirm_s is not None or options.hold_limit_s is not None:
                last_action_s = max((a[0] for a in options.actions), default=0.0)
                person = SimulatedPerson(
                    runner,
                    clock,
                    options.auto_confirm_s,
                    options.hold_limit_s,
                    actions_until_s=clock.now() + last_action_s,
                )
                helpers.append(asyncio.ensure_future(person.run()))
            try:
                summary = await runner.run()
            finally:
                if hand is not None:
                    hand.cancel()
                for helper in helpers:
                    helper.cancel()
                await asyncio.gather(*helpers, return_exceptions=True)
    return WorkoutResult(summary, log_path, timeline, profile)
