"""The recording link: everything through a link, one JSON line each, passed on unchanged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from treadctl.clock import VirtualClock
from treadctl.ftms import uuids
from treadctl.link.base import AttError, LinkLost
from treadctl.link.recording import RecordingLink
from treadctl.sim import SimConfig, SimTreadmill
from treadctl.sim.loopback import LoopbackLink


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


async def test_reads_writes_notifications_and_errors_are_recorded_in_order(
    tmp_path: Path,
) -> None:
    clock = VirtualClock()
    sim = SimTreadmill(clock, SimConfig())
    path = tmp_path / "ble.jsonl"
    link = RecordingLink(LoopbackLink(sim, clock), path, clock=clock, header={"device": "x"})
    heard: list[bytes] = []
    async with sim.running(), clock.running():
        await link.connect()
        feature = await link.read(uuids.FITNESS_MACHINE_FEATURE)
        await link.subscribe(uuids.CONTROL_POINT, heard.append)
        await link.write(uuids.CONTROL_POINT, bytes([0x00]), response=True)  # request control
        await clock.sleep(1)
        with pytest.raises(AttError):
            await link.write(uuids.FITNESS_MACHINE_FEATURE, b"\x01", response=True)
        await link.disconnect()
        with pytest.raises(LinkLost):
            await link.read(uuids.FITNESS_MACHINE_FEATURE)
    link.close()
    log = lines(path)
    assert log[0]["type"] == "ble-log"
    assert log[0]["device"] == "x"
    kinds = [line["dir"] for line in log[1:]]
    assert kinds[:3] == ["connect", "read", "subscribe"]
    read = log[2]
    assert (read["char"], bytes.fromhex(read["hex"])) == ("feature", feature)  # unchanged
    write_at = kinds.index("write") + 1
    answer_at = kinds.index("notify") + 1
    assert write_at < answer_at  # the write is logged before the answer it caused
    assert bytes.fromhex(log[answer_at]["hex"]) == heard[0]
    errors = [line for line in log[1:] if line["dir"] == "error"]
    assert [e["op"] for e in errors] == ["write", "read"]
    assert "att" in errors[0]
    assert "disconnect" in kinds
    times = [line["t"] for line in log[1:]]
    assert times == sorted(times)


async def test_a_log_that_cannot_be_written_never_breaks_the_link(tmp_path: Path) -> None:
    clock = VirtualClock()
    sim = SimTreadmill(clock, SimConfig())
    link = RecordingLink(LoopbackLink(sim, clock), tmp_path / "ble.jsonl", clock=clock)
    link.log.close()  # as good as a full disk: nothing more reaches the file
    async with sim.running(), clock.running():
        await link.connect()
        assert await link.read(uuids.FITNESS_MACHINE_FEATURE)
        await link.disconnect()
