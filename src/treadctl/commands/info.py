"""``treadctl info --device ADDRESS|NAME``: connect once and show what the treadmill is.

Device Information (manufacturer, model, firmware), the speed and incline ranges it
publishes, whether it takes commands or is read-only, and, with ``--watch S``, its live
data for S seconds (this works on read-only machines too: stats without control).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
from pathlib import Path
from typing import Any

from treadctl.bluetooth.device import bluetooth_treadmill, describe_treadmill
from treadctl.bluetooth.errors import describe_error
from treadctl.bluetooth.timing import FIND_TIMEOUT_S
from treadctl.client import TreadmillClient, TreadmillState
from treadctl.client.errors import TreadmillError
from treadctl.clock import MonotonicClock
from treadctl.commands import summary
from treadctl.commands.common import add_settings_argument, fail, load_cli_settings
from treadctl.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from treadctl.formatting import speed_text
from treadctl.link.base import LinkError

#: No treadmill named. ``info`` has no simulator of its own: the fake BlueZ serves one.
NO_DEVICE = (
    "no treadmill chosen: give --device ADDRESS|NAME (find it with `treadctl scan`) or set "
    '`device = "..."` in the config file. No treadmill at hand? `treadctl sim --bluez` '
    "serves the simulated one over a fake BlueZ: export the DBUS_SYSTEM_BUS_ADDRESS it "
    "prints, then `treadctl info --device treadctl-sim`"
)


def register(sub: argparse._SubParsersAction[Any]) -> None:
    parser = sub.add_parser(
        "info",
        help=summary("info"),
        description=(
            "Connect to a Bluetooth treadmill, print its device information, ranges and "
            "whether treadctl can control it, then disconnect. Nothing moves the belt."
        ),
    )
    parser.add_argument(
        "--device", metavar="ADDRESS|NAME", help="the treadmill (default: `device` in the config)"
    )
    parser.add_argument(
        "--find-timeout", type=float, default=FIND_TIMEOUT_S, metavar="S", help="look for S s"
    )
    parser.add_argument(
        "--watch", type=float, default=0.0, metavar="S", help="also print its live data for S s"
    )
    parser.add_argument(
        "--ble-log",
        type=Path,
        metavar="FILE",
        help="record every raw read and notification to FILE (with --watch: a capture to "
        "send with a bug report)",
    )
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    add_settings_argument(parser)
    parser.set_defaults(handler=handle)


def _data_line(state: TreadmillState) -> str:
    distance = "--" if state.distance_m is None else f"{state.distance_m} m"
    incline = "--" if state.incline_pct is None else f"{state.incline_pct:g} %"
    return f"speed {speed_text(state.speed_kmh)}, incline {incline}, distance {distance}"


def _as_dict(client: TreadmillClient) -> dict[str, Any]:
    speed, incline = client.speed_range, client.incline_range
    return {
        "name": client.link.name,
        "address": str(getattr(client.link, "address", "")),
        "device_info": client.device_info,
        "control": client.can_control,
        "speed_unit": client.speed_unit,
        "speed_range_kmh": [speed.minimum, speed.maximum, speed.increment],
        "incline_range_pct": [incline.minimum, incline.maximum, incline.increment],
        "state": {k: v for k, v in vars_of(client.state).items() if k != "belt"},
    }


def vars_of(state: TreadmillState) -> dict[str, Any]:
    return {f.name: getattr(state, f.name) for f in dataclasses.fields(state)}


async def _info(args: argparse.Namespace, target: str, devices: dict[str, Any]) -> dict[str, Any]:
    clock = MonotonicClock()
    async with bluetooth_treadmill(
        clock,
        target=target,
        devices=devices,
        find_timeout_s=args.find_timeout,
        ble_log=args.ble_log,
    ) as treadmill:
        client = treadmill.client
        await client.connect()
        if not args.json:
            for line in describe_treadmill(client):
                print(line)
        if args.watch > 0:
            await _watch(client, args.watch, quiet=args.json)
        return _as_dict(client)


async def _watch(client: TreadmillClient, seconds: float, *, quiet: bool) -> None:
    """Print each new Treadmill Data record for ``seconds``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    seen = 0
    stream = client.states()
    while (left := deadline - loop.time()) > 0:
        try:
            state = await asyncio.wait_for(anext(stream), left)
        except TimeoutError:
            break
        if state.records != seen and not quiet:
            seen = state.records
            print(f"  {_data_line(state)}", flush=True)


def handle(args: argparse.Namespace) -> int:
    settings = load_cli_settings(args)
    if settings is None:
        return EXIT_USAGE
    target = args.device or settings.device
    if not target:
        return fail("info", NO_DEVICE)
    try:
        result = asyncio.run(_info(args, target, dict(settings.devices)))
    except (LinkError, TreadmillError) as exc:
        return fail("info", describe_error(exc), EXIT_FAILED)
    if args.json:
        print(json.dumps(result, indent=2, default=str))
    return EXIT_OK
