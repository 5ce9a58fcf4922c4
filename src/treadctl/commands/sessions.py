"""``treadctl sessions list|show``: past workouts from their session logs."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Any

from treadctl.commands import summary
from treadctl.commands.common import add_settings_argument, fail, load_cli_settings
from treadctl.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from treadctl.export.files import body_of
from treadctl.formatting import clock_text as workout_clock_text
from treadctl.history.energy import Interval, estimate
from treadctl.history.log import KINDS, clock_text, interpret, load_session_log
from treadctl.history.store import load_history, select
from treadctl.sessions import SessionFileError, read_session, sessions_dir

#: Which clock ``sessions show`` times events on (the headless lines' and the TUI's).
WORKOUT_CLOCK_LEGEND = "[mm:ss] workout time (pauses and holds not counted)"


def parse_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2025-03-01") from None


def register(sub: argparse._SubParsersAction[Any]) -> None:
    parser = sub.add_parser(
        "sessions",
        help=summary("sessions"),
        description=(
            "The sessions treadctl recorded (one .jsonl file each, in the data folder or "
            "where --log said): list them with their kind (real, rehearsal, replay), show "
            "one, or chart one or the weekly history."
        ),
    )
    actions = parser.add_subparsers(dest="sessions_command", metavar="ACTION", required=True)
    p_list = actions.add_parser(
        "list",
        help="recorded sessions, oldest first: kind, date, time, backward minutes",
        description=(
            "Recorded sessions, oldest first. Kinds: real (a Bluetooth treadmill in real "
            "time), rehearsal (the simulator), replay (the replay command's output)."
        ),
    )
    p_list.add_argument("--dir", type=Path, help="sessions folder (default: the data folder)")
    p_list.add_argument(
        "--kind",
        action="append",
        choices=KINDS,
        help="only sessions of this kind (repeatable; default: all)",
    )
    p_list.add_argument(
        "--since", type=parse_date, metavar="DATE", help="from this day (YYYY-MM-DD)"
    )
    p_list.add_argument("--until", type=parse_date, metavar="DATE", help="up to this day, included")
    p_list.add_argument(
        "--min-backward",
        type=float,
        default=0.0,
        metavar="MIN",
        help="only sessions with at least MIN minutes backward",
    )
    p_list.set_defaults(handler=handle_list)
    p_show = actions.add_parser(
        "show",
        help="one session's summary and safety events",
        description=(
            "One session's summary and its safety events. Event times are workout time "
            "(mm:ss), as the TUI and the headless lines show them: pauses and holds do not "
            "count."
        ),
    )
    p_show.add_argument("session", help="a session file, or its name in the sessions folder")
    p_show.add_argument("--dir", type=Path, help="sessions folder (default: the data folder)")
    p_show.add_argument("--json", action="store_true", help="print the summary as JSON")
    add_settings_argument(p_show)
    p_show.set_defaults(handler=handle_show)
    p_plot = actions.add_parser(
        "plot",
        help="a chart file (.svg or .png): one session, or --weekly for the history",
        description=(
            "Draw one session (speed km/h, incline %, heart rate bpm over minutes, the "
            "backward stretches shaded), or with --weekly the history (backward minutes a "
            "week, the longest bout in s, backward speed in km/h). Needs the charts extra: "
            "pip install 'treadctl[charts]'."
        ),
    )
    p_plot.add_argument(
        "session", nargs="?", help="a session file, or its name (not with --weekly)"
    )
    p_plot.add_argument(
        "-o", "--output", type=Path, required=True, metavar="FILE", help=".svg or .png"
    )
    p_plot.add_argument("--weekly", action="store_true", help="the weekly summary chart")
    p_plot.add_argument("--dir", type=Path, help="sessions folder (default: the data folder)")
    p_plot.add_argument(
        "--kind",
        action="append",
        choices=KINDS,
        help="with --weekly: these kinds (default: real and rehearsal)",
    )
    p_plot.set_defaults(handler=handle_plot)


def resolve_session(name: str, directory: Path | None) -> Path:
    """A path as given if it exists, else ``name`` (with or without ``.jsonl``) in the
    sessions folder."""
    path = Path(name)
    if path.exists():
        return path
    folder = directory or sessions_dir()
    for candidate in (folder / name, folder / f"{name}.jsonl"):
        if candidate.exists():
            return candidate
    return path


def handle_list(args: argparse.Namespace) -> int:
    history = load_history(args.dir)
    logs = select(
        history.logs,
        kinds=args.kind,
        since=args.since,
        until=args.until,
        min_backward_s=args.min_backward * 60,
    )
    for path, problem in history.unreadable:
        print(f"{path.stem:<40} (unreadable: {problem})")
    if not logs:
        if not history.unreadable:
            where = args.dir or sessions_dir()
            print(f"no sessions in {where}" if not history.logs else "no sessions match")
        return EXIT_OK
    # Columns as wide as their longest entry: a name is never cut.
    name_w = max(len("session"), *(len(log.name) for log in logs))
    profile_w = max(len("profile"), *(len(log.profile) for log in logs))
    print(
        f"{'session':<{name_w}} {'kind':<9} {'date':<16} {'profile':<{profile_w}} {'time':>8} "
        f"{'back min':>8} {'longest':>7} {'distance':>9}  end"
    )
    for log in logs:
        summary = log.summary
        end = "unfinished" if summary is None else "done" if summary.completed else summary.reason
        if log.damaged_lines:
            end += f" ({log.damaged_lines} damaged)"
        print(
            f"{log.name:<{name_w}} {log.kind:<9} {log.started_at.astimezone():%Y-%m-%d %H:%M} "
            f"{log.profile:<{profile_w}} {clock_text(log.duration_s):>8} "
            f"{log.backward_s / 60:>8.1f} {log.longest_backward_s:>6.0f}s "
            f"{log.distance_m:>7.0f} m  {end}"
        )
    total = sum(log.backward_s for log in logs) / 60
    print(f"{len(logs)} session(s), {total:.1f} backward minutes")
    return EXIT_OK


def handle_show(args: argparse.Namespace) -> int:
    try:
        session = read_session(resolve_session(args.session, args.dir))
    except SessionFileError as exc:
        return fail("sessions show", str(exc))
    summary = session.summary
    if args.json:
        print(json.dumps({"header": session.header, "summary": summary}, indent=2))
        return EXIT_OK
    settings = load_cli_settings(args)
    if settings is None:
        return EXIT_USAGE
    log = interpret(session)
    energy = estimate(
        (
            Interval(d, p.speed_kmh, p.incline_pct, p.facing, p.heart_rate_bpm)
            for p, d in log.intervals()
        ),
        body_of(settings),
    )
    print(f"session   {session.path}")
    print(f"kind      {log.kind}, started {log.started_at.astimezone():%Y-%m-%d %H:%M}")
    print(f"profile   {session.header.get('title') or session.profile}")
    if summary is None:
        print("summary   none: the session did not finish (crash or kill)")
    else:
        print(f"result    {'completed' if summary['completed'] else summary['reason']}")
        print(f"duration  {clock_text(summary['duration_s'])}")
        print(f"distance  {summary['distance_m']:.0f} m")
        print(
            f"backward  {clock_text(summary['backward_s'])}, {summary['backward_distance_m']:.0f} m"
        )
        machine = summary["energy_kcal"]
        print(f"energy    about {energy.kcal:.0f} kcal ({energy.basis})")
        print(
            f"          forward walking would be {energy.forward_equivalent_kcal:.0f} kcal; "
            f"the treadmill said {'--' if machine is None else f'{machine:.0f} kcal'}"
        )
    if log.has_backward:
        print(
            f"bouts     {len(log.backward_bouts)} backward, longest "
            f"{log.longest_backward_s:.0f} s, at {log.backward_speed_kmh or 0:.1f} km/h"
        )
    alerts = [
        (workout_s, event)
        for workout_s, event in zip(session.workout_times(), session.events, strict=True)
        if event.get("type") == "safety"
    ]
    print(f"safety    {len(alerts)} event(s)" + (f", at {WORKOUT_CLOCK_LEGEND}" if alerts else ""))
    for workout_s, alert in alerts:
        print(f"  [{workout_clock_text(workout_s)}] {alert['hazard']} {alert['message']}")
    if log.damaged_lines:
        where = ", ".join(str(n) for n in session.damaged_at[:5])
        print(
            f"note      {log.damaged_lines} damaged line(s) skipped"
            + (f" (lines {where})" if where else "")
        )
    return EXIT_OK


def handle_plot(args: argparse.Namespace) -> int:
    from treadctl.history.charts import ChartError, plot_session, plot_weekly  # noqa: PLC0415

    try:
        if args.weekly:
            if args.session:
                return fail("sessions plot", "--weekly draws every session: leave SESSION out")
            kinds = args.kind or ["real", "rehearsal"]
            logs = select(load_history(args.dir).logs, kinds=kinds)
            path = plot_weekly(logs, args.output)
        else:
            if not args.session:
                return fail("sessions plot", "give a SESSION, or --weekly")
            log = load_session_log(resolve_session(args.session, args.dir))
            path = plot_session(log, args.output)
    except (SessionFileError, ChartError) as exc:
        return fail("sessions plot", str(exc))
    except OSError as exc:
        return fail("sessions plot", f"{args.output}: {exc.strerror or exc}", EXIT_FAILED)
    print(f"wrote {path}")
    return EXIT_OK
