"""A real treadmill for a workout: ``--device ADDRESS|NAME``, settings, and the factory.

:func:`bluetooth_treadmill` is a :data:`~treadctl.runtime.TreadmillFactory`: it finds
the treadmill, wraps its :class:`~treadctl.bluetooth.link.BleakLink` in a
:class:`~treadctl.link.recording.RecordingLink` when ``--ble-log`` asks for one, and
hands the runtime a client set up with the device's settings (speed unit, Start that
toggles). The runtime connects it and requests control; after a link loss the runner
reconnects through the same link (hazard H6).

For a command line: :func:`add_device_arguments` adds the options and
:func:`treadmill_factory_from_args` turns them (and the config file's ``device`` and
``[devices."..."]`` tables) into a factory, or None when no device was chosen.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

from treadctl.bluetooth.timing import CONNECT_ATTEMPTS, FIND_TIMEOUT_S
from treadctl.client import SpeedUnit, TreadmillClient
from treadctl.clock import Clock
from treadctl.config import DeviceSettings, Settings
from treadctl.ftms import uuids
from treadctl.link.base import CharProperty, GattLink
from treadctl.link.recording import RecordingLink
from treadctl.workout.ports import Treadmill, TreadmillFactory

NO_DEVICE_HINT = (
    "no treadmill chosen: give --device ADDRESS|NAME (find it with `treadctl scan`), set "
    '`device = "..."` in the config file, or use --sim for the simulator'
)


def add_device_arguments(parser: argparse.ArgumentParser) -> None:
    """``--device``, ``--ble-log``, ``--find-timeout`` and ``--start-toggles``."""
    group = parser.add_argument_group("Bluetooth")
    group.add_argument(
        "--device",
        metavar="ADDRESS|NAME",
        help="the treadmill to use: its address or advertised name (see `treadctl scan`); "
        "default: `device` in the config file",
    )
    group.add_argument(
        "--ble-log",
        type=Path,
        metavar="FILE",
        help="record every raw Bluetooth read, write and notification to FILE (JSON lines), "
        "to send with a bug report; `treadctl replay --ble-log FILE` plays it back",
    )
    group.add_argument(
        "--find-timeout",
        type=float,
        default=FIND_TIMEOUT_S,
        metavar="S",
        help=f"how long to look for the treadmill before giving up (default {FIND_TIMEOUT_S:g})",
    )
    group.add_argument(
        "--start-toggles",
        action="store_true",
        help="this treadmill's Start stops a running belt (Vitalwalk and others); also "
        'settable per device: [devices."ADDRESS"] start_toggles = true',
    )


@contextlib.asynccontextmanager
async def bluetooth_treadmill(
    clock: Clock,
    *,
    target: str,
    speed_unit: SpeedUnit | None = None,
    start_toggles: bool | None = None,
    devices: Mapping[str, DeviceSettings] | None = None,
    ble_log: Path | None = None,
    find_timeout_s: float = FIND_TIMEOUT_S,
    connect_attempts: int = CONNECT_ATTEMPTS,
    client_options: Mapping[str, Any] | None = None,
) -> AsyncIterator[Treadmill]:
    """A treadmill over Bluetooth (not connected yet: the runtime connects it).

    ``speed_unit`` and ``start_toggles`` override the ``devices`` table entry for the
    treadmill (looked up by address, then by name, once it is found).

    Raises:
        DeviceNotFound, BluetoothUnavailable: before anything connects.
    """
    # bleak only now, when a real treadmill is used: `run --sim` and `--help` never load it
    from treadctl.bluetooth.link import BleakLink  # noqa: PLC0415
    from treadctl.bluetooth.scan import find_device, hold_bluez, let_go_of_bluez  # noqa: PLC0415

    found = await find_device(target, timeout_s=find_timeout_s)
    table = devices or {}
    by_key = {k.casefold(): v for k, v in table.items()}
    chosen = by_key.get(found.address.casefold()) or by_key.get((found.name or "").casefold())
    chosen = chosen or by_key.get(target.casefold()) or DeviceSettings()
    unit: SpeedUnit = speed_unit or chosen.speed_unit
    toggles = chosen.start_toggles if start_toggles is None else start_toggles
    name = found.name or target
    bleak_link = BleakLink(
        target,
        device=found.device,
        name=name,
        find_timeout_s=find_timeout_s,
        connect_attempts=connect_attempts,
    )
    link: GattLink = bleak_link
    recorder: RecordingLink | None = None
    if ble_log is not None:
        header = {
            "device": {"name": name, "address": found.address},
            "speed_unit": unit,
            "start_toggles": toggles,
            "advertisement": found.as_dict(),
        }
        recorder = RecordingLink(bleak_link, ble_log, clock=clock, header=header)
        link = recorder
    client = TreadmillClient(
        link, clock, speed_unit=unit, start_toggles=toggles, **dict(client_options or {})
    )
    hold_bluez()  # a heart-rate strap may share bleak's connection to BlueZ
    try:
        yield Treadmill(client, "bluetooth", name, found.address)
    finally:
        try:
            await client.aclose()
            await bleak_link.disconnect()  # also releases what a lost connection held
        finally:
            if recorder is not None:
                recorder.close()
            await let_go_of_bluez()


def treadmill_factory_from_args(
    args: argparse.Namespace, settings: Settings
) -> TreadmillFactory | None:
    """A factory for the treadmill the command line (or the config file) names.

    None when neither ``--device`` nor ``device`` in the config says which: the caller
    then uses the simulator if asked (``--sim``), or prints :data:`NO_DEVICE_HINT`.
    An explicit ``--speed-unit mph`` wins over the device's table; ``--start-toggles``
    turns that setting on.
    """
    target = getattr(args, "device", None) or settings.device
    if not target:
        return None
    speed_unit: SpeedUnit | None = "mph" if getattr(args, "speed_unit", None) == "mph" else None
    start_toggles: bool | None = True if getattr(args, "start_toggles", False) else None
    return functools.partial(
        bluetooth_treadmill,
        target=target,
        speed_unit=speed_unit,
        start_toggles=start_toggles,
        devices=dict(settings.devices),
        ble_log=getattr(args, "ble_log", None),
        find_timeout_s=getattr(args, "find_timeout", FIND_TIMEOUT_S),
    )


def describe_treadmill(client: TreadmillClient) -> list[str]:
    """Lines about a connected treadmill: what it is, its ranges, and whether it obeys."""
    name = client.link.name
    info = client.device_info
    made = " ".join(v for v in (info.get("manufacturer"), info.get("model")) if v)
    lines = [f"{name}: {made or 'no device information'}"]
    if info.get("firmware"):
        lines[0] += f", firmware {info['firmware']}"
    speed = client.speed_range
    incline = client.incline_range
    lines.append(
        f"  speed {speed.minimum:g}-{speed.maximum:g} km/h in steps of {speed.increment:g}"
        + (" (mph fields)" if client.speed_unit == "mph" else "")
        + f"; incline {incline.minimum:g}-{incline.maximum:g} % in steps of {incline.increment:g}"
    )
    chars = client.link.characteristics()
    if not client.can_control:
        lines.append(
            "  read-only: no control point; workouts run in advisory mode (you set the speed "
            "at the console)"
        )
    else:
        props = chars[uuids.CONTROL_POINT]
        how = "with response" if props & CharProperty.WRITE else "without response (UREVO-style)"
        lines.append(f"  control point: written {how}")
    return lines
