"""The command line starts at once: a command imports only what it uses.

Each case runs in a fresh interpreter (``sys.modules`` of this one holds everything the
other tests imported) and lists which heavy libraries ended up imported.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("bleak", "dbus_fast", "textual", "aiomqtt", "matplotlib", "pydantic")

PROBE = """
import contextlib, io, json, sys
import treadctl.cli
argv = json.loads(sys.argv[1])
if argv:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):
        treadctl.cli.main(argv)
heavy = json.loads(sys.argv[2])
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules} & set(heavy))))
"""


def imported(argv: list[str]) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(argv), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result: list[str] = json.loads(done.stdout.splitlines()[-1])
    return result


@pytest.mark.parametrize(
    "argv",
    [[], ["--version"], ["--help"], ["decode", "treadmill-data", "0400"]],
    ids=["import", "version", "help", "decode"],
)
def test_the_cheap_commands_import_no_heavy_library(argv: list[str]) -> None:
    assert imported(argv) == []


@pytest.mark.parametrize(
    "argv",
    [
        ["profiles", "list"],
        ["run", "--help"],
        ["replay", "first-steps", "--time-factor", "max"],
    ],
    ids=["profiles-list", "run-help", "replay-on-the-simulator"],
)
def test_workouts_on_the_simulator_need_pydantic_and_nothing_heavier(argv: list[str]) -> None:
    """No bleak, D-Bus, Textual or MQTT unless a real device, the TUI or a broker is used."""
    assert imported(argv) == ["pydantic"]
