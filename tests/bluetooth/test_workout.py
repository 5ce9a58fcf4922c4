"""Whole workouts over Bluetooth: run_workout with the Bluetooth factory, through bleak and
the fake BlueZ, on the real clock. Profiles of a few seconds, a quick simulated belt and
steep ramps keep each run short; the turnaround and the link loss are the real thing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.bluetooth.conftest import Radio, until
from treadctl.bluetooth.blelog import BlePlayer, read_ble_log
from treadctl.bluetooth.device import add_device_arguments, treadmill_factory_from_args
from treadctl.clock import VirtualClock
from treadctl.config import Settings, load_settings
from treadctl.ftms.control_point import (
    AnyRequest,
    RequestControl,
    SetTargetSpeed,
    StartOrResume,
    StopOrPause,
)
from treadctl.runtime import WorkoutOptions, WorkoutResult, run_workout
from treadctl.sim import KMH_PER_MPH, BeltState, Quirk
from treadctl.workout.events import (
    Paused,
    SafetyAlert,
    SegmentStarted,
    Turnaround,
    WorkoutEvent,
)
from treadctl.workout.ports import Treadmill
from treadctl.workout.runner import Runner, RunState
from treadctl.workout.timeline import PlanLimits

#: Steep ramps and a short turn, so a workout with a turnaround takes seconds.
FAST_LIMITS = PlanLimits(
    ramp_rate_forward_kmh_per_s=5.0,
    ramp_rate_backward_kmh_per_s=5.0,
    turn_hold_s=0.5,
    turn_warning_s=1.0,
)
#: A real-time bound that only catches a hung run.
RUN_LIMIT_S = 60.0


def profile_file(tmp_path: Path, forward_s: float, backward_s: float) -> Path:
    path = tmp_path / "bt-walk.toml"
    path.write_text(
        f"""title = "Bluetooth rehearsal"

[[segments]]
label = "Forward"
direction = "forward"
speed_kmh = 2.0
duration = {forward_s}

[[segments]]
label = "Backward"
direction = "backward"
speed_kmh = 1.5
duration = {backward_s}
""",
        encoding="utf-8",
    )
    return path


def cli_args(*argv: str) -> argparse.Namespace:
    """What `treadctl run` will parse, with the options this package adds."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--speed-unit", default="kmh")
    add_device_arguments(parser)
    return parser.parse_args(list(argv))


async def run(
    tmp_path: Path,
    settings: Settings,
    argv: list[str],
    *,
    forward_s: float = 2.0,
    backward_s: float = 3.0,
    on_runner: Callable[[Runner, Treadmill], None] | None = None,
) -> tuple[WorkoutResult, list[WorkoutEvent]]:
    factory = treadmill_factory_from_args(cli_args(*argv), settings)
    assert factory is not None
    events: list[WorkoutEvent] = []
    options = WorkoutOptions(
        profile=profile_file(tmp_path, forward_s, backward_s),
        settings=settings,
        log_path=tmp_path / "session.jsonl",
        limits=FAST_LIMITS,
        risks_acknowledged=True,
        treadmill=factory,
    )
    result = await asyncio.wait_for(
        run_workout(options, on_event=events.append, on_runner=on_runner), RUN_LIMIT_S
    )
    return result, events


def kinds(requests: list[AnyRequest]) -> list[str]:
    return [type(r).__name__ for r in requests]


async def test_a_profile_with_a_turnaround_runs_end_to_end(radio: Radio, tmp_path: Path) -> None:
    sim, _ = await radio.treadmill()
    settings = load_settings()
    ble_log = tmp_path / "ble.jsonl"
    holder: dict[str, Treadmill] = {}
    result, events = await run(
        tmp_path,
        settings,
        ["--device", "treadctl-sim", "--ble-log", str(ble_log)],
        on_runner=lambda _runner, treadmill: holder.update(treadmill=treadmill),
    )
    assert result.summary.completed
    phases = [e.phase for e in events if isinstance(e, Turnaround)]
    assert phases.index("warning") < phases.index("turn_now") < phases.index("done")

    # The commands arrived at the simulator, through bleak and D-Bus.
    requests = sim.stats.requests
    assert isinstance(requests[0], RequestControl)
    speeds = [r.speed_kmh for r in requests if isinstance(r, SetTargetSpeed)]
    top = speeds.index(2.0)  # up to the forward speed,
    turn = speeds.index(0.8, top)  # down to the turn speed,
    assert max(speeds[turn:]) == 1.5  # up to the backward speed, never higher
    assert any(isinstance(r, StartOrResume) for r in requests)
    assert isinstance(requests[-1], StopOrPause)
    assert requests[-1].is_stop
    assert sim.state is BeltState.STOPPED

    header = json.loads(result.log_path.read_text().splitlines()[0])
    assert header["treadmill"]["kind"] == "bluetooth"
    assert header["treadmill"]["address"] == sim.config.address
    assert header["treadmill"]["device_info"]["model"] == "Simulated Treadmill"

    # The BLE log of the run replays into the same decoded totals.
    live = holder["treadmill"].client.state
    log = read_ble_log(ble_log)
    assert log.header["device"]["address"] == sim.config.address
    clock = VirtualClock()
    async with clock.running():
        replayed = await BlePlayer(log, clock).play()
    final = replayed.steps[-1].state
    assert final.records == live.records > 0
    assert final.distance_m == live.distance_m
    assert replayed.device_info == {
        "manufacturer": "treadctl",
        "model": "Simulated Treadmill",
        "firmware": "sim-1.0",
    }


