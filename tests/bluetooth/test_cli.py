"""The Bluetooth commands as a person uses them: `treadctl sim --bluez` in one process,
`treadctl scan` and `treadctl info` in another, over the bus it printed."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from treadctl.bluetooth.blelog import read_ble_log
from treadctl.bluez_fake import FakeBlueZ, PrivateBus
from treadctl.bluez_fake.bus import socket_path_of
from treadctl.cli import main
from treadctl.clock import VirtualClock
from treadctl.commands.sim import CONSOLE_HELP, console
from treadctl.ftms import uuids
from treadctl.sim import BeltState, SimTreadmill

START_S = 10.0


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`treadctl sim --bluez` running, with the bus address it printed exported."""
    if not PrivateBus.available():
        pytest.skip("dbus-daemon is not installed")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "treadctl",
            "sim",
            "--bluez",
            "--quirk",
            "trailing-bytes",
            "--name",
            "Vitalwalk",
            "--no-control-point",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        assert line.startswith("export DBUS_SYSTEM_BUS_ADDRESS='unix:path=/tmp/"), line
        address = line.split("=", 1)[1].strip("'")
        monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", address)
        yield process, address
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
        process.communicate(timeout=START_S)


def test_sim_scan_and_info_across_processes(
    served: tuple[subprocess.Popen[str], str],
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    process, address = served
    assert main(["scan", "--timeout", "0.3", "--json"]) == 0
    (found,) = json.loads(capsys.readouterr().out)
    assert found["name"] == "Vitalwalk"
    assert found["seen_as"] == "service-data"
    assert found["available"] is True

    assert main(["scan", "--timeout", "0.3"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["NAME", "ADDRESS", "RSSI", "MACHINE", "AVAILABLE", "SEEN", "AS"]
    assert table[1].startswith("Vitalwalk  AA:BB:CC:DD:EE:01")
    assert table[-1] == "Use one with: treadctl run PROFILE --device AA:BB:CC:DD:EE:01"

    capture = tmp_path / "capture.jsonl"
    argv = ["info", "--device", "vitalwalk", "--watch", "1.0", "--ble-log", str(capture)]
    assert main(argv) == 0
    info = capsys.readouterr().out.splitlines()
    assert info[0] == "Vitalwalk: treadctl Simulated Treadmill, firmware sim-1.0"
    assert any("read-only" in line for line in info)
    assert any(line.startswith("  speed 0.0 km/h") for line in info)
    notified = read_ble_log(capture).of("notify", uuids.TREADMILL_DATA)
    assert notified
    assert all(r.data.endswith(b"\x00\x00") for r in notified)  # the trailing-bytes quirk

    socket = socket_path_of(address)
    assert socket is not None
    assert socket.exists()
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=START_S) == 0
    assert not socket.parent.exists()  # the private bus is gone with it


def test_scan_says_what_to_do_without_bluez(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={tmp_path / 'no-bus'}")
    assert main(["scan", "--timeout", "0.2"]) == 1
    err = capsys.readouterr().err
    assert "treadctl scan: The system D-Bus is not reachable" in err
    assert "systemctl start bluetooth" in err


def test_sim_needs_bluez_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sim"]) == 2
    assert "--bluez" in capsys.readouterr().err


def test_the_sim_console() -> None:
    sim = SimTreadmill(VirtualClock())
    device = FakeBlueZ().add_device(sim)
    assert console(sim, device, "start\n").startswith("ok: belt running")
    started = sim.state
    console(sim, device, "speed 3.5")
    assert sim.belt.target_speed_kmh == 3.5
    assert console(sim, device, "speed fast") == "not a speed: 'fast'"
    console(sim, device, "key")
    assert started is BeltState.RUNNING
    assert sim.state is BeltState.STOPPED
    assert not sim.safety_key_in
    console(sim, device, "drop")
    assert not device.in_range
    console(sim, device, "back")
    assert device.in_range
    assert console(sim, device, "jump") == CONSOLE_HELP
