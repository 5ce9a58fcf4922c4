"""`treadctl run --device` as a person types it, through bleak and the fake BlueZ."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.bluetooth.conftest import Radio
from tests.bluetooth.test_cli import served  # noqa: F401 (a fixture)
from tests.bluetooth.test_workout import profile_file
from treadctl.bluetooth.blelog import read_ble_log
from treadctl.cli import main
from treadctl.ftms import uuids
from treadctl.ftms.control_point import SetTargetSpeed, StopOrPause
from treadctl.sessions import read_session

#: Settings that make a workout with a turnaround take seconds on the real clock.
FAST_CONFIG = """\
ramp_rate_forward_kmh_per_s = 5.0
ramp_rate_backward_kmh_per_s = 5.0
turn_hold_s = 0.5
turn_warning_s = 1.0
"""


async def test_run_device_headless_end_to_end(radio: Radio, tmp_path: Path) -> None:
    sim, _ = await radio.treadmill(name="treadctl-sim")
    config = tmp_path / "config.toml"
    config.write_text(FAST_CONFIG)
    log = tmp_path / "session.jsonl"
    ble_log = tmp_path / "ble.jsonl"
    argv = [
        "run", str(profile_file(tmp_path, 2.0, 3.0)), "--device", "treadctl-sim",
        "--headless", "--accept-risks", "--config", str(config), "--log", str(log),
        "--ble-log", str(ble_log),
    ]  # fmt: skip
    # A process of its own, as a person runs it; the fake BlueZ keeps serving meanwhile.
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "treadctl", *argv,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out_b, err_b = await asyncio.wait_for(process.communicate(), 60)
    out = out_b.decode()
    assert process.returncode == 0, (out, err_b.decode())
    assert "treadctl-sim: treadctl Simulated Treadmill" in out  # the device information
    assert ">>> TURN AROUND NOW: face BACKWARD <<<" in out
    session = read_session(log)
    assert session.header["treadmill"]["kind"] == "bluetooth"
    assert session.summary is not None
    assert session.summary["completed"]
    speeds = [r.speed_kmh for r in sim.stats.requests if isinstance(r, SetTargetSpeed)]
    assert max(speeds) == pytest.approx(2.0)
    assert isinstance(sim.stats.requests[-1], StopOrPause)
    notified = read_ble_log(ble_log).of("notify", uuids.TREADMILL_DATA)
    assert len(notified) > 10


def test_run_device_without_control_point_runs_an_advisory_workout(
    served: tuple[subprocess.Popen[str], str],  # noqa: F811
    tmp_path: Path,
) -> None:
    """A read-only treadmill (no control point) through bleak: the workout is offered in
    advisory mode, saying plainly that treadctl cannot stop the belt; Ctrl-C ends it."""
    log = tmp_path / "session.jsonl"
    argv = [
        "run", str(profile_file(tmp_path, 2.0, 3.0)), "--device", "vitalwalk",
        "--headless", "--accept-risks", "--find-timeout", "3", "--log", str(log),
    ]  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, "-m", "treadctl", *argv],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        deadline = time.monotonic() + 30
        while not (log.exists() and '"advisory_mode"' in log.read_text()):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "no advisory mode in the session log"
            time.sleep(0.05)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130, err
    assert "Advisory mode: this treadmill has no control point" in out
    assert "the console's STOP is your stop" in out
    assert "treadctl cannot stop this belt: press STOP on the console" in out
    session = read_session(log)
    assert "no control point" in session.header["advisory"]
    assert not session.of_type("command")  # nothing was sent


def test_run_needs_a_treadmill(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "first-steps", "--headless"]) == 2
    assert "scan" in capsys.readouterr().err
    assert main(["run", "first-steps", "--sim", "--device", "x"]) == 2
    assert "choose one" in capsys.readouterr().err
    assert main(["run", "first-steps", "--device", "x", "--time-factor", "5"]) == 2
    assert "only with --sim" in capsys.readouterr().err
