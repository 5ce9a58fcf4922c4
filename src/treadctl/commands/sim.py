"""``treadctl sim --bluez``: the simulated treadmill behind a fake BlueZ, for any FTMS app.

Starts a private ``dbus-daemon`` and a fake ``org.bluez`` on it that serves the simulated
treadmill (with any quirks), and with ``--strap`` a simulated heart-rate strap beside it,
prints the ``DBUS_SYSTEM_BUS_ADDRESS`` to export, and runs until Ctrl-C. Any program that
talks to BlueZ over D-Bus (treadctl, another bleak app, ``bluetoothctl``) sees them once
pointed at that bus. Lines typed on stdin act at the console: ``stop``, ``pause``,
``start``, ``key`` (pull the safety key), ``drop`` (out of range), ``back`` (in range
again), ``speed KMH``; and for the strap ``hr BPM``, ``off`` / ``on`` (off the chest and
back), ``hrdrop`` / ``hrback`` (out of range and back).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shlex
import signal
import sys
from typing import Any

from treadctl.bluez_fake import ADVERTISING_MODES, FakeBlueZ, FakeDevice, PrivateBus
from treadctl.bluez_fake.bus import PrivateBusError
from treadctl.clock import MonotonicClock
from treadctl.commands import summary
from treadctl.commands.common import add_quirk_argument, fail
from treadctl.exit_codes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from treadctl.ftms import uuids
from treadctl.sim import SimConfig, SimTreadmill
from treadctl.sim.heart_rate_strap import (
    DEFAULT_RESTING_BPM,
    SimHeartRateStrap,
    StrapConfig,
    StrapQuirk,
)

CONSOLE_HELP = (
    "console (type, then Enter): stop, pause, start, key (safety key), drop (out of range), "
    "back (in range), speed KMH; with --strap: hr BPM, off / on (the strap off the chest "
    "and back), hrdrop / hrback (the strap out of range and back)"
)
Strap = tuple[SimHeartRateStrap, FakeDevice]


def register(sub: argparse._SubParsersAction[Any]) -> None:
    parser = sub.add_parser(
        "sim",
        help=summary("sim"),
        description=(
            "Start a private D-Bus with a fake BlueZ that serves the simulated treadmill, "
            "print the DBUS_SYSTEM_BUS_ADDRESS to export, and run until Ctrl-C. It never "
            "touches the real system bus."
        ),
    )
    parser.add_argument(
        "--bluez", action="store_true", help="serve it through a fake BlueZ (required for now)"
    )
    add_quirk_argument(parser)
    parser.add_argument("--name", default="treadctl-sim", help="advertised name")
    parser.add_argument("--address", default="AA:BB:CC:DD:EE:01", help="Bluetooth address")
    parser.add_argument(
        "--advertise",
        choices=ADVERTISING_MODES,
        default="service-data",
        help="what the advertisement carries: FTMS service data (default), the FTMS "
        "UUID only, or the name only (as Toorx, Sole F65 and others do)",
    )
    parser.add_argument(
        "--no-control-point",
        action="store_true",
        help="hide the control point: a read-only machine (stats without control)",
    )
    parser.add_argument(
        "--adapter-off", action="store_true", help="start with the fake adapter powered off"
    )
    strap = parser.add_argument_group("heart-rate strap")
    strap.add_argument(
        "--strap",
        action="store_true",
        help="also serve a simulated heart-rate strap (Heart Rate Service 0x180D), a second "
        "device beside the treadmill",
    )
    strap.add_argument(
        "--strap-name", default="treadctl-hrm", metavar="NAME", help="the strap's name"
    )
    strap.add_argument(
        "--strap-address",
        default="AA:BB:CC:DD:EE:02",
        metavar="ADDRESS",
        help="the strap's Bluetooth address",
    )
    strap.add_argument(
        "--strap-bpm",
        type=float,
        default=DEFAULT_RESTING_BPM,
        metavar="BPM",
        help=f"the strap's heart rate at start, beats per minute (default "
        f"{DEFAULT_RESTING_BPM:g}; `hr BPM` at the console changes it)",
    )
    strap.add_argument(
        "--strap-quirk",
        action="append",
        type=StrapQuirk,
        choices=list(StrapQuirk),
        metavar="NAME",
        help="make the strap behave like a real one (repeatable): "
        f"{', '.join(q.value for q in StrapQuirk)}",
    )
    parser.set_defaults(handler=handle)


def strap_console(strap: Strap | None, words: list[str]) -> str | None:
    """What a strap command does; None when ``words`` is not one."""
    if strap is None or not words or words[0] not in ("hr", "off", "on", "hrdrop", "hrback"):
        return None
    sim, device = strap
    match words:
        case ["hr", value]:
            try:
                bpm = float(value)
            except ValueError:
                return f"not a heart rate: {value!r}"
            sim.curve = lambda _t_s: bpm
        case ["off"]:
            sim.worn = False
        case ["on"]:
            sim.worn = True
        case ["hrdrop"]:
            device.in_range = False
            device.drop()
        case ["hrback"]:
            device.in_range = True
        case _:
            return CONSOLE_HELP
    worn = "worn" if sim.worn else "off the chest"
    reach = "in range" if device.in_range else "out of range"
    return f"ok: strap {worn}, {reach}, {sim.bpm_now():g} bpm"


def console(sim: SimTreadmill, device: FakeDevice, line: str, strap: Strap | None = None) -> str:
    """What a line typed at the simulator's console does; returns what happened."""
    words = shlex.split(line) if line.strip() else []
    said = strap_console(strap, words)
    if said is not None:
        return said
    match words:
        case ["stop"]:
            sim.console_stop()
        case ["pause"]:
            sim.console_pause()
        case ["start"]:
            sim.insert_safety_key()
            sim.console_start()
        case ["key"]:
            sim.pull_safety_key()
        case ["drop"]:
            device.in_range = False
            device.drop()
        case ["back"]:
            device.in_range = True
        case ["speed", value]:
            try:
                sim.console_set_speed(float(value))
            except ValueError:
                return f"not a speed: {value!r}"
        case []:
            return ""
        case _:
            return CONSOLE_HELP
    return f"ok: belt {sim.state.value}, target {sim.belt.target_speed_kmh:g} km/h"


