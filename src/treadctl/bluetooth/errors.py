"""Bluetooth errors that say what went wrong and what to do about it.

Everything bleak, bleak-retry-connector, dbus-fast or the OS raises on the way to a
treadmill is turned into one of these by :func:`translate`. They are
:class:`~treadctl.link.LinkError` subclasses, so the client and the runner treat them as
link failures; front ends print :func:`describe_error`.
"""

from __future__ import annotations

import asyncio
import sys

from bleak.exc import (
    BleakBluetoothNotAvailableError,
    BleakBluetoothNotAvailableReason,
    BleakDBusError,
    BleakDeviceNotFoundError,
    BleakError,
)
from bleak_retry_connector import (
    BleakAbortedError,
    BleakConnectionError,
    BleakNotFoundError,
    BleakOutOfConnectionSlotsError,
)

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


#: D-Bus errors that mean nobody owns ``org.bluez``.
_NO_SERVICE_ERRORS = {
    "org.freedesktop.DBus.Error.ServiceUnknown",
    "org.freedesktop.DBus.Error.NameHasNoOwner",
}


def _chain(exc: BaseException) -> list[BaseException]:
    out: list[BaseException] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        out.append(current)
        current = current.__cause__ or current.__context__
    return out


def _specific(exc: BaseException, target: str | None) -> LinkError | None:
    """A precise translation of one exception, or None."""
    who = target or "the treadmill"
    if isinstance(exc, BluetoothError):
        return exc
    if isinstance(exc, BleakBluetoothNotAvailableError):
        match exc.reason:
            case BleakBluetoothNotAvailableReason.NO_BLUETOOTH:
                return NoAdapter("No Bluetooth adapter found.")
            case BleakBluetoothNotAvailableReason.NO_BLE_CENTRAL_ROLE:
                return NoAdapter("No Bluetooth adapter here can connect to BLE devices.")
            case BleakBluetoothNotAvailableReason.POWERED_OFF:
                return AdapterOff("The Bluetooth adapter is off.")
            case (
                BleakBluetoothNotAvailableReason.DENIED_BY_USER
                | BleakBluetoothNotAvailableReason.DENIED_BY_SYSTEM
                | BleakBluetoothNotAvailableReason.DENIED_BY_UNKNOWN
            ):
                return PermissionDenied(f"Not allowed to use Bluetooth ({exc.args[0]}).")
            case _:
                return BluetoothUnavailable(f"Bluetooth is not available ({exc.args[0]}).")
    if isinstance(exc, BleakDBusError):
        name = exc.dbus_error
        if name in _NO_SERVICE_ERRORS:
            return BlueZNotRunning("BlueZ (bluetoothd) is not running on the system D-Bus.")
        if name == "org.freedesktop.DBus.Error.AccessDenied":
            return PermissionDenied("Not allowed to talk to BlueZ on the system D-Bus.")
        if name == "org.bluez.Error.NotReady":
            return AdapterOff("The Bluetooth adapter is off.")
        if name == "org.freedesktop.DBus.Error.UnknownObject":
            return DeviceNotFound(f"{who} is no longer known to BlueZ.")
        return None
    if isinstance(exc, BleakDeviceNotFoundError):
        return DeviceNotFound(f"No treadmill named or at {who!r} was found.")
    if isinstance(exc, BleakNotFoundError):
        return DeviceNotFound(f"{who} could not be found when connecting.")
    if isinstance(exc, BleakError) and "adapter" in str(exc) and "not found" in str(exc):
        return NoAdapter(f"No Bluetooth adapter found ({exc}).")
    if type(exc).__name__ == "AuthError":  # dbus-fast
        return PermissionDenied(f"The system D-Bus refused us ({exc}).")
    if isinstance(exc, FileNotFoundError | ConnectionRefusedError):
        return BlueZNotRunning(f"The system D-Bus is not reachable ({exc}).")
    return None


def translate(exc: BaseException, *, target: str | None = None) -> LinkError:
    """The :class:`LinkError` to raise for ``exc`` (``target``: the device asked for)."""
    if isinstance(exc, LinkError):
        return exc
    for cause in _chain(exc):
        found = _specific(cause, target)
        if found is not None:
            return found
    who = target or "the treadmill"
    name = type(exc).__name__
    if isinstance(exc, BleakConnectionError | BleakAbortedError | BleakOutOfConnectionSlotsError):
        root = _chain(exc)[-1]
        return ConnectionFailed(f"Could not connect to {who}: {root}.")
    if isinstance(exc, asyncio.TimeoutError):
        return ConnectionFailed(f"{who} did not answer in time.")
    if isinstance(exc, EOFError | BrokenPipeError | ConnectionResetError):
        return LinkLost(f"the connection to BlueZ broke ({name})")
    if isinstance(exc, BleakError):
        return LinkError(f"Bluetooth error with {who}: {exc}")
    return LinkError(f"{name}: {exc}")


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
