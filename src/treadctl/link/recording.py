"""``--ble-log``: every raw read, write and notification of a link, one JSON line each.

:class:`RecordingLink` wraps any :class:`~treadctl.link.GattLink` and passes everything
through unchanged, writing each exchange as it happens (one ``write`` per line on an
``O_APPEND`` descriptor, like the session log, so a crash loses at most one line). A
user whose treadmill misbehaves sends the file; :mod:`treadctl.bluetooth.blelog` plays it
back into the decoders and the client, and it becomes a test.

The format (version 1). The first line is a header::

    {"type": "ble-log", "version": 1, "started": "2026-11-21T10:00:00+00:00",
     "device": {"name": "UREVO", "address": "AA:BB:..."}, ...}

then one line per event, ``t`` in seconds since the header::

    {"t": 0.012, "dir": "connect", "chars": {"<uuid>": ["read", "notify"], ...}}
    {"t": 0.020, "dir": "read", "uuid": "<uuid>", "char": "feature", "hex": "8c5000..."}
    {"t": 0.031, "dir": "subscribe", "uuid": "<uuid>", "char": "treadmill-data"}
    {"t": 0.502, "dir": "notify", "uuid": "<uuid>", "char": "treadmill-data", "hex": "..."}
    {"t": 0.610, "dir": "write", "uuid": "<uuid>", "char": "control-point", "hex": "02fa00",
     "response": true}
    {"t": 0.611, "dir": "error", "op": "write", "uuid": "<uuid>", "error": "ATT error 0xFE"}
    {"t": 9.000, "dir": "disconnect"}

``char`` is only for people reading the file; ``uuid`` is what counts.
"""

from __future__ import annotations

import contextlib
import datetime
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from treadctl.clock import Clock
from treadctl.ftms import uuids
from treadctl.link.base import (
    AttError,
    CharProperty,
    DisconnectCallback,
    GattLink,
    NotifyCallback,
)
from treadctl.util.jsonl import JsonlAppender

BLE_LOG_FORMAT = "ble-log"
BLE_LOG_VERSION = 1

#: Short names of the characteristics, for people reading a log.
CHAR_NAMES: dict[str, str] = {
    uuids.FITNESS_MACHINE_FEATURE: "feature",
    uuids.TREADMILL_DATA: "treadmill-data",
    uuids.TRAINING_STATUS: "training-status",
    uuids.SUPPORTED_SPEED_RANGE: "speed-range",
    uuids.SUPPORTED_INCLINATION_RANGE: "incline-range",
    uuids.CONTROL_POINT: "control-point",
    uuids.MACHINE_STATUS: "machine-status",
    uuids.MANUFACTURER_NAME: "manufacturer",
    uuids.MODEL_NUMBER: "model",
    uuids.SERIAL_NUMBER: "serial",
    uuids.HARDWARE_REVISION: "hardware-revision",
    uuids.FIRMWARE_REVISION: "firmware",
    uuids.SOFTWARE_REVISION: "software-revision",
}
PROPERTY_NAMES: tuple[tuple[CharProperty, str], ...] = (
    (CharProperty.READ, "read"),
    (CharProperty.WRITE, "write"),
    (CharProperty.WRITE_WITHOUT_RESPONSE, "write-without-response"),
    (CharProperty.NOTIFY, "notify"),
    (CharProperty.INDICATE, "indicate"),
)


def property_names(props: CharProperty) -> list[str]:
    return [name for flag, name in PROPERTY_NAMES if props & flag]


def properties_from_names(names: list[str]) -> CharProperty:
    props = CharProperty(0)
    for flag, name in PROPERTY_NAMES:
        if name in names:
            props |= flag
    return props


class BleLogWriter:
    """Appends BLE log lines to ``path``; times from ``clock`` (else ``time.monotonic``)."""

    def __init__(
        self, path: Path, *, clock: Clock | None = None, header: Mapping[str, Any] | None = None
    ) -> None:
        self.path = path
        self.clock = clock
        self._out = JsonlAppender(path)
        self._t0 = self._now()
        started = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
        self._write(
            {
                "type": BLE_LOG_FORMAT,
                "version": BLE_LOG_VERSION,
                "started": started,
                **(header or {}),
            }
        )

    def _now(self) -> float:
        return self.clock.now() if self.clock is not None else time.monotonic()

    @property
    def lines(self) -> int:
        return self._out.lines

    @property
    def write_errors(self) -> int:
        """Lines lost to write errors: a full disk must not break the link."""
        return self._out.write_errors

    def _write(self, record: dict[str, Any]) -> None:
        self._out.write(record)

    def record(self, direction: str, uuid: str | None = None, **fields: Any) -> None:
        line: dict[str, Any] = {"t": round(self._now() - self._t0, 6), "dir": direction}
        if uuid is not None:
            line["uuid"] = uuid
            if uuid in CHAR_NAMES:
                line["char"] = CHAR_NAMES[uuid]
        data = fields.pop("data", None)
        if data is not None:
            line["hex"] = bytes(data).hex()
        line.update(fields)
        self._write(line)

    def close(self) -> None:
        self._out.close()


class RecordingLink:
    """A :class:`GattLink` that records everything going through ``link`` to a BLE log."""

    def __init__(
        self,
        link: GattLink,
        path: Path,
        *,
        clock: Clock | None = None,
        header: Mapping[str, Any] | None = None,
    ) -> None:
        self.link = link
        self.log = BleLogWriter(path, clock=clock, header=header)
        self._unhook = link.on_disconnect(lambda: self.log.record("disconnect"))

    @property
    def path(self) -> Path:
        return self.log.path

    @property
    def name(self) -> str:
        return self.link.name

    @property
    def address(self) -> str:
        return str(getattr(self.link, "address", self.link.name))

    @property
    def is_connected(self) -> bool:
        return self.link.is_connected

    def characteristics(self) -> Mapping[str, CharProperty]:
        return self.link.characteristics()

    def _error(self, op: str, uuid: str | None, exc: Exception) -> None:
        fields: dict[str, Any] = {"op": op, "error": str(exc) or type(exc).__name__}
        if isinstance(exc, AttError):
            fields["att"] = exc.code
        self.log.record("error", uuid, **fields)

    async def connect(self) -> None:
        try:
            await self.link.connect()
        except Exception as exc:
            self._error("connect", None, exc)
            raise
        chars = {u: property_names(p) for u, p in self.link.characteristics().items()}
        self.log.record("connect", chars=chars)

    async def disconnect(self) -> None:
        await self.link.disconnect()

    async def read(self, uuid: str) -> bytes:
        try:
            data = await self.link.read(uuid)
        except Exception as exc:
            self._error("read", uuid, exc)
            raise
        self.log.record("read", uuid, data=data)
        return data

    async def write(self, uuid: str, data: bytes, *, response: bool) -> None:
        # Logged when it goes out, so an answer arriving during the write comes after it.
        self.log.record("write", uuid, data=data, response=response)
        try:
            await self.link.write(uuid, data, response=response)
        except Exception as exc:
            self._error("write", uuid, exc)
            raise

    async def subscribe(self, uuid: str, callback: NotifyCallback) -> None:
        record = self.log.record

        def recorded(data: bytes) -> None:
            record("notify", uuid, data=data)
            callback(data)

        try:
            await self.link.subscribe(uuid, recorded)
        except Exception as exc:
            self._error("subscribe", uuid, exc)
            raise
        self.log.record("subscribe", uuid)

    def on_disconnect(self, callback: DisconnectCallback) -> Callable[[], None]:
        return self.link.on_disconnect(callback)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._unhook()
        self.log.close()
