"""docs/watch.md keeps up with the app (screenshots, keys); the command stays light."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.dom import DOMNode

from treadctl.cli import main
from treadctl.watch.ui import WatchApp
from treadctl.watch.ui.confirm import ConfirmCommand
from treadctl.watch.ui.dashboard import DashboardScreen
from treadctl.watch.ui.detail import DetailScreen

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "watch.md"
SNAPSHOTS = Path(__file__).resolve().parent / "__snapshots__" / "test_snapshots"


def test_every_image_in_the_doc_is_a_current_snapshot() -> None:
    images = re.findall(r"\]\((images/watch-[a-z-]+\.svg)\)", DOC.read_text())
    assert len(images) == len(list(SNAPSHOTS.glob("*.svg"))) == 4
    for image in images:
        name = image.removeprefix("images/watch-").removesuffix(".svg").replace("-", "_")
        snapshot = SNAPSHOTS / f"test_{name}.svg"
        assert snapshot.exists(), f"{image} has no snapshot test"
        assert (DOC.parent / image).read_text() == snapshot.read_text(), (
            f"{image} is out of date: copy {snapshot.relative_to(ROOT)} over it"
        )


@pytest.mark.parametrize("node", [WatchApp, DashboardScreen, DetailScreen, ConfirmCommand])
def test_every_key_is_in_the_keys_table(node: type[DOMNode]) -> None:
    text = DOC.read_text()
    bindings = [b for b in node.__dict__.get("BINDINGS", []) if isinstance(b, Binding)]
    assert bindings
    for binding in bindings:
        assert binding.id, f"{node.__name__}: binding {binding.key} has no id"
        assert f"`{binding.id}`" in text, f"{binding.id} is not in docs/watch.md"


def test_the_only_commands_bound_are_stop_and_pause() -> None:
    actions = [
        b.action
        for node in (WatchApp, DashboardScreen, DetailScreen, ConfirmCommand)
        for b in node.__dict__.get("BINDINGS", [])
        if isinstance(b, Binding)
    ]
    assert sorted(a for a in actions if a.startswith("command")) == [
        "command('pause')",
        "command('stop')",
    ]


def test_the_command_loads_neither_textual_nor_the_watch_until_run() -> None:
    code = (
        "import sys, treadctl.cli, treadctl.commands.watch\n"
        "print(sorted(m for m in sys.modules if m.startswith(('textual', 'treadctl.watch'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert out.strip() == "[]"


def test_a_bad_url_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["watch", "http://broker"]) == 2
    assert "mqtt:// or mqtts://" in capsys.readouterr().err


def test_without_a_terminal_it_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["watch", "mqtt://127.0.0.1:1"]) == 2
    assert "needs a terminal" in capsys.readouterr().err


def test_help_says_what_it_shows_with_units(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["watch", "--help"])
    out = capsys.readouterr().out
    for words in ("speed (km/h)", "incline (%)", "heart rate (bpm)", "confirm", "stop", "pause"):
        assert words in " ".join(out.lower().split()), words
