"""The private D-Bus the fake BlueZ runs on: ours only, never the system's."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from treadctl.bluez_fake import PrivateBus, PrivateBusError
from treadctl.bluez_fake.bus import (
    MARKER_NAME,
    is_private_address,
    require_private,
    socket_path_of,
)
from treadctl.bluez_fake.fake import FakeBlueZ

needs_dbus = pytest.mark.skipif(not PrivateBus.available(), reason="dbus-daemon not installed")


def test_socket_paths_are_read_from_unix_addresses_only() -> None:
    assert socket_path_of("unix:path=/tmp/x/bus,guid=01") == Path("/tmp/x/bus")
    assert socket_path_of("unix:path=/tmp/a%20b/bus") == Path("/tmp/a b/bus")
    assert socket_path_of("tcp:host=localhost,port=1") is None
    assert socket_path_of("unix:abstract=/tmp/x") is None


async def test_the_fake_refuses_a_bus_that_is_not_private(tmp_path: Path) -> None:
    assert not is_private_address("unix:path=/run/dbus/system_bus_socket")
    assert not is_private_address(f"unix:path={tmp_path / 'bus'}")
    assert not is_private_address("tcp:host=localhost,port=1234")
    (tmp_path / MARKER_NAME).write_text("")
    assert is_private_address(f"unix:path={tmp_path / 'bus'},guid=0123")
    with pytest.raises(PrivateBusError):
        await FakeBlueZ().start("unix:path=/run/dbus/system_bus_socket")
    assert os.environ.get("DBUS_SYSTEM_BUS_ADDRESS") != "unix:path=/run/dbus/system_bus_socket"
    with pytest.raises(PrivateBusError, match="no bus address"):
        require_private(None)


@needs_dbus
def test_a_private_bus_starts_marked_and_leaves_nothing_behind() -> None:
    with PrivateBus() as bus:
        assert bus.address is not None
        assert is_private_address(bus.address)
        assert require_private(bus.address) == bus.address
        socket = socket_path_of(bus.address)
        assert socket is not None
        assert socket.exists()
        folder = socket.parent
        pid = bus.pid
        assert pid is not None
        os.kill(pid, 0)  # the daemon is alive
    assert not folder.exists()
    assert bus.address is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # the daemon is gone (stopped and reaped)
