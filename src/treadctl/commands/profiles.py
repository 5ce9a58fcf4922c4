"""``treadctl profiles list|show|check``: the built-in profiles, and checking your own."""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Sequence
from typing import Any

from treadctl.commands import summary
from treadctl.commands.common import (
    add_settings_argument,
    add_zwo_arguments,
    load_cli_settings,
    zwo_reference_from_args,
)
from treadctl.config import DisplayUnits, Settings
from treadctl.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from treadctl.units import KMH_PER_MPH
from treadctl.workout.builtin import list_builtin, load_profile
from treadctl.workout.durations import format_duration
from treadctl.workout.plan import planned_timeline
from treadctl.workout.profile import (
    CeilingError,
    Profile,
    ProfileError,
    check_against,
    format_number,
    summarize,
)
from treadctl.workout.timeline import RampStep, StepKind, Timeline, TurnStep

_WRAP = 88


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser("profiles", help=summary("profiles"), description=__doc__)
    parser.set_defaults(handler=lambda _args: _usage(parser))
    actions = parser.add_subparsers(dest="profiles_command", metavar="ACTION")

    listing = actions.add_parser("list", help="the built-in profiles")
    add_settings_argument(listing)
    listing.set_defaults(handler=run_list)

    for name, handler, help_text in (
        ("show", run_show, "a profile's segments, one per row"),
        ("check", run_check, "validate a profile file"),
    ):
        action = actions.add_parser(name, help=help_text)
        action.add_argument("profile", metavar="NAME|FILE", help="built-in id, .toml or .zwo file")
        add_zwo_arguments(action)
        add_settings_argument(action)
        action.set_defaults(handler=handler)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return EXIT_USAGE


def render_table(
    headers: Sequence[str], rows: Sequence[Sequence[str]], align: str | None = None
) -> str:
    """A plain-text table; ``align`` has ``<`` or ``>`` per column (default: all left)."""
    columns = len(headers)
    aligns = align or "<" * columns
    widths = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], len(cell))

    def line(cells: Sequence[str]) -> str:
        return "  ".join(f"{c:{a}{w}}" for c, a, w in zip(cells, aligns, widths, strict=True))

    out = [line(headers), line(["-" * w for w in widths])]
    out += [line(row) for row in rows]
    return "\n".join(text.rstrip() for text in out)


def format_speed(speed_kmh: float | None, units: DisplayUnits) -> str:
    if speed_kmh is None:
        return "-"
    return format_number(speed_kmh / KMH_PER_MPH if units == "mph" else speed_kmh)


def _units_label(units: DisplayUnits) -> str:
    return "mph" if units == "mph" else "km/h"


def _ceiling_note(profile: Profile, settings: Settings) -> str | None:
    """``None`` if the profile runs under the settings, else the keys it needs raised."""
    try:
        check_against(profile, settings)
    except CeilingError as exc:
        return ", ".join(f"{key} {format_number(v)}" for key, v in exc.needed.items())
    return None


def run_list(args: argparse.Namespace) -> int:
    settings = load_cli_settings(args)
    if settings is None:
        return EXIT_USAGE
    units = settings.display_units
    rows: list[list[str]] = []
    status = EXIT_OK
    for profile_id, path in list_builtin():
        try:
            profile = load_profile(path)
        except ProfileError as exc:
            print(exc, file=sys.stderr)
            rows.append([profile_id, "(invalid, see above)", "-", "-", "-", "-"])
            status = EXIT_FAILED
            continue
        summary = summarize(profile)
        timeline = planned_timeline(profile, settings)
        needs = _ceiling_note(profile, settings)
        rows.append(
            [
                profile_id,
                profile.display_title,
                planned_duration(timeline),
                format_duration(timeline.backward_s),
                format_speed(summary.max_backward_speed_kmh, units),
                f"yes: {needs}" if needs else "no",
            ]
        )
    headers = [
        "id",
        "title",
        "total",
        "backward",
        f"max back {_units_label(units)}",
        "needs raised ceilings",
    ]
    print(render_table(headers, rows, "<<>>><"))
    print(
        "\nTimes are the whole workout: segments, speed ramps and turnarounds "
        "(backward: at backward speed)."
    )
    return status


