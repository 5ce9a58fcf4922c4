"""docs/tui.md keeps up with the app: its screenshots are the snapshots, its keys the bindings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.dom import DOMNode

from treadctl.config import Settings
from treadctl.tui import TreadctlApp
from treadctl.tui.screens import (
    ConfirmScreen,
    EndScreen,
    HelpScreen,
    RisksScreen,
    StartScreen,
    WorkoutScreen,
)
from treadctl.tui.screens.help import KEYS

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "tui.md"
SNAPSHOTS = Path(__file__).resolve().parent / "__snapshots__" / "test_snapshots"


def bindings_of(node: type[DOMNode]) -> list[Binding]:
    """The bindings treadctl declares on ``node`` and its treadctl base classes."""
    return [
        b
        for cls in node.__mro__
        if cls.__module__.startswith("treadctl.")
        for b in cls.__dict__.get("BINDINGS", [])
        if isinstance(b, Binding)
    ]


def test_every_image_in_the_doc_is_a_current_snapshot() -> None:
    images = re.findall(r"\]\((images/tui-[a-z-]+\.svg)\)", DOC.read_text())
    assert len(images) == len(list(SNAPSHOTS.glob("*.svg")))
    for image in images:
        name = image.removeprefix("images/tui-").removesuffix(".svg").replace("-", "_")
        snapshot = SNAPSHOTS / f"test_{name}.svg"
        assert snapshot.exists(), f"{image} has no snapshot test"
        assert (DOC.parent / image).read_text() == snapshot.read_text(), (
            f"{image} is out of date: copy {snapshot.relative_to(ROOT)} over it"
        )


@pytest.mark.parametrize(
    "node",
    [TreadctlApp, WorkoutScreen, StartScreen, EndScreen, ConfirmScreen, HelpScreen, RisksScreen],
)
def test_every_binding_is_in_the_keys_table(node: type[DOMNode]) -> None:
    text = DOC.read_text()
    for binding in bindings_of(node):
        assert binding.id, f"{node.__name__}: binding {binding.key} has no id"
        assert f"`{binding.id}`" in text, f"{binding.id} is not in docs/tui.md"


def test_stop_is_a_priority_binding_on_space_and_s_and_escape_on_the_workout() -> None:
    stop = next(b for b in bindings_of(TreadctlApp) if b.id == "stop")
    assert stop.priority
    assert "space" in stop.key.split(",")
    assert "escape" not in stop.key.split(",")  # in a dialog escape closes the dialog
    more = next(b for b in bindings_of(WorkoutScreen) if b.id == "stop_keys")
    assert more.priority
    assert more.action == "app.emergency_stop"
    assert {"s", "escape"} == set(more.key.split(","))
    for node in (HelpScreen, ConfirmScreen):
        shown = [b for b in bindings_of(node) if b.action == "app.emergency_stop"]
        assert shown, f"{node.__name__} does not show Stop in its footer"
        assert shown[0].priority


def test_the_help_dialog_lists_every_workout_key() -> None:
    keys = " ".join(key for key, _ in KEYS)
    for binding in bindings_of(WorkoutScreen):
        first = binding.key_display or binding.key.split(",")[0]
        assert first in keys, f"{binding.id} ({first}) is not in the help dialog"


def test_settings_the_tui_reads_are_documented(settings: Settings) -> None:
    text = DOC.read_text()
    for key in ("bell", "display_units", "turn_confirm", "max_heart_rate_bpm"):
        assert key in Settings.model_fields
        assert f"`{key}`" in text
