"""Fixtures for the workout tests (the config isolation is in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from treadctl.config import Settings, load_settings


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
