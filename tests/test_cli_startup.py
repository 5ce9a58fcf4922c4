"""The command line starts at once: a command imports only what it uses.

Each case runs in a fresh interpreter (``sys.modules`` of this one holds everything the
other tests imported) and lists which heavy libraries ended up imported.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
from pathlib import Path

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


GC_PROBE = """
import gc, json, sys
import treadctl.cli
seen = {}
original = treadctl.cli._main
def spy(argv, loaded=None):
    seen["while_loading"] = gc.isenabled()
    return original(argv, loaded=loaded)
treadctl.cli._main = spy
code = treadctl.cli.main(json.loads(sys.argv[1]), own_process=True)
print(json.dumps({**seen, "code": code, "after": gc.isenabled(), "frozen": gc.get_freeze_count()}))
"""


@pytest.mark.parametrize("own_process", [True, False])
def test_the_script_pauses_the_collector_while_loading_and_freezes_what_it_loaded(
    own_process: bool,
) -> None:
    """The console script's collector rules (docs/performance.md): off while the command's
    modules load, on again with them frozen, frozen once more at the end. A plain
    ``main(argv)`` (tests, embedding) leaves the collector alone."""
    probe = GC_PROBE if own_process else GC_PROBE.replace(", own_process=True", "")
    done = subprocess.run(
        [sys.executable, "-c", probe, json.dumps(["profiles", "list"])],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    seen = json.loads(done.stdout.splitlines()[-1])
    assert seen["code"] == 0
    assert seen["after"] is True
    if own_process:
        assert seen["while_loading"] is False
        assert seen["frozen"] > 10_000  # the imported modules' objects
    else:
        assert seen["while_loading"] is True
        assert seen["frozen"] == 0


def test_the_console_script_is_the_own_process_entry() -> None:
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())
    assert pyproject["project"]["scripts"]["treadctl"] == "treadctl.cli:console_main"
