"""Every test runs with none of the user's TREADCTL_* variables, and a config and data
folder of its own."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def config_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The config file for this test (not created); ``TREADCTL_CONFIG`` points at it.

    ``TREADCTL_DATA_DIR`` points into the test's folder too, so no test writes a
    session into the user's real data folder. ``TREADCTL_VOICE`` is false.
    """
    for key in list(os.environ):
        if key.upper().startswith("TREADCTL_"):
            monkeypatch.delenv(key)
    path = tmp_path / "config" / "config.toml"
    monkeypatch.setenv("TREADCTL_CONFIG", str(path))
    monkeypatch.setenv("TREADCTL_DATA_DIR", str(tmp_path / "data"))
    # The voice is on by default; tests that want it (tests/voice) turn it on, so the
    # rest neither probe audio players nor run a speech engine.
    monkeypatch.setenv("TREADCTL_VOICE", "false")
    return path
