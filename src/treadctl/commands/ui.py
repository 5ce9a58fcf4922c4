"""``treadctl`` with no arguments: the full-screen UI, with the simulator and Bluetooth."""

from __future__ import annotations

import argparse
import functools

from treadctl.bluetooth.device import bluetooth_treadmill
from treadctl.bluetooth.scan import scan
from treadctl.commands.common import load_cli_settings
from treadctl.config import Settings
from treadctl.exit_codes import EXIT_USAGE
from treadctl.tui import TreadmillChoice, run_tui, simulator_choice
from treadctl.tui.screens.start import Scanner

#: How long the start screen's Scan button listens.
UI_SCAN_S = 5.0


def bluetooth_choice(settings: Settings, target: str, label: str, detail: str) -> TreadmillChoice:
    factory = functools.partial(bluetooth_treadmill, target=target, devices=dict(settings.devices))
    return TreadmillChoice(label, detail, factory=factory, kind="bluetooth")


def treadmill_choices(settings: Settings) -> list[TreadmillChoice]:
    """The simulator, and the configured default device first if there is one."""
    choices = [simulator_choice()]
    if settings.device:
        choices.insert(
            0, bluetooth_choice(settings, settings.device, settings.device, "default device")
        )
    return choices


def scanner(settings: Settings) -> Scanner:
    """The start screen's Scan button: FTMS devices in range, as treadmill choices."""

    async def scan_choices() -> list[TreadmillChoice]:
        found = await scan(UI_SCAN_S)
        choices = []
        for device in found:
            detail = device.address
            if device.rssi is not None:
                detail += f", {device.rssi} dBm"
            if device.available is False:
                detail += ", busy with another app"
            label = device.name or device.address
            choices.append(bluetooth_choice(settings, device.address, label, detail))
        return choices

    return scan_choices


def open_ui(args: argparse.Namespace | None = None) -> int:
    settings = load_cli_settings(args or argparse.Namespace(config=None))
    if settings is None:
        return EXIT_USAGE
    return run_tui(settings, treadmills=treadmill_choices(settings), scan=scanner(settings))
