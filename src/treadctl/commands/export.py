"""``treadctl export SESSION [--fit|--tcx|--both] [-o FILE]``: a session as FIT or TCX."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from treadctl.commands import summary
from treadctl.commands.common import add_settings_argument, fail, load_cli_settings
from treadctl.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE


def register(sub: argparse._SubParsersAction[Any]) -> None:
    parser = sub.add_parser(
        "export",
        help=summary("export"),
        description=(
            "Write a recorded session as a FIT activity file (the default) or TCX: one "
            "record a second (time, speed in m/s, distance in m, heart rate, cadence), a "
            "lap per segment and per turnaround, and the totals. Backward time and "
            "distance and the energy estimate's basis go in the notes."
        ),
    )
    parser.add_argument("session", help="a session .jsonl file, or its name in the sessions folder")
    kind = parser.add_mutually_exclusive_group()
    kind.add_argument(
        "--fit",
        dest="format",
        action="store_const",
        const="fit",
        help="a FIT activity file (the default)",
    )
    kind.add_argument(
        "--tcx",
        dest="format",
        action="store_const",
        const="tcx",
        help="a TCX file (Training Center v2)",
    )
    kind.add_argument(
        "--both",
        dest="format",
        action="store_const",
        const="both",
        help="both: give -o a folder, or none",
    )
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        metavar="FILE",
        help="where to write (.fit or .tcx picks the format; default: the export folder, "
        "named after the session)",
    )
    parser.add_argument("--dir", type=Path, help="sessions folder (default: the data folder)")
    add_settings_argument(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    from treadctl.commands.sessions import resolve_session  # noqa: PLC0415
    from treadctl.export.files import export_folder, export_log, formats_of  # noqa: PLC0415
    from treadctl.history.log import load_session_log  # noqa: PLC0415
    from treadctl.sessions import SessionFileError  # noqa: PLC0415

    settings = load_cli_settings(args)
    if settings is None:
        return EXIT_USAGE
    output: Path | None = args.output
    chosen = args.format
    if chosen is None:
        suffix = output.suffix.lower().lstrip(".") if output is not None else ""
        chosen = suffix if suffix in ("fit", "tcx") else "fit"
    formats = formats_of(chosen)
    if output is not None and output.suffix and len(formats) > 1:
        return fail("export", "--both writes two files: give -o without a suffix, or a folder")
    try:
        log = load_session_log(resolve_session(args.session, args.dir))
    except SessionFileError as exc:
        return fail("export", str(exc))
    written = []
    for fmt in formats:
        if output is None:
            path = export_folder(settings) / f"{log.path.stem}.{fmt}"
        elif output.is_dir():
            path = output / f"{log.path.stem}.{fmt}"
        else:
            path = output if output.suffix else output.with_suffix(f".{fmt}")
        try:
            written.append(export_log(log, fmt, path, settings))
        except OSError as exc:
            return fail("export", f"{path}: cannot write: {exc.strerror or exc}", EXIT_FAILED)
    if log.kind != "real":
        print(f"note: {log.name} is a {log.kind}, not a session on a real treadmill")
    if log.damaged_lines:
        print(f"note: {log.damaged_lines} damaged line(s) in the log were skipped")
    if not log.finished:
        print("note: the session did not finish (crash or kill): exported up to its last line")
    for path in written:
        print(f"wrote {path}")
    return EXIT_OK
