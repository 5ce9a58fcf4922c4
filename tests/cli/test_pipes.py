"""Output piped into ``head``: a replay ends quietly, a run stops the belt first."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.cli.helpers import no_traceback, treadctl, write_profile
from treadctl.commands.run import OUTPUT_CLOSED
from treadctl.config import acknowledge_risks
from treadctl.sessions import read_session


def _read_lines_then_close(proc, count: int) -> list[str]:  # type: ignore[no-untyped-def]
    """What ``| head -COUNT`` does: read COUNT lines, then close the pipe."""
    assert proc.stdout is not None
    lines = [proc.stdout.readline() for _ in range(count)]
    proc.stdout.close()
    return lines


def test_a_replay_whose_output_closes_ends_quietly(tmp_path: Path) -> None:
    log = tmp_path / "replay.jsonl"
    proc = treadctl("replay", "first-steps", "--events", "--log", str(log))
    lines = _read_lines_then_close(proc, 3)
    _, err = proc.communicate(timeout=60)
    assert all(line.endswith("\n") for line in lines)
    assert proc.returncode == 0
    no_traceback(err)
    # It did not go on replaying for nobody.
    summary = read_session(log).summary
    assert summary is not None
    assert summary["reason"] == "the output closed"


def test_a_run_whose_output_closes_stops_the_belt_and_fails(
    tmp_path: Path, config_path: Path
) -> None:
    acknowledge_risks(config_path)
    log = tmp_path / "run.jsonl"
    proc = treadctl(
        "run", str(write_profile(tmp_path)), "--sim", "--headless",
        "--time-factor", "20", "--log", str(log),
    )  # fmt: skip
    # The session log's path, the keys, the clock: the workout is about to start.
    lines = _read_lines_then_close(proc, 3)
    assert lines[0] == f"session log: {log}\n"
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    no_traceback(err)
    assert f"stopped the belt: {OUTPUT_CLOSED}" in err
    session = read_session(log)
    assert session.summary is not None
    assert session.summary["reason"] == OUTPUT_CLOSED
    assert session.user_actions()[-1][1] == "stop"
    assert session.commands()[-1][0] == "stop"


def test_a_run_whose_output_closes_during_the_risks_does_not_start(tmp_path: Path) -> None:
    log = tmp_path / "run.jsonl"
    proc = treadctl(
        "run", str(write_profile(tmp_path)), "--sim", "--headless", "--accept-risks",
        "--time-factor", "20", "--log", str(log),
    )  # fmt: skip
    _read_lines_then_close(proc, 1)
    _, err = proc.communicate(timeout=60)
    # Closed before the workout began, or while it ran: never a success, never a trace.
    assert proc.returncode == 1
    no_traceback(err)
    if log.exists():
        summary = read_session(log).summary
        assert summary is not None
        assert summary["reason"] == OUTPUT_CLOSED


def test_ctrl_c_ends_a_real_time_replay_with_130(tmp_path: Path) -> None:
    log = tmp_path / "replay.jsonl"
    proc = treadctl("replay", "first-steps", "--time-factor", "5", "--events", "--log", str(log))
    assert proc.stdout is not None
    while not proc.stdout.readline().startswith("[00:"):  # until the workout is under way
        pass
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    no_traceback(err)
    assert "workout ended: interrupted" in out
    session = read_session(log)
    assert session.summary is not None
    assert session.summary["reason"] == "interrupted"
    assert session.commands()[-1][0] == "stop"
