"""Sessions to export, run once per module on the simulator at virtual speed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.history.making import day, ladder_profile, rehearse
from treadctl.history.log import SessionLog, load_session_log
from treadctl.sim import Quirk


@dataclass(frozen=True)
class Made:
    walk: Path
    """Backward walking with a heart rate (110 bpm), steps, and a pause."""
    jog: Path
    """Backward bouts at 6.2 km/h: a running session."""
    cut: Path
    """The walk, cut off in the middle of a line as by kill -9."""

    def log(self, name: str) -> SessionLog:
        path: Path = getattr(self, name)
        return load_session_log(path)


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Made:
    folder = tmp_path_factory.mktemp("sessions")
    walk = rehearse(
        ladder_profile(folder, 30, 1.0, bouts=2),
        folder,
        when=day(0),
        heart_rate_bpm=110,
        quirks=frozenset({Quirk.STEP_COUNT_BIT13}),
        actions=[(50.0, "pause", None), (65.0, "resume", None)],
    )
    jog = rehearse(
        ladder_profile(folder, 60, 6.2, bouts=2),
        folder,
        when=day(1),
        max_backward_speed_kmh=7.0,
    )
    cut = folder / "20250310-180000-cut.jsonl"
    text = walk.read_text()
    cut.write_text(text[: int(len(text) * 0.7)])
    return Made(walk, jog, cut)
