"""`treadctl sim --bluez --strap` in one process, `treadctl scan` in another: the strap
shows up beside the treadmill, marked as a strap; and the strap's console lines."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator

import pytest

from treadctl.bluez_fake import FakeBlueZ, PrivateBus
from treadctl.cli import main
from treadctl.clock import VirtualClock
from treadctl.commands.sim import console
from treadctl.sim import SimTreadmill
from treadctl.sim.heart_rate_strap import SimHeartRateStrap

START_S = 10.0


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[subprocess.Popen[str]]:
    if not PrivateBus.available():
        pytest.skip("dbus-daemon is not installed")
    argv = ["sim", "--bluez", "--strap", "--strap-name", "HRM-Dual", "--strap-quirk", "energy"]
    process = subprocess.Popen(
        [sys.executable, "-m", "treadctl", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line.startswith("export DBUS_SYSTEM_BUS_ADDRESS="), line
        monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", line.split("=", 1)[1].strip("'"))
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        process.communicate(timeout=START_S)


def test_scan_shows_the_strap_beside_the_treadmill(
    served: subprocess.Popen[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan", "--timeout", "0.3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].split()[:2] == ["treadctl-sim", "AA:BB:CC:DD:EE:01"]
    strap_row = lines[2]
    assert strap_row.startswith("HRM-Dual")
    assert "heart-rate strap" in strap_row
    assert strap_row.endswith("Heart Rate service UUID")
    assert lines[-2:] == [
        "Use one with: treadctl run PROFILE --device AA:BB:CC:DD:EE:01",
        "A heart-rate strap with: treadctl run PROFILE --hr AA:BB:CC:DD:EE:02",
    ]
    assert main(["scan", "--timeout", "0.3", "--json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert [(f["name"], f["heart_rate"], f["ftms"]) for f in found] == [
        ("treadctl-sim", False, True),
        ("HRM-Dual", True, False),
    ]
    served.send_signal(signal.SIGINT)
    _out, err = served.communicate(timeout=START_S)
    assert served.returncode == 0
    assert "heart-rate strap HRM-Dual (AA:BB:CC:DD:EE:02), quirks: energy." in err


def test_the_strap_console() -> None:
    clock = VirtualClock()
    sim = SimTreadmill(clock)
    strap = SimHeartRateStrap(clock)
    fake = FakeBlueZ()
    device = fake.add_device(sim)
    strap_device = fake.add_device(strap)
    pair = (strap, strap_device)
    assert console(sim, device, "hr 142", pair) == "ok: strap worn, in range, 142 bpm"
    assert console(sim, device, "hr fast", pair) == "not a heart rate: 'fast'"
    assert console(sim, device, "off", pair).startswith("ok: strap off the chest")
    assert not strap.worn
    console(sim, device, "on", pair)
    assert strap.worn
    assert console(sim, device, "hrdrop", pair) == "ok: strap worn, out of range, 142 bpm"
    assert not strap_device.in_range
    console(sim, device, "hrback", pair)
    assert strap_device.in_range
    assert device.in_range  # the treadmill was never touched
    assert console(sim, device, "hr 100").startswith("console")  # no strap: the help
