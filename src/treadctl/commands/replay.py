"""``treadctl replay PROFILE|SESSION.jsonl``: a workout against the simulator, fast."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import Any

from treadctl.commands.common import (
    EXIT_OK,
    EXIT_USAGE,
    add_settings_argument,
    add_sim_arguments,
    fail,
    load_cli_settings,
)
from treadctl.headless import HeadlessPrinter, summary_lines
from treadctl.runtime import ClockSpeed, WorkoutOptions, run_workout
from treadctl.sessions import SessionFileError, read_session
from treadctl.sim import Quirk
from treadctl.workout.profile import ProfileError
from treadctl.workout.timeline import PlanLimits

#: A replayed workout waiting this long for a person who never answers ends.
HOLD_LIMIT_S = 600.0


def parse_speed(text: str) -> ClockSpeed:
    if text == "max":
        return "max"
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("--speed takes a number or max") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("--speed must be above 0")
    return value


def register(sub: argparse._SubParsersAction[Any]) -> None:
    parser = sub.add_parser(
        "replay",
        help="replay a profile or a recorded session against the simulator",
        description=(
            "Run a profile, or the profile and your actions from a recorded session, "
            "against the simulated treadmill on a virtual clock, and print the summary."
        ),
    )
    parser.add_argument("source", help="a profile id or file, or a session .jsonl")
    parser.add_argument(
        "--speed",
        type=parse_speed,
        default="max",
        metavar="N|max",
        help="N times real time, or max (no waiting at all; the default)",
    )
    parser.add_argument("--log", type=Path, help="write the new session log here")
    parser.add_argument("--events", action="store_true", help="print the events as they happen")
    parser.add_argument(
        "--confirm-after",
        type=float,
        default=3.0,
        metavar="S",
        help="replaying a profile: a stand-in person confirms turns and holds after S "
        "seconds (default 3)",
    )
    add_sim_arguments(parser)
    add_settings_argument(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    settings = load_cli_settings(args)
    if settings is None:
        return EXIT_USAGE
    source: str | Path = args.source
    actions: list[tuple[float, str, float | None]] = []
    limits: PlanLimits | None = None
    quirks = set(args.quirk or ())
    speed_unit = args.speed_unit
    if str(source).endswith(".jsonl"):
        try:
            session = read_session(Path(source))
        except SessionFileError as exc:
            return fail("replay", str(exc))
        source = session.header.get("source") or session.profile
        actions = session.user_actions()
        if isinstance(session.header.get("limits"), dict):
            limits = PlanLimits(**session.header["limits"])
        treadmill = session.header.get("treadmill", {})
        quirks |= {Quirk(q) for q in treadmill.get("quirks", []) if q in set(Quirk)}
        if args.speed_unit == "kmh":
            speed_unit = treadmill.get("speed_unit", "kmh")
    printer = HeadlessPrinter(units=settings.display_units) if args.events else None
    options = WorkoutOptions(
        profile=source,
        settings=settings,
        speed=args.speed,
        quirks=frozenset(quirks),
        speed_unit=speed_unit,
        log_path=args.log,
        actions=actions,
        limits=limits,
        risks_acknowledged=True,  # a replay has nobody on the belt
        extra_header={"replay_of": str(args.source)},
        # A profile replay has a stand-in person who confirms after a few seconds; a
        # session replay does only what the person did, and gives up on a hold nobody
        # answered.
        auto_confirm_s=None if actions or limits else args.confirm_after,
        hold_limit_s=HOLD_LIMIT_S,
    )
    try:
        result = asyncio.run(run_workout(options, on_event=printer))
    except (ProfileError, OSError) as exc:
        return fail("replay", str(exc))
    for line in summary_lines(result.summary, settings.display_units):
        print(line)
    print(f"session log: {result.log_path}")
    return EXIT_OK
