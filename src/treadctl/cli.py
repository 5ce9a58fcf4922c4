"""The ``treadctl`` command line: one subcommand module each, wired here.

Start-up is part of the interface: ``treadctl --version`` and ``--help`` import no
subcommand, and a subcommand imports only its own module (``bench/startup.py``
measures it; tests/test_cli_startup.py checks which libraries ``import treadctl.cli``
loads).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys

from treadctl import __version__
from treadctl.commands import BY_NAME, COMMANDS
from treadctl.errors import TreadctlError
from treadctl.exit_codes import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (--help's time)
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from pathlib import Path
    from typing import Any


def _path(text: str) -> Path:
    from pathlib import Path  # noqa: PLC0415 (not needed for --version or --help)

    return Path(text)


class _Commands(argparse._SubParsersAction):  # type: ignore[type-arg]
    """Subcommands whose ``--help`` has a description: their one-line help if they were
    given none (``sessions list --help`` then says what it lists)."""

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        if kwargs.get("description") is None and kwargs.get("help"):
            kwargs["description"] = kwargs["help"][0].upper() + kwargs["help"][1:] + "."
        parser: argparse.ArgumentParser = super().add_parser(name, **kwargs)
        return parser


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose help is plain text: RST literals (````treadctl x````, from
    a docstring used as a description) lose their backquotes. Subcommands' parsers are
    of this class too (``add_subparsers`` makes its parsers of the parent's class), and
    each has a description."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.register("action", "parsers", _Commands)

    def format_help(self) -> str:
        return plain(super().format_help())

    def _get_formatter(self) -> argparse.HelpFormatter:
        # The width given, so argparse does not import shutil to find it.
        return self.formatter_class(prog=self.prog, width=_width())  # type: ignore[call-arg]

    def format_usage(self) -> str:
        return plain(super().format_usage())


def _width() -> int:
    """The help's width: the terminal's (or $COLUMNS), less 2, as argparse does."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        try:
            columns = os.get_terminal_size(sys.stdout.fileno()).columns
        except (OSError, ValueError, AttributeError):
            columns = 80
    return max(columns - 2, 20)


def plain(text: str) -> str:
    """``text`` without RST double backquotes: ````x```` reads ``x``."""
    return text.replace("``", "")


def chosen_command(argv: Sequence[str]) -> str | None:
    """The subcommand named in ``argv``: the first word that is not an option (or the
    value of ``--config``, the one top-level option that takes one)."""
    words = iter(argv)
    for word in words:
        if word == "--config":
            next(words, None)
        elif word.startswith("-"):
            continue
        else:
            return word if word in BY_NAME else None
    return None


def build_parser(
    argv: Sequence[str] | None = None, *, full: bool = False
) -> argparse.ArgumentParser:
    """The parser. Only the command ``argv`` names is registered in full (its module
    imported); the others get their one-line help. ``full``: every command in full."""
    parser = Parser(
        prog="treadctl",
        description=(
            "Guided backward walking and running on Bluetooth FTMS treadmills. "
            "With no COMMAND: the full-screen UI."
        ),
    )
    parser.add_argument("--version", action="version", version=f"treadctl {__version__}")
    parser.add_argument(
        "--config", type=_path, help="settings file for the full-screen UI (no COMMAND)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    chosen = chosen_command(sys.argv[1:] if argv is None else argv)
    for command in COMMANDS:
        if full or command.name == chosen:
            command.register()(sub)
        else:
            sub.add_parser(command.name, help=command.summary)
    return parser


def main(argv: Sequence[str] | None = None, *, own_process: bool = False) -> int:
    """Run the command ``argv`` names (default: the process's arguments).

    ``own_process``: the process ends with the command (the ``treadctl`` script,
    ``python -m treadctl``), so the garbage collector's work can be spared: it pauses
    while the command's modules load (many objects, no garbage), and what exists is then
    frozen, so neither the work (a replay makes millions of short-lived objects) nor the
    interpreter's last collection at exit walks it again. Tests call ``main(argv)``,
    which leaves the collector as it is.
    """
    if not own_process:
        return _main(argv)
    gc.disable()
    try:
        return _main(argv, loaded=_collector_on)
    finally:
        gc.freeze()
        gc.enable()  # (a usage error or --help ends before the modules have loaded)


def _collector_on() -> None:
    gc.enable()
    gc.freeze()


def console_main() -> int:
    """The ``treadctl`` console script."""
    return main(own_process=True)


def _main(argv: Sequence[str] | None, loaded: Callable[[], None] | None = None) -> int:
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    if loaded is not None:
        loaded()
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
    except TreadctlError as exc:
        # An error a command did not handle itself: what happened and what to do, never
        # a traceback.
        print(f"treadctl {args.command}: {exc.describe()}", file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:
        # Output piped into `head` or a pager that quit: not an error worth a traceback.
        # (Workouts watch for it themselves: a run stops the belt first.)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        # Ctrl-C where a command does not catch it itself (workouts do, and stop the belt
        # first): the shell's exit code, without a traceback.
        print(f"treadctl {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
