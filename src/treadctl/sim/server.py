"""What a simulated GATT server offers the loopback link and the fake BlueZ.

The simulated treadmill and the simulated heart-rate strap both fit these protocols, so
the same link and the same fake BlueZ serve either, or both side by side. A server is
named by its ``config``, lists its characteristics, and hands each client a
:class:`ServerConnection` to read, write and subscribe through; notifications go back
through the client's :class:`ServerSink`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from treadctl.link.base import ATT_WRITE_NOT_PERMITTED, AttError, CharProperty


class ServerSink(Protocol):
    """How the server reaches one connected client."""

    def notify(self, uuid: str, data: bytes) -> None:
        """A notification or indication of ``uuid`` with ``data``."""
        ...

    def server_disconnected(self) -> None:
        """The server dropped the connection."""
        ...


def set_subscription(
    subscribed: set[str],
    characteristics: Mapping[str, CharProperty],
    uuid: str,
    enabled: bool,
) -> None:
    """A client's CCCD write: ``uuid`` joins or leaves ``subscribed``; a characteristic
    that neither notifies nor indicates refuses it, as a real server does."""
    props = characteristics.get(uuid)
    if props is None or not props & (CharProperty.NOTIFY | CharProperty.INDICATE):
        raise AttError(ATT_WRITE_NOT_PERMITTED, f"{uuid} cannot notify")
    if enabled:
        subscribed.add(uuid)
    else:
        subscribed.discard(uuid)


class ServerIdentity(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def address(self) -> str: ...


class ServerConnection(Protocol):
    """One client's connection to a server; ``close()`` ends it from the client's side."""

    @property
    def open(self) -> bool: ...

    def read(self, uuid: str) -> bytes: ...

    def write(self, uuid: str, data: bytes, *, response: bool) -> None: ...

    def set_subscribed(self, uuid: str, enabled: bool) -> None: ...

    def close(self) -> None: ...


class GattServer(Protocol):
    """A simulated device: what it is called, what it has, and a way in."""

    @property
    def config(self) -> ServerIdentity: ...

    @property
    def characteristics(self) -> Mapping[str, CharProperty]: ...

    def attach(self, sink: ServerSink) -> ServerConnection: ...


__all__ = [
    "GattServer",
    "ServerConnection",
    "ServerIdentity",
    "ServerSink",
    "set_subscription",
]
