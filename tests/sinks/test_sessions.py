"""Session recording, replay, and the headless CLI, through the real entry points."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from treadctl.cli import main
from treadctl.config import load_settings
from treadctl.runtime import WorkoutOptions, run_workout
from treadctl.sessions import read_session, sessions_dir

REPO = Path(__file__).resolve().parents[2]


def test_replay_records_a_complete_session(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", "first-steps"]) == 0
    out = capsys.readouterr().out
    assert "workout completed" in out
    (log,) = sessions_dir().glob("*.jsonl")
    assert f"session log: {log}" in out
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert lines[0]["type"] == "session"
    assert all({"t", "type"} <= set(line) for line in lines)
    times = [line["t"] for line in lines]
    assert times == sorted(times)
    samples = [line for line in lines if line["type"] == "sample"]
    assert len(samples) > 600  # about one a second for 13 minutes
    assert {"speed_kmh", "incline_pct", "distance_m", "facing"} <= set(samples[0])
    assert {s["facing"] for s in samples} == {"forward", "backward"}
    commands = [line for line in lines if line["type"] == "command"]
    assert {c["name"] for c in commands} >= {"speed", "start", "stop", "incline"}
    assert lines[-1]["type"] == "finished"
    assert lines[-1]["summary"]["completed"] is True


async def test_replaying_a_session_reproduces_its_commands(tmp_path: Path) -> None:
    first = tmp_path / "first.jsonl"
    actions = [(40.0, "pause", None), (55.0, "resume", None), (100.0, "adjust_speed", 0.3)]
    options = WorkoutOptions(
        profile="first-steps",
        settings=load_settings(),
        speed="max",
        log_path=first,
        actions=actions,
        risks_acknowledged=True,
    )
    await run_workout(options)
    recorded = read_session(first)
    assert [a[1] for a in recorded.user_actions()] == ["pause", "resume", "adjust_speed"]
    second = tmp_path / "second.jsonl"
    code = await asyncio.to_thread(main, ["replay", str(first), "--log", str(second)])
    assert code == 0
    replayed = read_session(second)
    assert replayed.header["replay_of"] == str(first)
    assert replayed.commands() == recorded.commands()
    t_first = [e["t"] for e in recorded.of_type("command")]
    t_second = [e["t"] for e in replayed.of_type("command")]
    assert t_second == pytest.approx(t_first, abs=0.01)


def test_replay_with_quirks_reports_the_safety_events(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", "first-steps", "--quirk", "speed-locked"]) == 0
    out = capsys.readouterr().out
    assert "safety events  2" in out
    (log,) = sessions_dir().glob("*.jsonl")
    session = read_session(log)
    kinds = [e["kind"] for e in session.of_type("safety")]
    assert kinds == ["target_not_reached", "advisory_mode"]
    assert session.of_type("advice")  # what the stand-in at the console was told to set
    turns = [e for e in session.of_type("turnaround") if e["phase"] == "turn_now"]
    assert turns  # advisory mode: turns on a belt the person slowed at the console
    assert session.summary is not None
    assert session.summary["completed"]


def test_sessions_list_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", "knee-friendly-10"]) == 0
    (log,) = sessions_dir().glob("*.jsonl")
    capsys.readouterr()
    assert main(["sessions", "list"]) == 0
    out = capsys.readouterr().out
    assert log.stem in out
    assert "knee-friendly-10" in out
    assert "done" in out
    assert main(["sessions", "show", log.stem]) == 0
    out = capsys.readouterr().out
    assert "result    completed" in out
    assert "backward  " in out
    assert main(["sessions", "show", "nope"]) == 2


def test_bad_profile_and_bad_session_are_clear_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["replay", "no-such-profile"]) == 2
    assert "no-such-profile" in capsys.readouterr().err
    junk = tmp_path / "junk.jsonl"
    junk.write_text("not json\n")
    assert main(["replay", str(junk)]) == 2
    assert "not a treadctl session" in capsys.readouterr().err


def _treadctl(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "treadctl", *args],
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONUNBUFFERED": "1"}


def _wait_for_lines(path: Path, kind: str, limit_s: float = 30.0) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if path.exists() and f'"type": "{kind}"' in path.read_text():
            return
        time.sleep(0.05)
    raise AssertionError(f"no {kind} line in {path} after {limit_s} s")


def test_run_needs_the_risks_accepted_once(config_path: Path) -> None:
    proc = _treadctl("run", "first-steps", "--sim", "--headless", env=_env())
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert "--accept-risks" in err
    assert not config_path.exists()
    log = config_path.parent / "s.jsonl"
    proc = _treadctl(
        "run", "first-steps", "--sim", "--headless", "--accept-risks", "--time-factor", "50",
        "--log", str(log), env=_env(),
    )  # fmt: skip
    _wait_for_lines(log, "segment_started")
    proc.send_signal(signal.SIGINT)
    proc.communicate(timeout=60)
    assert "risks_acknowledged = true" in config_path.read_text()


@pytest.mark.parametrize(
    "sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["ctrl-c", "term", "hangup"]
)
def test_ctrl_c_or_a_closed_terminal_stops_the_belt_first_then_exits(
    tmp_path: Path, sig: signal.Signals
) -> None:
    log = tmp_path / "run.jsonl"
    proc = _treadctl(
        "run", "first-steps", "--sim", "--headless", "--accept-risks", "--time-factor", "20",
        "--log", str(log), env=_env(),
    )  # fmt: skip
    _wait_for_lines(log, "segment_started")
    proc.send_signal(sig)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 130
    session = read_session(log)
    names = [c[0] for c in session.commands()]
    assert names[-1] == "stop"
    assert session.user_actions()[-1][1] == "stop"
    summary = session.summary
    assert summary is not None
    assert summary["reason"] == "interrupted"
    assert "workout ended: interrupted" in out


def test_kill_9_loses_at_most_the_line_being_written(tmp_path: Path) -> None:
    log = tmp_path / "killed.jsonl"
    proc = _treadctl(
        "run", "first-steps", "--sim", "--headless", "--accept-risks", "--time-factor", "30",
        "--log", str(log), env=_env(),
    )  # fmt: skip
    _wait_for_lines(log, "segment_started")
    time.sleep(0.5)
    proc.kill()
    proc.communicate(timeout=30)
    text = log.read_text()
    lines = text.splitlines()
    for line in lines[:-1]:
        json.loads(line)  # every line but the last is whole
    session = read_session(log)
    assert session.damaged_lines <= 1
    assert session.summary is None
    assert len(session.of_type("sample")) > 5
