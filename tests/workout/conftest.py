"""Every workout test runs with no TREADCTL_* variables and a config file of its own."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from treadctl.config import Settings, load_settings


@pytest.fixture(autouse=True)
def config_path(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The config file for this test (not created); ``TREADCTL_CONFIG`` points at it."""
    for key in list(os.environ):
        if key.upper().startswith("TREADCTL_"):
            monkeypatch.delenv(key)
    path = tmp_path / "config" / "config.toml"
    monkeypatch.setenv("TREADCTL_CONFIG", str(path))
    return path


@pytest.fixture
def settings(config_path: Path) -> Settings:
    """Default settings, as a new user has them."""
    return load_settings(config_path)


WriteFile = Callable[[str, str], Path]


@pytest.fixture
def write_file(tmp_path: Path) -> WriteFile:
    """Write ``text`` to ``tmp_path / name`` and return the path."""

    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write
