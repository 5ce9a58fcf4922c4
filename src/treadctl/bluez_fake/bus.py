"""A private ``dbus-daemon`` for the fake BlueZ, and the check that keeps the fake off real buses.

The daemon listens on a unix socket in a fresh folder under ``/tmp`` (socket paths are
limited to about 107 bytes, so not under a long test folder). That folder also holds a
marker file; :func:`is_private_address` accepts only addresses whose socket sits next to
such a marker, so the fake can never be exported on a machine's real system bus.
"""

from __future__ import annotations

import contextlib
import ctypes
import selectors
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from types import TracebackType
from xml.sax.saxutils import escape

from treadctl.errors import TreadctlError

#: Written next to the socket of every bus this module starts.
MARKER_NAME = "treadctl-private-bus"
#: Where the socket folder goes: short, so the socket path stays within the unix limit.
SOCKET_ROOT = "/tmp"
#: How long to wait for the daemon to print its address.
START_TIMEOUT_S = 5.0
SYSTEM_BUS_SOCKETS = frozenset({"/run/dbus/system_bus_socket", "/var/run/dbus/system_bus_socket"})


class PrivateBusError(TreadctlError, RuntimeError):
    """The private bus could not start, or an address is not a private bus."""


_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>treadctl-private</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*" eavesdrop="true"/>
    <allow receive_sender="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
  </policy>
</busconfig>
"""


def _die_with_parent() -> None:
    """In the child, before exec: end the daemon if the process that started it dies
    (a test run killed by a timeout must not leave buses behind)."""
    pr_set_pdeathsig = 1
    with contextlib.suppress(Exception):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM)


def write_config(folder: Path) -> tuple[Path, Path]:
    """Write a permissive bus config for a socket in ``folder``; returns (config, socket)."""
    socket_path = folder / "bus"
    config = folder / "bus.conf"
    config.write_text(_CONFIG.format(socket=escape(str(socket_path))), encoding="utf-8")
    (folder / MARKER_NAME).write_text("a private bus started by treadctl\n", encoding="utf-8")
    return config, socket_path


def socket_path_of(address: str) -> Path | None:
    """The socket path of a ``unix:path=...`` address (the first one listed), else None."""
    first = address.split(";", 1)[0]
    transport, _, params = first.partition(":")
    if transport != "unix":
        return None
    for param in params.split(","):
        key, _, value = param.partition("=")
        if key == "path" and value:
            return Path(_unescape(value))
    return None


def _unescape(value: str) -> str:
    out = bytearray()
    i = 0
    raw = value.encode()
    while i < len(raw):
        if raw[i : i + 1] == b"%" and len(raw) >= i + 3:
            out.append(int(raw[i + 1 : i + 3], 16))
            i += 3
        else:
            out.append(raw[i])
            i += 1
    return out.decode()


def is_private_address(address: str) -> bool:
    """True for a bus this module started: a unix socket next to the marker file."""
    path = socket_path_of(address)
    if path is None or str(path) in SYSTEM_BUS_SOCKETS:
        return False
    return (path.parent / MARKER_NAME).is_file()


def require_private(address: str | None) -> str:
    """``address`` if it is a private bus; raises PrivateBusError otherwise."""
    if not address:
        raise PrivateBusError(
            "no bus address: the fake BlueZ runs only on a private bus "
            "(treadctl sim --bluez starts one)"
        )
    if not is_private_address(address):
        raise PrivateBusError(
            f"refusing to serve a fake org.bluez on {address}: not a private bus started "
            "by treadctl (it could be the real system bus)"
        )
    return address


class PrivateBus:
    """A ``dbus-daemon`` of our own. Use as a context manager, or ``start()``/``stop()``."""

    def __init__(self, root: str = SOCKET_ROOT) -> None:
        self.root = root
        self.folder: Path | None = None
        self.address: str | None = None
        self._process: subprocess.Popen[bytes] | None = None

    @staticmethod
    def available() -> bool:
        return shutil.which("dbus-daemon") is not None

    def start(self) -> str:
        """Start the daemon; returns its address (``unix:path=...,guid=...``)."""
        executable = shutil.which("dbus-daemon")
        if executable is None:
            raise PrivateBusError(
                "dbus-daemon is not installed (Debian/Ubuntu: apt-get install dbus-daemon)"
            )
        self.folder = Path(tempfile.mkdtemp(prefix="tcbus-", dir=self.root))
        config, _ = write_config(self.folder)
        self._process = subprocess.Popen(
            [executable, f"--config-file={config}", "--print-address=1", "--nofork"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,  # noqa: PLW1509
        )
        assert self._process.stdout is not None
        line = self._read_line(self._process)
        if not line:
            err = b""
            with contextlib.suppress(Exception):
                _, err = self._process.communicate(timeout=1)
            self.stop()
            raise PrivateBusError(
                "dbus-daemon did not start: " + err.decode(errors="replace").strip()
            )
        self.address = line
        return line

    @staticmethod
    def _read_line(process: subprocess.Popen[bytes]) -> str:
        assert process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            if not selector.select(START_TIMEOUT_S):
                return ""
        return process.stdout.readline().decode().strip()

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=2)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            for stream in (process.stdout, process.stderr):
                if stream is not None:
                    stream.close()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None
        self.address = None

    def __enter__(self) -> PrivateBus:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None
