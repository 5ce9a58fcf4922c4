"""``treadctl replay --ble-log FILE``: a recorded Bluetooth session, decoded line by line.

Plain text (headless): one line per recorded read, write and notification, with what it
means, then what the client made of the whole log. A front end that wants the live
picture instead follows ``BlePlayer.client.states()``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from treadctl.client import SpeedUnit
from treadctl.clock import Clock, MonotonicClock, VirtualClock
from treadctl.exit_codes import EXIT_OK, EXIT_USAGE
from treadctl.formatting import speed_text

if TYPE_CHECKING:  # the log reader loads with the --ble-log branch only (replay's start-up)
    from treadctl.bluetooth.blelog import PlaybackResult, PlayStep


def add_ble_log_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--ble-log",
        type=Path,
        metavar="FILE",
        help="play back a Bluetooth log recorded with `treadctl run --ble-log FILE`: every "
        "read, write and notification, decoded (--time-factor applies; default: at once)",
    )


def step_line(step: PlayStep) -> str:
    record = step.record
    minutes, seconds = divmod(record.t, 60)
    where = f"[{int(minutes):02d}:{seconds:06.3f}]"
    what = f"{record.dir} {record.char}".rstrip()
    return f"{where} {what:<28} {step.text}"


def summary_lines(result: PlaybackResult, units: str = "kmh") -> list[str]:
    final = result.steps[-1].state if result.steps else None
    lines = []
    if result.device_info:
        lines.append("device: " + ", ".join(f"{k} {v}" for k, v in result.device_info.items()))
    if final is not None:
        distance = f"{final.distance_m} m" if final.distance_m is not None else "--"
        lines.append(
            f"treadmill data: {final.records} records; last speed "
            f"{speed_text(final.speed_kmh, units)}, distance {distance}"
        )
    if result.deviations:
        counted = ", ".join(f"{k} x{v}" for k, v in sorted(result.deviations.items()))
        lines.append(f"spec deviations tolerated: {counted}")
    if result.malformed:
        counted = ", ".join(f"{k} x{v}" for k, v in sorted(result.malformed.items()))
        lines.append(f"unreadable values skipped: {counted}")
    return lines


async def play_file(
    path: Path,
    clock: Clock,
    *,
    speed_unit: str | None = None,
    on_step: Callable[[PlayStep], None] | None = None,
) -> PlaybackResult:
    from treadctl.bluetooth.blelog import BlePlayer, read_ble_log  # noqa: PLC0415

    log = read_ble_log(path)
    unit: SpeedUnit | None = "mph" if speed_unit == "mph" else None
    player = BlePlayer(log, clock, speed_unit=unit)
    if isinstance(clock, VirtualClock):
        async with clock.running():
            return await player.play(on_step)
    return await player.play(on_step)


def play_ble_log_command(args: argparse.Namespace, out: TextIO | None = None) -> int:
    """The ``--ble-log`` branch of ``treadctl replay`` (``args.time_factor``: N or "max")."""
    from treadctl.bluetooth.blelog import BleLogError  # noqa: PLC0415

    out = out or sys.stdout
    speed = getattr(args, "time_factor", "max")
    clock: Clock = VirtualClock() if speed == "max" else MonotonicClock(factor=float(speed))

    def show(step: PlayStep) -> None:
        out.write(step_line(step) + "\n")
        out.flush()

    try:
        result = asyncio.run(
            play_file(
                args.ble_log, clock, speed_unit=getattr(args, "speed_unit", None), on_step=show
            )
        )
    except BleLogError as exc:
        print(f"treadctl replay: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for line in summary_lines(result):
        out.write(line + "\n")
    return EXIT_OK
