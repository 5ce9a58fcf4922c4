"""Subcommands. Each module has ``register(subparsers)`` that sets ``handler``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

Register = Callable[["argparse._SubParsersAction[Any]"], None]

COMMANDS: list[Register] = []
