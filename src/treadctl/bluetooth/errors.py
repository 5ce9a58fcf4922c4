"""Bluetooth errors that say what went wrong and what to do about it.

Everything bleak, bleak-retry-connector, dbus-fast or the OS raises on the way to a
treadmill is turned into one of these by :func:`translate`. They are
:class:`~treadctl.link.LinkError` subclasses, so the client and the runner treat them as
link failures; front ends print :func:`describe_error`.
"""

from __future__ import annotations

import sys

from treadctl.client import errors as client_errors
from treadctl.errors import TreadctlError
from treadctl.link.base import LinkError, LinkLost

_LINUX = sys.platform.startswith("linux")
_MACOS = sys.platform == "darwin"

READ_ONLY_MESSAGE = (
    "{name} has no control point: read-only, stats without control. treadctl can show "
    "what the treadmill reports but cannot set its speed; use its console (`treadctl run` "
    "offers an advisory workout: it says what to set, and when)."
)


class BluetoothError(LinkError):
    """A Bluetooth problem; ``hint`` (each subclass has its own) says what to do."""


class BluetoothUnavailable(BluetoothError):
    """Bluetooth cannot be used at all on this computer right now."""

    hint = "Check that Bluetooth is on in your system settings."


class NoAdapter(BluetoothUnavailable):
    hint = (
        "Is Bluetooth on, and the adapter plugged in? On Linux `bluetoothctl list` "
        "should show it (`rfkill unblock bluetooth` if it is blocked)."
        if _LINUX
        else "Is Bluetooth on, and does this computer have Bluetooth Low Energy?"
    )


class AdapterOff(BluetoothUnavailable):
    hint = (
        "Turn it on: `bluetoothctl power on` (or the Bluetooth switch in your settings)."
        if _LINUX
        else "Turn Bluetooth on in your system settings."
    )


class BlueZNotRunning(BluetoothUnavailable):
    hint = (
        "Start it: `sudo systemctl start bluetooth`. In a container, share the host's "
        "/run/dbus/system_bus_socket; DBUS_SYSTEM_BUS_ADDRESS says which bus is used."
    )


class PermissionDenied(BluetoothUnavailable):
    hint = (
        "Allow your terminal to use Bluetooth: System Settings > Privacy & Security > Bluetooth."
        if _MACOS
        else "On Linux, bluetoothd's D-Bus policy must let your user in (members of the "
        "`bluetooth` group usually are: `sudo usermod -aG bluetooth $USER`, then log in again)."
    )


class DeviceNotFound(BluetoothError):
    hint = (
        "Run `treadctl scan` to see what is in range (`treadctl scan --all` for machines "
        "that do not advertise FTMS). Is the treadmill on, and not connected to another "
        "app (phone, watch, tablet)?"
    )


class ConnectionFailed(BluetoothError):
    hint = (
        "Close other apps that may be connected to the treadmill (phone, watch, Zwift, "
        "Kinomap), move closer, or turn the treadmill off and on, then try again."
    )


class ServiceMissing(BluetoothError):
    """The device has no Fitness Machine Service."""

    hint = (
        "treadctl speaks the Bluetooth Fitness Machine Service (FTMS) only. Check that this "
        "is the treadmill (`treadctl scan`); some machines get FTMS with a firmware update "
        "or a console setting."
    )


def describe_error(exc: BaseException) -> str:
    """One or two lines for a person: what happened and what to do.

    Works for every error a Bluetooth workout can end with: the errors here, other link
    errors, and the treadmill client's (a missing control point reads as read-only).
    """
    if isinstance(exc, client_errors.MissingCharacteristic):
        if exc.read_only:
            return READ_ONLY_MESSAGE.format(name=exc.device)
        return ServiceMissing(str(exc)).describe()
    if isinstance(exc, LinkLost):
        return f"Lost the link to the treadmill: {exc}"
    if isinstance(exc, TreadctlError):
        return exc.describe()
    return str(exc)
