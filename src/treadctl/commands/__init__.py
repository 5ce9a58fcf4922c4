"""Subcommands. Each module has ``register(subparsers)`` that sets ``handler``."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from treadctl.commands import (
    decode,
    export,
    info,
    next_session,
    profiles,
    replay,
    run,
    scan,
    sessions,
    sim,
    watch,
)

Register = Callable[["argparse._SubParsersAction[Any]"], None]

COMMANDS: list[Register] = [
    decode.register,
    profiles.register,
    run.register,
    replay.register,
    sessions.register,
    export.register,
    next_session.register,
    scan.register,
    info.register,
    sim.register,
    watch.register,
]
