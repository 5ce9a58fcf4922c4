"""Subcommands: each module has ``register(subparsers)``, which sets ``handler``.

This package imports none of them. The command line imports only the module of the
command it runs (its one-line help is here, so ``treadctl --help`` lists every command
without loading any), and each module imports the heavy libraries (bleak, Textual,
aiomqtt) only on the paths that use them.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (--help's time)
if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable
    from typing import Any

    Register = Callable[[argparse._SubParsersAction[Any]], None]


class Command:
    """One subcommand: its name, its module, its one-line help.

    A plain class, not a dataclass: ``treadctl --version`` should not pay for importing
    :mod:`dataclasses` (and :mod:`inspect` with it).
    """

    __slots__ = ("module", "name", "summary")

    def __init__(self, name: str, module: str, summary: str) -> None:
        self.name = name
        self.module = module
        self.summary = summary

    def register(self) -> Register:
        """The module's ``register`` (imports the module)."""
        register: Register = importlib.import_module(self.module).register
        return register


#: Every subcommand, in the order ``treadctl --help`` lists them.
COMMANDS: tuple[Command, ...] = (
    Command(
        "decode",
        "treadctl.commands.decode",
        "decode FTMS or heart-rate bytes (from nRF Connect, a sniffer or a BLE log)",
    ),
    Command("profiles", "treadctl.commands.profiles", "list, show and check workout profiles"),
    Command("run", "treadctl.commands.run", "run a guided workout"),
    Command(
        "replay",
        "treadctl.commands.replay",
        "replay a profile or a recorded session against the simulator",
    ),
    Command("sessions", "treadctl.commands.sessions", "list, show and chart recorded sessions"),
    Command(
        "export",
        "treadctl.commands.export",
        "write a session as a FIT or TCX file (Garmin Connect, Strava, intervals.icu)",
    ),
    Command(
        "next",
        "treadctl.commands.next_session",
        "the coach's next workout from your sessions, and why",
    ),
    Command(
        "scan",
        "treadctl.commands.scan",
        "list the FTMS treadmills and heart-rate straps in Bluetooth range",
    ),
    Command(
        "info",
        "treadctl.commands.info",
        "connect to a treadmill and show what it is and what it supports",
    ),
    Command(
        "sim",
        "treadctl.commands.sim",
        "serve the simulated treadmill over a fake BlueZ (rehearse any FTMS app)",
    ),
    Command(
        "watch",
        "treadctl.commands.watch",
        "supervise every treadctl treadmill on an MQTT broker (a dashboard)",
    ),
)

BY_NAME: dict[str, Command] = {command.name: command for command in COMMANDS}


def summary(name: str) -> str:
    """The one-line help of command ``name`` (what ``treadctl --help`` shows)."""
    return BY_NAME[name].summary
