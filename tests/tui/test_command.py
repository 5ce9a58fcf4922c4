"""The command the hints name is the one the user started treadctl with."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

from treadctl.tui.command import invoked_command, replay_command


def test_the_command_is_argv0_as_typed() -> None:
    assert invoked_command(".venv/bin/treadctl") == ".venv/bin/treadctl"
    assert invoked_command("treadctl") == "treadctl"
    assert invoked_command("/home/me/my tools/treadctl") == "'/home/me/my tools/treadctl'"


def test_python_dash_m_names_the_interpreter() -> None:
    main = "/usr/lib/python3/site-packages/treadctl/__main__.py"
    command = invoked_command(main, python="/opt/py 3/bin/python")
    assert command == "'/opt/py 3/bin/python' -m treadctl"


def test_the_replay_line_works_in_a_shell(tmp_path: Path) -> None:
    log = tmp_path / "it's a run.jsonl"
    line = replay_command(".venv/bin/treadctl", log)
    assert line == f".venv/bin/treadctl replay {shlex.quote(str(log))}"
    words = subprocess.run(
        ["sh", "-c", f'for w in {line.split(" ", 1)[1]}; do echo "$w"; done'],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert words == ["replay", str(log)]