def planned_duration(timeline: Timeline) -> str:
    """The workout's whole time as ``profiles`` shows it, to the second: ``13m16s``."""
    return format_duration(round(timeline.total_s))


def _load(args: argparse.Namespace) -> tuple[Profile, Settings] | int:
    settings = load_cli_settings(args)
    if settings is None:
        return EXIT_USAGE
    try:
        profile = load_profile(args.profile, zwo=zwo_reference_from_args(args, settings))
    except ProfileError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    return profile, settings


def step_rows(timeline: Timeline, units: DisplayUnits) -> list[list[str]]:
    """One row per compiled step: start, duration, step, facing, speed, incline, what."""
    rows = []
    for step in timeline.steps:
        if isinstance(step, RampStep):
            speed = (
                f"{format_speed(step.from_speed_kmh, units)}->{format_speed(step.speed_kmh, units)}"
            )
        else:
            speed = format_speed(step.speed_kmh, units)
        facing = f"{step.facing}->{step.to_facing}" if isinstance(step, TurnStep) else step.facing
        rows.append(
            [
                format_duration(round(step.start_s)) if step.start_s >= 1 else "0s",
                format_duration(round(step.duration_s, 1)) if step.duration_s >= 0.5 else "-",
                str(step.kind),
                facing,
                speed,
                format_number(step.incline_pct),
                step.label if step.kind is StepKind.SEGMENT else step.describe(),
            ]
        )
    return rows


def step_headers(units: DisplayUnits) -> list[str]:
    return ["at", "for", "step", "facing", f"speed {_units_label(units)}", "incline %", "what"]


def _paragraph(title: str, text: str) -> list[str]:
    if not text:
        return []
    return [f"{title}:", *textwrap.wrap(text, _WRAP, initial_indent="  ", subsequent_indent="  ")]


def run_show(args: argparse.Namespace) -> int:
    loaded = _load(args)
    if isinstance(loaded, int):
        return loaded
    profile, settings = loaded
    units = settings.display_units
    summary = summarize(profile)
    lines = [f"{profile.name}: {profile.display_title}"]
    lines += _paragraph("What", profile.description)
    lines += _paragraph("Who it is for", profile.who_for)
    if profile.sources:
        lines.append("Where the numbers come from:")
        for source in profile.sources:
            lines += textwrap.wrap(source, _WRAP, initial_indent="  - ", subsequent_indent="    ")
    timeline = planned_timeline(profile, settings)
    lines.append("")
    lines.append(render_table(step_headers(units), step_rows(timeline, units), "><<<>><"))
    lines.append("")
    turns = sum(1 for step in timeline.steps if step.kind is StepKind.TURN)
    lines.append(
        f"total {planned_duration(timeline)} with ramps and {turns} turnarounds "
        f"(segments alone {format_duration(summary.total_s)}); "
        f"backward {format_duration(timeline.backward_s)}"
    )
    for note in timeline.adjustments:
        lines.append(f"adjusted: {note}")
    print("\n".join(lines))
    try:
        check_against(profile, settings)
    except CeilingError as exc:
        print(f"\nnote: not runnable with your current settings:\n{exc}")
    return EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    loaded = _load(args)
    if isinstance(loaded, int):
        return loaded
    profile, settings = loaded
    summary = summarize(profile)
    timeline = planned_timeline(profile, settings)
    units = settings.display_units
    backward = (
        "no backward segments"
        if summary.max_backward_speed_kmh is None
        else f"{format_duration(summary.backward_s)} backward, max backward speed "
        f"{format_speed(summary.max_backward_speed_kmh, units)} {_units_label(units)}"
    )
    print(
        f"ok: {profile.source or profile.name}: {profile.display_title!r}, "
        f"{summary.segment_count} segment{'' if summary.segment_count == 1 else 's'}, "
        f"{planned_duration(timeline)} in all ({format_duration(summary.total_s)} of segments), "
        f"{backward}"
    )
    try:
        check_against(profile, settings)
    except CeilingError as exc:
        print(f"note: the file is valid, but your current settings refuse it:\n{exc}")
    return EXIT_OK
