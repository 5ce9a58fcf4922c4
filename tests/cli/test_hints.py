"""What the command line suggests is true: options that exist, commands that work."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.helpers import REPO, SCRIPT, no_traceback, treadctl, write_profile
from treadctl.cli import build_parser, main
from treadctl.commands.common import SPEED_DEPRECATED, replay_command, treadctl_command
from treadctl.sessions import read_session


def test_info_without_a_device_suggests_what_exists(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info"]) == 2
    err = capsys.readouterr().err
    assert "--sim" not in err.replace("sim --bluez", "")
    assert "treadctl sim --bluez" in err
    assert "treadctl scan" in err
    # What it names parses; what it used to name does not.
    assert build_parser(["info"]).parse_args(["info", "--device", "treadctl-sim"]).device
    assert build_parser(["sim"]).parse_args(["sim", "--bluez"]).bluez
    with pytest.raises(SystemExit):
        build_parser(["info"]).parse_args(["info", "--sim"])


def test_the_risk_refusal_for_first_steps_does_not_suggest_first_steps(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["run", "first-steps", "--sim", "--headless"]) == 2
    err = capsys.readouterr().err
    assert "--accept-risks" in err
    assert "try the first-steps" not in err
    assert "first-steps is already the gentlest built-in workout" in err
    assert "backward bouts need the risks accepted too" in err


def test_the_risk_refusal_for_another_workout_suggests_first_steps(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["run", "backward-ladder-2", "--sim", "--headless"]) == 2
    err = capsys.readouterr().err
    assert "or start with the gentle first-steps profile (it asks the same)" in err


def test_speed_still_works_and_says_once_it_is_time_factor(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    profile = str(write_profile(tmp_path))
    assert main(["replay", profile, "--speed", "max", "--speed", "max"]) == 0
    assert capsys.readouterr().err.count(SPEED_DEPRECATED) == 1
    assert main(["replay", profile, "--time-factor", "max"]) == 0
    assert "--time-factor" not in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["replay", profile, "--time-factor", "0"])
    assert "give a number above 0" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["run", profile, "--sim", "--time-factor", "max"])
    assert "give a number above 0" in capsys.readouterr().err


def test_the_replay_command_is_how_treadctl_was_run() -> None:
    assert treadctl_command(".venv/bin/treadctl") == ".venv/bin/treadctl"
    assert treadctl_command("/opt/my tools/treadctl") == "'/opt/my tools/treadctl'"
    python_m = f"{shlex.quote(sys.executable)} -m treadctl"
    assert treadctl_command("/x/site-packages/treadctl/__main__.py") == python_m
    assert treadctl_command("/x/bin/pytest") == python_m
    assert replay_command(Path("/tmp/a b.jsonl")).endswith(" replay '/tmp/a b.jsonl'")


def test_a_run_ends_with_a_replay_command_that_works(tmp_path: Path) -> None:
    profile = write_profile(tmp_path)
    log = tmp_path / "my sessions" / "run 1.jsonl"
    proc = treadctl(
        "run", str(profile), "--sim", "--headless", "--accept-risks", "--time-factor", "50",
        "--log", str(log),
    )  # fmt: skip
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    no_traceback(err)
    expected = f"replay it: {SCRIPT} replay {shlex.quote(str(log))}"
    assert expected in out.splitlines()
    # The command works as printed, from where treadctl was run.
    again = tmp_path / "again.jsonl"
    argv = [*shlex.split(expected.removeprefix("replay it: ")), "--log", str(again)]
    done = subprocess.run(argv, check=False, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert read_session(again).header["replay_of"] == str(log)
    assert f"replay it: {SCRIPT} replay {shlex.quote(str(again))}" in done.stdout
