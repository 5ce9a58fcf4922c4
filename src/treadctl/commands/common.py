"""Bits the subcommands share: exit codes, settings and simulator options."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from treadctl.config import ConfigError, Settings, load_settings
from treadctl.exit_codes import EXIT_USAGE
from treadctl.sim import Quirk
from treadctl.workout.zwo import DURATION_KINDS, ZwoReference, zwo_reference


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


def _reference_speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a speed in km/h") from None
    if not (math.isfinite(value) and 0 < value <= 30):
        raise argparse.ArgumentTypeError(f"{text} km/h: give a speed above 0, at most 30")
    return value


def add_zwo_arguments(parser: argparse.ArgumentParser) -> None:
    """``--reference-speed`` and ``--zwo-durations``, for commands that read ``.zwo`` files."""
    parser.add_argument(
        "--reference-speed",
        type=_reference_speed,
        metavar="KMH",
        dest="reference_speed_kmh",
        help="for .zwo files: the speed (km/h) their targets are fractions of, for every "
        "step whatever its pace zone (default: the zwo_* speeds in the settings)",
    )
    parser.add_argument(
        "--zwo-durations",
        choices=DURATION_KINDS,
        help="for .zwo files: read Duration as seconds (time) or metres (distance), "
        "whatever the file says (for files that mean metres without saying so)",
    )


def zwo_reference_from_args(args: argparse.Namespace, settings: Settings) -> ZwoReference:
    """What ``.zwo`` targets are fractions of: ``--reference-speed``, else the settings."""
    return zwo_reference(
        settings,
        speed_kmh=getattr(args, "reference_speed_kmh", None),
        durations=getattr(args, "zwo_durations", None),
    )