async def serve(args: argparse.Namespace) -> int:
    loop = asyncio.get_running_loop()
    clock = MonotonicClock()
    config = SimConfig(name=args.name, address=args.address, quirks=frozenset(args.quirk or ()))
    sim = SimTreadmill(clock, config)
    fake = FakeBlueZ(powered=not args.adapter_off)
    hide = {uuids.CONTROL_POINT} if args.no_control_point else set()
    device = fake.add_device(sim, advertising=args.advertise, hide=hide)
    strap: Strap | None = None
    if args.strap:
        strap_config = StrapConfig(
            name=args.strap_name,
            address=args.strap_address,
            quirks=frozenset(args.strap_quirk or ()),
        )
        bpm = args.strap_bpm
        strap_sim = SimHeartRateStrap(clock, strap_config, curve=lambda _t_s: bpm)
        strap = (strap_sim, fake.add_device(strap_sim))
    stop = asyncio.Event()
    with PrivateBus() as bus:
        assert bus.address is not None
        async with contextlib.AsyncExitStack() as stack:
            await stack.enter_async_context(fake.serving(bus.address))
            await stack.enter_async_context(sim.running())
            if strap is not None:
                await stack.enter_async_context(strap[0].running())
            print(f"export DBUS_SYSTEM_BUS_ADDRESS='{bus.address}'", flush=True)
            quirks = ", ".join(sorted(q.value for q in config.quirks)) or "none"
            also = ""
            if strap is not None:
                sc = strap[0].config
                strap_quirks = ", ".join(sorted(q.value for q in sc.quirks)) or "none"
                also = f"\n# and heart-rate strap {sc.name} ({sc.address}), quirks: {strap_quirks}."
            print(
                f"# fake BlueZ serving {config.name} ({config.address}), quirks: {quirks}.{also}\n"
                "# Export the line above in another terminal, then: treadctl scan\n"
                f"# {CONSOLE_HELP}. Ctrl-C ends.",
                file=sys.stderr,
                flush=True,
            )
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, stop.set)
            reading = False
            if sys.stdin is not None and not sys.stdin.closed and sys.stdin.isatty():
                loop.add_reader(
                    sys.stdin.fileno(),
                    lambda: print(
                        console(sim, device, sys.stdin.readline(), strap), file=sys.stderr
                    ),
                )
                reading = True
            try:
                await stop.wait()
            finally:
                for sig in (signal.SIGINT, signal.SIGTERM):
                    loop.remove_signal_handler(sig)
                if reading:
                    with contextlib.suppress(ValueError, OSError):
                        loop.remove_reader(sys.stdin.fileno())
    return EXIT_OK


def handle(args: argparse.Namespace) -> int:
    if not args.bluez:
        return fail(
            "sim",
            "say how to serve it: --bluez (a fake BlueZ on a private D-Bus); "
            "`treadctl run --sim` runs a workout on the simulator directly",
        )
    if not PrivateBus.available():
        return fail(
            "sim", "dbus-daemon is not installed (apt-get install dbus-daemon)", EXIT_FAILED
        )
    try:
        return asyncio.run(serve(args))
    except PrivateBusError as exc:
        return fail("sim", str(exc), EXIT_FAILED)


__all__ = ["EXIT_USAGE", "console", "register"]
