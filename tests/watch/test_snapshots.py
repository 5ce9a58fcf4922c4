"""Snapshots of the dashboard, a confirm dialog and the detail view, on a fixed clock.

The class is :func:`tests.watch.scenes.classroom`; event times are shown in UTC here.
Update after a deliberate change with ``pytest tests/watch/test_snapshots.py
--snapshot-update``, look at the SVGs, and copy them to ``docs/images/watch-*.svg``
(``test_docs.py`` checks they match).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.watch.scenes import WALL, RecordingLink, classroom
from treadctl.watch.fleet import Fleet
from treadctl.watch.ui import WatchApp

SnapCompare = Callable[..., bool]


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def class_app() -> WatchApp:
    fleet = Fleet()
    classroom(fleet)
    return WatchApp(
        RecordingLink(fleet), clock=lambda: 1.0, wall=lambda: WALL, refresh_s=1000, bell=True
    )


async def synced(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, WatchApp)
    app.sync()
    await pilot.pause()


def test_dashboard(snap_compare: SnapCompare) -> None:
    assert snap_compare(class_app(), terminal_size=(120, 35), run_before=synced)


def test_dashboard_small(snap_compare: SnapCompare) -> None:
    assert snap_compare(class_app(), terminal_size=(80, 24), run_before=synced)


def test_confirm_stop(snap_compare: SnapCompare) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await synced(pilot)
        await pilot.press("right", "s")
        await synced(pilot)

    assert snap_compare(class_app(), terminal_size=(80, 24), run_before=run_before)


def test_detail(snap_compare: SnapCompare) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await synced(pilot)
        await pilot.press("down", "enter")
        await synced(pilot)

    assert snap_compare(class_app(), terminal_size=(120, 35), run_before=run_before)
