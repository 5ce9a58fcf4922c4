"""Keys typed at a terminal reach a headless run: each answered, s stops the belt."""

from __future__ import annotations

import os
import pty
from pathlib import Path

from tests.cli.helpers import no_traceback, treadctl, write_profile
from treadctl.config import acknowledge_risks
from treadctl.headless import KEYS_HELP
from treadctl.sessions import read_session


def test_keys_typed_at_a_terminal_are_answered_and_s_stops(
    tmp_path: Path, config_path: Path
) -> None:
    acknowledge_risks(config_path)
    log = tmp_path / "keys.jsonl"
    master, slave = pty.openpty()
    try:
        proc = treadctl(
            "run", str(write_profile(tmp_path)), "--sim", "--headless", "--time-factor", "4",
            "--log", str(log), stdin=slave,
        )  # fmt: skip
        assert proc.stdout is not None

        def read_until(text: str) -> str:
            while True:
                line = proc.stdout.readline()  # type: ignore[union-attr]
                assert line, f"ended before {text!r}"
                if text in line:
                    return line

        read_until("segment 1:")
        os.write(master, b"hello\n")
        assert read_until("hello : ").rstrip().endswith(KEYS_HELP)
        os.write(master, b"+\n")
        read_until("+ : asking for 3.1 km/h")
        os.write(master, b"s\n")
        read_until("s : STOP")
        _, err = proc.communicate(timeout=60)
    finally:
        os.close(master)
        os.close(slave)
    assert proc.returncode == 1
    no_traceback(err)
    summary = read_session(log).summary
    assert summary is not None
    assert summary["reason"] == "stopped from the keyboard"
