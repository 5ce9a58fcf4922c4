"""Bits the subcommands share: exit codes, settings and simulator options."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from treadctl.config import ConfigError, Settings, load_settings
from treadctl.exit_codes import EXIT_USAGE
from treadctl.sim import Quirk


def fail(command: str, message: str, code: int = EXIT_USAGE) -> int:
    print(f"treadctl {command}: {message}", file=sys.stderr)
    return code


def add_settings_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", type=Path, help="settings file (default: the platform's config folder)"
    )


def load_cli_settings(args: argparse.Namespace) -> Settings | None:
    try:
        return load_settings(args.config)
    except ConfigError as exc:
        print(f"treadctl: {exc}", file=sys.stderr)
        return None


def add_quirk_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--quirk",
        action="append",
        type=Quirk,
        choices=list(Quirk),
        metavar="NAME",
        help="make the simulator behave like a real machine that deviates from the spec "
        f"(repeatable): {', '.join(q.value for q in Quirk)}",
    )


def add_sim_arguments(parser: argparse.ArgumentParser) -> None:
    add_quirk_argument(parser)
    parser.add_argument(
        "--speed-unit",
        choices=("kmh", "mph"),
        default="kmh",
        help="the unit the treadmill puts in its speed fields (mph for some Bowflex/FitShow)",
    )
