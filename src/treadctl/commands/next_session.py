"""``treadctl next``: the coach's next workout, with its reasons; ``--write`` saves it."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from treadctl.commands import summary
from treadctl.commands.common import add_settings_argument, fail, load_cli_settings
from treadctl.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE


def register(sub: argparse._SubParsersAction[Any]) -> None:
    parser = sub.add_parser(
        "next",
        help=summary("next"),
        description=(
            "Recommend the next backward workout from your real sessions and rehearsals "
            "(replays do not count): backward bouts of 20, 30, 45, then 60 s at 0.8 km/h, "
            "then 0.2 km/h faster a level, within your backward ceiling. Two clean "
            "sessions move you up; a safety event or an early stop moves you back one "
            "level. --write saves the workout as a profile file."
        ),
    )
    parser.add_argument(
        "-w",
        "--write",
        type=Path,
        metavar="FILE",
        help="write the workout as a profile (.toml) to run with `treadctl run FILE`",
    )
    parser.add_argument("--dir", type=Path, help="sessions folder (default: the data folder)")
    parser.add_argument("--json", action="store_true", help="print the recommendation as JSON")
    add_settings_argument(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from treadctl.history.coach import profile_toml, recommend  # noqa: PLC0415
    from treadctl.history.store import load_history  # noqa: PLC0415

    settings = load_cli_settings(args)
    if settings is None:
        return EXIT_USAGE
    history = load_history(args.dir)
    rec = recommend(history.logs, max_backward_speed_kmh=settings.max_backward_speed_kmh)
    path: Path | None = args.write
    if path is not None:
        if path.suffix.lower() != ".toml":
            return fail("next", f"{path}: a profile file ends in .toml")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(
                profile_toml(rec, max_forward_speed_kmh=settings.max_forward_speed_kmh),
                encoding="utf-8",
            )
        except OSError as exc:
            return fail("next", f"{path}: cannot write: {exc.strerror or exc}", EXIT_FAILED)
    if args.json:
        print(
            json.dumps(
                {
                    "level": rec.level.number,
                    "bout_s": rec.level.bout_s,
                    "bouts": rec.level.bouts,
                    "speed_kmh": rec.level.speed_kmh,
                    "clean_at_level": rec.clean_at_level,
                    "at_ceiling": rec.at_ceiling,
                    "builtin": rec.builtin,
                    "reasons": rec.reasons,
                    "profile_file": None if path is None else str(path),
                },
                indent=2,
            )
        )
        return EXIT_OK
    print(f"next: {rec.headline}")
    print("why:")
    for line in rec.reasons:
        print(f"  - {line}")
    for unreadable, problem in history.unreadable:
        print(f"note: skipped {unreadable.name}: {problem}")
    if path is not None:
        print(f"wrote {path}; run it with: treadctl run {path} --sim (or --device NAME)")
    elif rec.builtin:
        print(f"run it with: treadctl run {rec.builtin} --sim (or --device NAME)")
    else:
        print("save it with: treadctl next --write next.toml")
    return EXIT_OK
