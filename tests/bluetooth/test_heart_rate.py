"""Heart-rate straps through unmodified bleak and the fake BlueZ, beside a treadmill.

The strap is a second device on the same fake adapter, served by the simulated strap;
the treadmill keeps its own bleak connection. Losing the strap must not touch the
treadmill; the strap must come back on its own.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

import pytest

from tests.bluetooth.conftest import Radio, until
from tests.bluetooth.test_workout import FAST_LIMITS, RUN_LIMIT_S, cli_args, profile_file
from treadctl.bluetooth.device import bluetooth_treadmill, treadmill_factory_from_args
from treadctl.bluetooth.heart_rate import (
    add_hr_arguments,
    bluetooth_strap,
    strap_factory_from_args,
)
from treadctl.bluetooth.scan import find_device, scan
from treadctl.client.events import ClientEvent, LinkDown
from treadctl.client.heart_rate import (
    ContactLost,
    StrapConnected,
    StrapConnectFailed,
    StrapEvent,
    StrapLost,
)
from treadctl.config import load_settings
from treadctl.hrs import HeartRateReading
from treadctl.runtime import WorkoutOptions, run_workout
from treadctl.sessions import read_session
from treadctl.sim.heart_rate_strap import StrapQuirk, curve_through
from treadctl.workout.events import Sample, WorkoutEvent

LISTEN_S = 0.3
#: Quick retries, so a real-time test sees several.
QUICK = {"retry_initial_s": 0.05, "retry_max_s": 0.2}


def readings_of(heard: list[HeartRateReading | StrapEvent]) -> list[HeartRateReading]:
    return [x for x in heard if isinstance(x, HeartRateReading)]


async def test_scan_lists_straps_beside_treadmills_marked_as_such(radio: Radio) -> None:
    await radio.treadmill(name="Spec Treadmill", address="AA:BB:CC:00:00:01")
    await radio.strap(name="HRM-Dual", address="11:22:33:44:55:66")
    await radio.strap(
        StrapQuirk.CONTACT_NOT_SUPPORTED, name="Verity Sense", address="11:22:33:44:55:77"
    )
    found = await scan(LISTEN_S)
    assert found[0].name == "Spec Treadmill"
    assert {f.name for f in found[1:]} == {"HRM-Dual", "Verity Sense"}
    strap = next(f for f in found if f.name == "HRM-Dual")
    assert strap.seen_as == "heart-rate"
    assert strap.is_heart_rate
    assert not strap.is_ftms
    assert strap.available is None  # no FTMS service data: nothing to say
    assert strap.as_dict()["heart_rate"] is True
    assert found[0].as_dict()["heart_rate"] is False
    by_name = await find_device("hrm-dual", timeout_s=2, what="heart-rate strap")
    assert by_name.address == "11:22:33:44:55:66"


async def test_a_strap_over_bleak_gives_readings_with_its_location(radio: Radio) -> None:
    await radio.strap(StrapQuirk.ENERGY, curve=curve_through([(0, 100), (60, 160)]))
    heard: list[HeartRateReading | StrapEvent] = []
    async with bluetooth_strap(radio.clock, target="treadctl-hrm", find_timeout_s=2) as strap:
        strap.client.add_listener(heard.append)
        assert strap.kind == "bluetooth"
        assert await strap.client.wait_connected(10)
        await until(lambda: len(readings_of(heard)) >= 12)
        assert strap.client.location == "chest"
        assert strap.client.name == "treadctl-hrm"
    readings = readings_of(heard)
    assert all(r.source == "strap" and r.contact == "contact" for r in readings)
    assert all(r.bpm is not None and 100 <= r.bpm <= 160 for r in readings)
    assert any(r.energy_kj is not None for r in readings)
    assert sum(len(r.rr_s) for r in readings) > 0
    assert [type(x) for x in heard if isinstance(x, StrapConnected)] == [StrapConnected]


async def test_quirky_strap_over_bleak_never_gives_a_zero(radio: Radio) -> None:
    await radio.strap(
        StrapQuirk.CONTACT_NOT_SUPPORTED,
        StrapQuirk.SUDDEN_ZEROS,
        StrapQuirk.EMPTY_RR,
        curve=lambda _t: 50.0,
        zero_every=3,
    )
    heard: list[HeartRateReading | StrapEvent] = []
    async with bluetooth_strap(radio.clock, target="AA:BB:CC:DD:EE:02", find_timeout_s=2) as s:
        s.client.add_listener(heard.append)
        await until(lambda: len(readings_of(heard)) >= 9)
        stats = s.client.stats
        assert stats.deviations["empty_rr_intervals"] > 0
        assert stats.malformed == 0
    readings = readings_of(heard)
    assert {r.bpm for r in readings} == {50, None}
    assert {r.contact for r in readings} == {"not_supported"}
    assert ContactLost("zero") in heard


async def test_strap_drops_while_the_treadmill_keeps_going(radio: Radio) -> None:
    sim, _ = await radio.treadmill()
    strap_sim, strap_device = await radio.strap(curve=lambda _t: 118.0)
    client_events: list[ClientEvent] = []
    heard: list[HeartRateReading | StrapEvent] = []
    async with (
        bluetooth_treadmill(radio.clock, target=sim.config.address) as treadmill,
        bluetooth_strap(
            radio.clock, target=strap_sim.config.address, find_timeout_s=0.3, client_options=QUICK
        ) as strap,
    ):
        client = treadmill.client
        client.add_listener(client_events.append)
        strap.client.add_listener(heard.append)
        await client.connect()
        await client.request_control()
        await client.start()
        await client.set_speed(2.5)
        assert await strap.client.wait_connected(10)
        await until(lambda: len(readings_of(heard)) >= 3)

        strap_device.in_range = False
        strap_device.drop()  # the strap's battery, or the person walked off with it
        await until(lambda: StrapLost(strap.client.name) in heard)
        assert strap.client.reading is None
        await until(lambda: sum(isinstance(x, StrapConnectFailed) for x in heard) >= 2)
        failed = next(x for x in heard if isinstance(x, StrapConnectFailed))
        assert failed.error.startswith(f"Could not connect to {strap_sim.config.address}")

        # Meanwhile the treadmill answers as before.
        await client.set_speed(3.0)
        await until(lambda: client.state.speed_kmh == 3.0)
        assert client.is_connected
        assert sim.belt.target_speed_kmh == pytest.approx(3.0)

        strap_device.in_range = True
        await until(lambda: sum(isinstance(x, StrapConnected) for x in heard) == 2)
        count = len(readings_of(heard))
        await until(lambda: len(readings_of(heard)) > count + 2)
        assert strap.client.reading is not None
        assert strap.client.reading.bpm == 118
        assert client.is_connected
    assert not any(isinstance(e, LinkDown) for e in client_events[:-1])
    assert radio.fake.stats.disconnects_by_device == 1  # the strap's, only


async def test_the_treadmill_closing_first_does_not_cut_the_strap_off(radio: Radio) -> None:
    sim, _ = await radio.treadmill()
    strap_sim, _ = await radio.strap(curve=lambda _t: 90.0)
    heard: list[HeartRateReading | StrapEvent] = []
    async with bluetooth_strap(radio.clock, target=strap_sim.config.address) as strap:
        strap.client.add_listener(heard.append)
        async with bluetooth_treadmill(radio.clock, target=sim.config.address) as treadmill:
            await treadmill.client.connect()
            assert await strap.client.wait_connected(10)
        count = len(readings_of(heard))
        await until(lambda: len(readings_of(heard)) > count + 3)
        assert strap.client.connected
        assert not any(isinstance(x, StrapLost) for x in heard)
    if sys.platform.startswith("linux"):
        from bleak.backends.bluezdbus import manager  # noqa: PLC0415 (Linux only)

        assert asyncio.get_running_loop() not in manager._global_instances  # released at last


async def test_a_treadmill_named_as_the_strap_is_refused_politely(radio: Radio) -> None:
    await radio.treadmill(name="Not A Strap")
    heard: list[HeartRateReading | StrapEvent] = []
    async with bluetooth_strap(
        radio.clock, target="Not A Strap", find_timeout_s=2, client_options=QUICK
    ) as strap:
        strap.client.add_listener(heard.append)
        await until(lambda: any(isinstance(x, StrapConnectFailed) for x in heard))
        assert not strap.client.connected
    failed = next(x for x in heard if isinstance(x, StrapConnectFailed))
    assert failed.error == "Not A Strap has no Heart Rate Service: is it a heart-rate strap?"


async def test_a_strap_that_is_nowhere_is_called_a_strap(radio: Radio) -> None:
    heard: list[HeartRateReading | StrapEvent] = []
    async with bluetooth_strap(
        radio.clock, target="Ghost HRM", find_timeout_s=0.2, client_options=QUICK
    ) as strap:
        strap.client.add_listener(heard.append)
        await until(lambda: sum(isinstance(x, StrapConnectFailed) for x in heard) >= 2)
    failed = [x for x in heard if isinstance(x, StrapConnectFailed)]
    assert failed[0].error == "No heart-rate strap named or at 'Ghost HRM' was found in 0.2 s."
    assert [f.attempt for f in failed[:2]] == [1, 2]


def test_hr_argument_and_setting(config_path: Path) -> None:
    parser = argparse.ArgumentParser()
    add_hr_arguments(parser)
    assert strap_factory_from_args(parser.parse_args([]), load_settings()) is None
    chosen = strap_factory_from_args(parser.parse_args(["--hr", "HRM-Pro"]), load_settings())
    assert chosen is not None
    assert chosen.keywords["target"] == "HRM-Pro"  # type: ignore[attr-defined]
    config_path.parent.mkdir(parents=True)
    config_path.write_text('hr_device = "C0:FF:EE:00:00:01"\n')
    from_file = strap_factory_from_args(parser.parse_args([]), load_settings())
    assert from_file is not None
    assert from_file.keywords["target"] == "C0:FF:EE:00:00:01"  # type: ignore[attr-defined]
    over = strap_factory_from_args(parser.parse_args(["--hr", "Polar H10"]), load_settings())
    assert over is not None
    assert over.keywords["target"] == "Polar H10"  # type: ignore[attr-defined]


async def test_a_workout_reads_the_strap_beside_the_treadmill(radio: Radio, tmp_path: Path) -> None:
    """`run --device X --hr Y` as the runtime wires it: two bleak connections, one workout;
    the strap's rate is the one acted on, even with the console's hand grips reporting."""
    sim, _ = await radio.treadmill()
    sim.heart_rate_bpm = 71  # the hand grips
    strap_sim, _ = await radio.strap(curve=lambda _t: 104.0)
    settings = load_settings()
    treadmill = treadmill_factory_from_args(cli_args("--device", sim.config.address), settings)
    parser = argparse.ArgumentParser()
    add_hr_arguments(parser)
    strap = strap_factory_from_args(parser.parse_args(["--hr", "treadctl-hrm"]), settings)
    assert treadmill is not None
    assert strap is not None
    events: list[WorkoutEvent] = []
    options = WorkoutOptions(
        profile=profile_file(tmp_path, 3.0, 3.0),
        settings=settings,
        log_path=tmp_path / "session.jsonl",
        limits=FAST_LIMITS,
        risks_acknowledged=True,
        treadmill=treadmill,
        strap=strap,
    )
    result = await asyncio.wait_for(run_workout(options, on_event=events.append), RUN_LIMIT_S)
    assert result.summary.completed
    samples = [e for e in events if isinstance(e, Sample)]
    from_strap = [s for s in samples if s.heart_rate_source == "strap"]
    assert from_strap
    assert {s.heart_rate_bpm for s in from_strap} == {104}
    # Before the strap's first reading the grips were all there was; never after it.
    first = samples.index(from_strap[0])
    assert all(s.heart_rate_source == "strap" for s in samples[first:])
    assert strap_sim.stats.notifications > 10
    header = read_session(result.log_path).header
    assert header["heart_rate_strap"] == {
        "kind": "bluetooth",
        "name": "treadctl-hrm",
        "address": "treadctl-hrm",
    }
