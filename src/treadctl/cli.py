"""The ``treadctl`` command line: one subcommand module each, wired here."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from treadctl import __version__
from treadctl.commands import COMMANDS

#: Exit codes: 0 done, 1 the job failed, 2 the command line or its input was wrong.
EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="treadctl",
        description=(
            "Guided backward walking and running on Bluetooth FTMS treadmills. "
            "With no COMMAND: the full-screen UI."
        ),
    )
    parser.add_argument("--version", action="version", version=f"treadctl {__version__}")
    parser.add_argument(
        "--config", type=Path, help="settings file for the full-screen UI (no COMMAND)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for register in COMMANDS:
        register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler: Callable[[argparse.Namespace], int] | None = getattr(args, "handler", None)
    if handler is None:
        if args.command is None:
            # No subcommand: the full-screen UI (imported here, so the other commands
            # never load Textual).
            from treadctl.commands.ui import open_ui  # noqa: PLC0415

            return open_ui(args)
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return handler(args)
    except BrokenPipeError:
        # Output piped into `head` or a pager that quit: not an error worth a traceback.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