async def test_link_lost_during_a_backward_bout(radio: Radio, tmp_path: Path) -> None:
    """H6 through the whole stack: the treadmill drops the link mid-bout. The workout
    pauses, bleak reconnects, the belt is paused and stays so, and only the person's
    confirmation brings it back; the workout then finishes."""
    sim, device = await radio.treadmill()
    settings = load_settings()
    seen: dict[str, Any] = {}

    async def drama(runner: Runner) -> None:
        await until(lambda: runner.facing == "backward" and runner.state is RunState.RUNNING)
        await until(lambda: sim.belt.speed_kmh > 1.0)
        seen["requests_at_drop"] = len(sim.stats.requests)
        device.drop()  # the treadmill goes out of range
        await until(lambda: runner.alerts > 0 and seen.get("reconnected") is not None)
        await until(lambda: sim.state is BeltState.PAUSED and sim.belt.speed_kmh == 0)
        await asyncio.sleep(0.5)  # the person takes a moment; nothing may move meanwhile
        seen["state_before_confirm"] = (sim.state, sim.belt.speed_kmh, runner.state)
        seen["requests_before_confirm"] = list(sim.stats.requests[seen["requests_at_drop"] :])
        runner.confirm()

    tasks: list[asyncio.Task[None]] = []

    def on_runner(runner: Runner, _treadmill: Treadmill) -> None:
        tasks.append(asyncio.ensure_future(drama(runner)))

    def watch(event: WorkoutEvent) -> None:
        if isinstance(event, SafetyAlert) and event.kind == "reconnected":
            seen["reconnected"] = event

    factory = treadmill_factory_from_args(cli_args("--device", sim.config.address), settings)
    assert factory is not None
    events: list[WorkoutEvent] = []
    options = WorkoutOptions(
        profile=profile_file(tmp_path, 1.0, 4.0),
        settings=settings,
        log_path=tmp_path / "session.jsonl",
        limits=FAST_LIMITS,
        risks_acknowledged=True,
        treadmill=factory,
    )

    def on_event(event: WorkoutEvent) -> None:
        events.append(event)
        watch(event)

    result = await asyncio.wait_for(
        run_workout(options, on_event=on_event, on_runner=on_runner), RUN_LIMIT_S
    )
    await asyncio.gather(*tasks)

    assert result.summary.completed
    alerts = [e.kind for e in events if isinstance(e, SafetyAlert) and e.hazard == "H6"]
    assert alerts[0] == "link_lost"
    assert alerts[-1] == "reconnected"
    # A command in flight when the link dropped also fails, as "no answer".
    assert set(alerts) <= {"link_lost", "no_answer", "reconnected"}
    assert any(isinstance(e, Paused) and e.needs_confirm for e in events)
    # Offline nothing was queued; once back, only control, a pause, and the slow start
    # speed left stored on the paused machine went out.
    before_confirm = seen["requests_before_confirm"]
    assert kinds(before_confirm) == ["RequestControl", "StopOrPause", "SetTargetSpeed"]
    assert before_confirm[1].control == 2  # pause
    assert before_confirm[2].speed_kmh == 0.5
    assert seen["state_before_confirm"] == (BeltState.PAUSED, 0.0, RunState.PAUSED)
    # After the confirmation the belt came back gently, and the workout ran to its end.
    after = sim.stats.requests[seen["requests_at_drop"] + 3 :]
    assert isinstance(after[-1], StopOrPause)
    assert after[-1].is_stop
    assert any(isinstance(r, StartOrResume) for r in after)
    backward_speeds = [r.speed_kmh for r in after if isinstance(r, SetTargetSpeed)]
    assert backward_speeds[0] <= 0.8
    assert max(backward_speeds) == 1.5
    assert radio.fake.stats.connects == 2
    started = [e.label for e in events if isinstance(e, SegmentStarted)]
    assert started == ["Forward", "Backward"]


def test_no_device_means_no_factory() -> None:
    settings = Settings()
    assert treadmill_factory_from_args(cli_args(), settings) is None
    configured = Settings(device="UREVO")
    assert treadmill_factory_from_args(cli_args(), configured) is not None


@pytest.mark.parametrize(
    ("argv", "table", "expected"),
    [
        ([], {}, ("kmh", False)),
        ([], {"treadctl-sim": {"speed_unit": "mph", "start_toggles": True}}, ("mph", True)),
        ([], {"AA:BB:CC:DD:EE:01": {"speed_unit": "mph"}}, ("mph", False)),
        (["--speed-unit", "mph", "--start-toggles"], {}, ("mph", True)),
    ],
)
async def test_device_settings_reach_the_client(
    radio: Radio,
    argv: list[str],
    table: dict[str, dict[str, Any]],
    expected: tuple[str, bool],
) -> None:
    await radio.treadmill()
    settings = Settings.model_validate({"device": "treadctl-sim", "devices": table})
    factory = treadmill_factory_from_args(cli_args(*argv), settings)
    assert factory is not None
    async with factory(radio.clock) as treadmill:
        assert treadmill.kind == "bluetooth"
        assert treadmill.address == "AA:BB:CC:DD:EE:01"
        assert (treadmill.client.speed_unit, treadmill.client.start_toggles) == expected


async def test_mph_device_setting_against_an_mph_machine(radio: Radio) -> None:
    """A machine with mph numbers in its km/h fields, set up as such, gets km/h right."""
    sim, _ = await radio.treadmill(Quirk.MPH_FIELDS)
    settings = Settings.model_validate(
        {"device": "treadctl-sim", "devices": {"treadctl-sim": {"speed_unit": "mph"}}}
    )
    factory = treadmill_factory_from_args(cli_args(), settings)
    assert factory is not None
    async with factory(radio.clock) as treadmill:
        client = treadmill.client
        await client.connect()
        await client.request_control()
        await client.start()
        await client.set_speed(3.2)
        assert sim.belt.target_speed_kmh == pytest.approx(2.0 * KMH_PER_MPH, abs=0.01)
