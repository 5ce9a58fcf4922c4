"""``treadctl sessions list|show``: past workouts from their session logs."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from treadctl.commands.common import EXIT_OK, fail
from treadctl.headless import clock_text
from treadctl.sessions import SessionFileError, list_sessions, read_session, sessions_dir


def register(sub: argparse._SubParsersAction[Any]) -> None:
    parser = sub.add_parser("sessions", help="list and show recorded sessions")
    actions = parser.add_subparsers(dest="sessions_command", metavar="ACTION", required=True)
    p_list = actions.add_parser("list", help="recorded sessions, oldest first")
    p_list.add_argument("--dir", type=Path, help="sessions folder (default: the data folder)")
    p_list.set_defaults(handler=handle_list)
    p_show = actions.add_parser("show", help="one session's summary and safety events")
    p_show.add_argument("session", help="a session file, or its name in the sessions folder")
    p_show.add_argument("--dir", type=Path, help="sessions folder (default: the data folder)")
    p_show.add_argument("--json", action="store_true", help="print the summary as JSON")
    p_show.set_defaults(handler=handle_show)


def _resolve(name: str, directory: Path | None) -> Path:
    path = Path(name)
    if path.exists():
        return path
    folder = directory or sessions_dir()
    for candidate in (folder / name, folder / f"{name}.jsonl"):
        if candidate.exists():
            return candidate
    return path


def handle_list(args: argparse.Namespace) -> int:
    paths = list_sessions(args.dir)
    if not paths:
        print(f"no sessions in {args.dir or sessions_dir()}")
        return EXIT_OK
    print(f"{'session':<44} {'profile':<22} {'time':>8} {'backward':>9} {'distance':>9}  end")
    for path in paths:
        try:
            session = read_session(path)
        except SessionFileError:
            print(f"{path.stem:<44} (unreadable)")
            continue
        s = session.summary
        if s is None:
            print(f"{path.stem:<44} {session.profile:<22} {'':>8} {'':>9} {'':>9}  unfinished")
            continue
        end = "done" if s["completed"] else s["reason"]
        print(
            f"{path.stem:<44} {session.profile:<22} {clock_text(s['duration_s']):>8} "
            f"{clock_text(s['backward_s']):>9} {s['distance_m']:>7.0f} m  {end}"
        )
    return EXIT_OK


def handle_show(args: argparse.Namespace) -> int:
    try:
        session = read_session(_resolve(args.session, args.dir))
    except SessionFileError as exc:
        return fail("sessions show", str(exc))
    summary = session.summary
    if args.json:
        print(json.dumps({"header": session.header, "summary": summary}, indent=2))
        return EXIT_OK
    print(f"session   {session.path}")
    print(f"profile   {session.header.get('title') or session.profile}")
    if summary is None:
        print("summary   none: the session did not finish (crash or kill)")
    else:
        energy = summary["energy_kcal"]
        print(f"result    {'completed' if summary['completed'] else summary['reason']}")
        print(f"duration  {clock_text(summary['duration_s'])}")
        print(f"distance  {summary['distance_m']:.0f} m")
        print(
            f"backward  {clock_text(summary['backward_s'])}, {summary['backward_distance_m']:.0f} m"
        )
        print(f"energy    {'--' if energy is None else f'{energy:.0f} kcal'}")
    alerts = session.of_type("safety")
    print(f"safety    {len(alerts)} event(s)")
    for alert in alerts:
        print(f"  [{clock_text(alert['t'])}] {alert['hazard']} {alert['message']}")
    if session.damaged_lines:
        print(f"note      {session.damaged_lines} damaged line(s) skipped")
    return EXIT_OK
