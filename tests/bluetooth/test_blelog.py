"""``--ble-log``: recording every raw exchange, and playing a log back into the client.

The round trip runs through real bleak and the fake BlueZ: what the client decoded live,
notification by notification, is what it decodes from the log. ``logs/`` holds logs
"sent by users" (recorded from the simulator with a walking pad's quirks), each with a
test of what it must decode to: that is how a misbehaving treadmill becomes a test.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.bluetooth.conftest import Radio, until
from treadctl.bluetooth.blelog import BleLogError, BlePlayer, PlaybackResult, read_ble_log
from treadctl.bluetooth.link import BleakLink
from treadctl.cli import main
from treadctl.client import TreadmillClient, TreadmillState
from treadctl.client.events import TargetSpeedChanged
from treadctl.clock import VirtualClock
from treadctl.ftms import uuids
from treadctl.link.base import NotifyCallback
from treadctl.link.recording import RecordingLink
from treadctl.sim import Quirk

LOGS = Path(__file__).parent / "logs"
#: What a Treadmill Data notification changes in the client's state; the rest (targets,
#: belt, control) follows from the client's own commands, which a playback does not send.
DATA_FIELDS = (
    "speed_kmh",
    "incline_pct",
    "distance_m",
    "energy_kcal",
    "heart_rate_bpm",
    "elapsed_s",
    "steps",
    "records",
    "malformed",
    "training_status",
)


def data_of(state: TreadmillState) -> dict[str, object]:
    values = dataclasses.asdict(state)
    return {k: values[k] for k in DATA_FIELDS}


class Tapped(RecordingLink):
    """Records as usual, and keeps the client's state after each Treadmill Data value."""

    snapshot: Callable[[], TreadmillState] | None = None
    states: list[TreadmillState]

    async def subscribe(self, uuid: str, callback: NotifyCallback) -> None:
        self.states = getattr(self, "states", [])

        def tapped(data: bytes) -> None:
            callback(data)
            if uuid == uuids.TREADMILL_DATA and self.snapshot is not None:
                self.states.append(self.snapshot())

        await super().subscribe(uuid, tapped)


async def play(path: Path) -> PlaybackResult:
    clock = VirtualClock()
    async with clock.running():
        return await BlePlayer(read_ble_log(path), clock).play()


async def test_a_recorded_log_replays_to_the_same_decoded_values(
    radio: Radio, tmp_path: Path
) -> None:
    sim, _ = await radio.treadmill(
        Quirk.TRAILING_BYTES, Quirk.STEP_COUNT_BIT13, Quirk.TRAINING_STATUS_RFU
    )
    sim.heart_rate_bpm = 97
    path = tmp_path / "ble.jsonl"
    link = Tapped(BleakLink(sim.config.address), path)
    client = TreadmillClient(link, radio.clock)
    link.snapshot = lambda: client.state
    try:
        await client.connect()
        await client.request_control()
        await client.start()
        await client.set_speed(3.0)
        await until(lambda: client.state.speed_kmh == 3.0)
        await client.set_incline(1.5)
        await until(lambda: client.state.incline_pct == 1.5)
        await client.stop()
        await until(lambda: client.state.speed_kmh == 0)
    finally:
        await client.aclose()
        link.close()
    live = [data_of(s) for s in link.states]
    assert len(live) > 10

    replayed = await play(path)
    assert [data_of(s) for s in replayed.states_after()] == live
    assert replayed.deviations == dict(client.stats.deviations)
    assert replayed.device_info == client.device_info
    log = read_ble_log(path)
    assert [r.dir for r in log.records][-1] == "disconnect"
    writes = [r.data.hex() for r in log.of("write")]
    assert writes[:3] == ["00", "07", "022c01"]  # request control, start, 3.0 km/h


async def test_a_walking_pad_log_from_a_user() -> None:
    """A UREVO-like pad: control point written without response, answers 45 ms later,
    Target Speed Changed echoed while the belt ramps, steps under flag bit 13, two
    trailing bytes everywhere, Training Status from the reserved range."""
    result = await play(LOGS / "urevo-like.jsonl")
    states = result.states_after()
    assert len(states) == 32  # records split in two notifications (20-byte MTU)
    assert states[-1].records == 16
    assert max(s.speed_kmh or 0 for s in states) == 4.0
    assert states[-1].speed_kmh == 0.0
    assert states[-1].steps == 3
    assert result.deviations == {"trailing_bytes": 45, "step_count_bit13": 16, "unknown_code": 1}
    assert result.malformed == {}
    echoes = [e.speed_kmh for e in result.events if isinstance(e, TargetSpeedChanged)]
    assert echoes[:3] == [0.39, 0.9, 1.4]
    log = read_ble_log(LOGS / "urevo-like.jsonl")
    assert all(r.response is False for r in log.of("write", uuids.CONTROL_POINT))
    assert result.device_info["model"] == "Simulated Treadmill"


def test_replay_command_prints_the_decoded_log(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", "--ble-log", str(LOGS / "urevo-like.jsonl")]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("[00:00.00")
    assert "connect" in out[0]
    assert any("write control-point" in line and "set_target_speed" in line for line in out)
    assert any("notify treadmill-data" in line and "steps=3" in line for line in out)
    assert out[-2] == "treadmill data: 16 records; last speed 0.0 km/h, distance 2 m"
    assert out[-1].startswith("spec deviations tolerated: step_count_bit13 x16")


def test_replay_command_rejects_what_is_not_a_ble_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    session = tmp_path / "session.jsonl"
    session.write_text(json.dumps({"t": 0, "type": "session"}) + "\n")
    assert main(["replay", "--ble-log", str(session)]) == 2
    assert "not a BLE log" in capsys.readouterr().err
    assert main(["replay"]) == 2
    assert "--ble-log FILE" in capsys.readouterr().err


def test_broken_lines_name_the_line(tmp_path: Path) -> None:
    path = tmp_path / "ble.jsonl"
    header = json.dumps({"type": "ble-log", "version": 1})
    path.write_text(header + "\n" + json.dumps({"t": 0.1, "dir": "sideways"}) + "\n{}\n")
    with pytest.raises(BleLogError, match="line 2: unknown dir 'sideways'"):
        read_ble_log(path)
    path.write_text(header + "\n" + json.dumps({"t": 0.1, "dir": "notify", "hex": "zz"}) + "\n")
    with pytest.raises(BleLogError, match="line 2"):
        read_ble_log(path)
    # A crash cuts the last line short: everything before it is still read.
    good = json.dumps({"t": 0.1, "dir": "disconnect"})
    path.write_text(header + "\n" + good + "\n" + '{"t": 0.2, "dir": "not')
    assert [r.dir for r in read_ble_log(path).records] == ["disconnect"]
