"""``treadctl scan``: which FTMS treadmills and heart-rate straps are in range."""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

from treadctl.bluetooth.errors import BluetoothError, describe_error
from treadctl.bluetooth.scan import SCAN_TIMEOUT_S, FoundDevice, release_bluez_connection, scan
from treadctl.commands import summary
from treadctl.commands.common import fail
from treadctl.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE

SEEN_AS_TEXT = {
    "service-data": "FTMS service data",
    "service-uuid": "FTMS service UUID only",
    "heart-rate": "Heart Rate service UUID",
    "name": "name only",
}


def register(sub: argparse._SubParsersAction[Any]) -> None:
    parser = sub.add_parser(
        "scan",
        help=summary("scan"),
        description=(
            "Listen for Bluetooth LE advertisements and list the fitness machines that "
            "advertise FTMS (by service data or by service UUID), best first, then the "
            "heart-rate straps (Heart Rate Service). Use an address or a name from the "
            "list with `treadctl run PROFILE --device ...` (a treadmill) or `--hr ...` "
            "(a strap)."
        ),
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=SCAN_TIMEOUT_S,
        metavar="S",
        help=f"listen for S seconds (default {SCAN_TIMEOUT_S:g})",
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="also list every other named device, for machines that do not advertise FTMS",
    )
    parser.add_argument("--json", action="store_true", help="print the devices as JSON")
    parser.set_defaults(handler=handle)


def _yes_no(value: bool | None) -> str:
    return "?" if value is None else ("yes" if value else "no (in use)")


def _machine(f: FoundDevice) -> str:
    if f.is_heart_rate:
        return "heart-rate strap"
    return ", ".join(f.machine_types) or ("?" if f.is_ftms else "-")


def table(found: list[FoundDevice]) -> str:
    headers = ("NAME", "ADDRESS", "RSSI", "MACHINE", "AVAILABLE", "SEEN AS")
    rows = [
        (
            f.name or "(no name)",
            f.address,
            "" if f.rssi is None else str(f.rssi),
            _machine(f),
            _yes_no(f.available) if f.is_ftms else "-",
            SEEN_AS_TEXT[f.seen_as],
        )
        for f in found
    ]
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    lines = [
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
        for row in [headers, *rows]
    ]
    return "\n".join(lines)


async def _scan(timeout_s: float, include_all: bool) -> list[FoundDevice]:
    try:
        return await scan(timeout_s, include_all=include_all)
    finally:
        await release_bluez_connection()


def handle(args: argparse.Namespace) -> int:
    if args.timeout <= 0:
        return fail("scan", "--timeout must be above 0")
    try:
        found = asyncio.run(_scan(args.timeout, args.all))
    except BluetoothError as exc:
        return fail("scan", describe_error(exc), EXIT_FAILED)
    if args.json:
        print(json.dumps([f.as_dict() for f in found], indent=2))
        return EXIT_OK if found else EXIT_FAILED
    if not found:
        more = "" if args.all else " `treadctl scan --all` also lists devices known only by name."
        print(
            f"No FTMS treadmill or heart-rate strap heard in {args.timeout:g} s. Is it on, "
            "awake (some sleep until a button is pressed, a strap until it is worn), and "
            "not connected to another app?" + more
        )
        return EXIT_FAILED
    print(table(found))
    print()
    treadmill = next((f for f in found if not f.is_heart_rate), None)
    strap = next((f for f in found if f.is_heart_rate), None)
    if treadmill is not None:
        print(f"Use one with: treadctl run PROFILE --device {treadmill.address}")
    if strap is not None:
        print(f"A heart-rate strap with: treadctl run PROFILE --hr {strap.address}")
    if any(f.seen_as == "name" for f in found):
        print("Devices seen by name only may not speak FTMS; `treadctl info --device ...` checks.")
    return EXIT_OK


__all__ = ["EXIT_USAGE", "register", "table"]
