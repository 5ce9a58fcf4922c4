"""The voice with ``--device``: a Bluetooth treadmill through bleak and the fake BlueZ."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from tests.bluetooth.conftest import Radio, private_bus, radio  # noqa: F401 (fixtures)
from tests.bluetooth.test_run_cli import FAST_CONFIG
from tests.bluetooth.test_workout import profile_file
from treadctl.voice.narrator import turn_now_text


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is not installed")
async def test_run_device_speaks_and_renders_its_coaching(radio: Radio, tmp_path: Path) -> None:  # noqa: F811
    await radio.treadmill(name="treadctl-sim")
    config = tmp_path / "config.toml"
    config.write_text(FAST_CONFIG + "voice_rate_wpm = 400\n")  # the last words sooner
    out, log = tmp_path / "coaching", tmp_path / "session.jsonl"
    argv = [
        "run", str(profile_file(tmp_path, 2.0, 3.0)), "--device", "treadctl-sim",
        "--headless", "--accept-risks", "--config", str(config), "--log", str(log),
        "--voice-out", str(out),
    ]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != "TREADCTL_VOICE"}  # the default: on
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "treadctl", *argv,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )  # fmt: skip
    out_b, err_b = await asyncio.wait_for(process.communicate(), 90)
    err = err_b.decode()
    assert process.returncode == 0, (out_b.decode(), err)
    assert len([line for line in err.splitlines() if "voice:" in line]) == 1
    cues = [json.loads(line) for line in (out / "cues.jsonl").read_text().splitlines()]
    texts = [c["text"] for c in cues]
    assert turn_now_text("backward") in texts
    assert all((out / c["wav"]).stat().st_size > 1000 for c in cues)
    header = json.loads(log.read_text().splitlines()[0])
    assert header["treadmill"]["kind"] == "bluetooth"
    said = [
        line
        for line in map(json.loads, log.read_text().splitlines())
        if line["type"] == "voice" and line["status"] == "said"
    ]
    assert [s["text"] for s in said] == texts[: len(said)]
