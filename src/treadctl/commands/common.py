"""Bits the subcommands share: exit codes, settings, simulator and time-factor options,
and the command line that replays a session."""

from __future__ import annotations

import argparse
import math
import os
import shlex
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

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


def parse_quirk(text: str) -> Quirk:
    try:
        return Quirk(text)
    except ValueError:
        names = ", ".join(q.value for q in Quirk)
        raise argparse.ArgumentTypeError(f"no quirk {text!r}; the quirks are: {names}") from None


def add_quirk_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--quirk",
        action="append",
        type=parse_quirk,
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


# -- the time factor (--time-factor, once --speed) ---------------------------------------

#: What ``--speed`` says once, on stderr: it read as the belt's speed.
SPEED_DEPRECATED = (
    "treadctl: --speed is now --time-factor (how many times faster than real time); "
    "--speed still works for now"
)


def time_factor(text: str, *, allow_max: bool = False) -> float | str:
    """A time factor: a number above 0 (or ``max`` where ``allow_max``)."""
    if allow_max and text == "max":
        return "max"
    try:
        value = float(text)
    except ValueError:
        wanted = "a number above 0, or max" if allow_max else "a number above 0"
        raise argparse.ArgumentTypeError(f"{text!r}: give {wanted}") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"{text}: give a number above 0")
    return value


class _DeprecatedSpeed(argparse.Action):
    """``--speed``: the old name of ``--time-factor``; says so once on stderr."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        setattr(namespace, self.dest, values)
        if not getattr(namespace, "_speed_deprecation_told", False):
            namespace._speed_deprecation_told = True
            print(SPEED_DEPRECATED, file=sys.stderr)


def add_time_factor_argument(
    parser: argparse.ArgumentParser, *, default: float | str, allow_max: bool, help: str
) -> None:
    """``--time-factor N`` (into ``args.time_factor``), and ``--speed`` as its old name."""

    def parse(text: str) -> float | str:
        return time_factor(text, allow_max=allow_max)

    parse.__name__ = "time factor"  # what argparse calls the type in its errors
    metavar = "N|max" if allow_max else "N"
    parser.add_argument("--time-factor", type=parse, default=default, metavar=metavar, help=help)
    parser.add_argument(
        "--speed",
        type=parse,
        dest="time_factor",
        default=argparse.SUPPRESS,
        action=_DeprecatedSpeed,
        metavar=metavar,
        help=argparse.SUPPRESS,
    )


# -- telling people how to replay a session ------------------------------------------------


def treadctl_command(argv0: str | None = None) -> str:
    """How the person ran treadctl, as a shell would take it again.

    ``.venv/bin/treadctl`` stays as typed; a treadctl found on PATH is just ``treadctl``;
    ``python -m treadctl`` (or anything else, such as a test runner) is this Python's
    ``-m treadctl``.
    """
    argv0 = sys.argv[0] if argv0 is None else argv0
    name = os.path.basename(argv0)
    if not name.startswith("treadctl") or name.endswith(".py"):
        return f"{shlex.quote(sys.executable)} -m treadctl"
    on_path = shutil.which(name)
    try:
        if on_path is not None and os.path.samefile(on_path, argv0):
            return name
    except OSError:
        pass
    return shlex.quote(argv0)


def replay_command(log_path: Path | str) -> str:
    """The command line that replays the session at ``log_path``."""
    return f"{treadctl_command()} replay {shlex.quote(str(log_path))}"
