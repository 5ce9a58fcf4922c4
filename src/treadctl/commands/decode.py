"""``treadctl decode KIND HEX [HEX ...]``: show what FTMS or heart-rate bytes mean.

For people debugging their treadmill or strap: paste a value from nRF Connect, a sniffer
or a ``--ble-log`` and get the decoded fields as JSON, with the spec deviations the
decoder tolerated. Nothing here talks to Bluetooth.
"""

from __future__ import annotations

import argparse
import json
import re
import string
import sys
from collections.abc import Callable
from typing import Any

from treadctl.commands import summary
from treadctl.errors import TreadctlError
from treadctl.exit_codes import EXIT_OK, EXIT_USAGE
from treadctl.ftms import (
    FtmsDecodeError,
    decode_control_point,
    decode_features,
    decode_incline_range,
    decode_machine_status,
    decode_service_data,
    decode_speed_range,
    decode_training_status,
    decode_treadmill_data,
    merge_records,
)
from treadctl.hrs import (
    HeartRateDecodeError,
    decode_body_sensor_location,
    decode_heart_rate_measurement,
    unknown_reason,
)

PROG = "treadctl decode"
TREADMILL_DATA = "treadmill-data"

#: FTMS service UUID 0x1826 as it appears (little-endian) in a Service Data AD structure.
_FTMS_SERVICE_DATA_UUID = b"\x26\x18"
_AD_TYPE_SERVICE_DATA_16 = 0x16
_SEPARATORS = re.compile(r"[\s:,\-]+")


class DecodeInputError(TreadctlError):
    """The command line's bytes do not make a value of the kind asked for."""


def _treadmill_data(packets: list[bytes]) -> dict[str, Any]:
    """One record from the packets of a (possibly split) Treadmill Data record."""
    if len(packets) > 1 and any(len(p) < 2 for p in packets):
        raise DecodeInputError(
            "each HEX argument is one treadmill data notification; "
            'quote a packet written with spaces, e.g. "04 00 64 00"'
        )
    records = [decode_treadmill_data(p) for p in packets]
    for i, record in enumerate(records[:-1], start=1):
        if not record.more_data:
            raise DecodeInputError(
                f"packet {i} of {len(records)} completes a record (More Data bit clear); "
                "give the packets of one record, the complete one last"
            )
    return (records[0] if len(records) == 1 else merge_records(records)).as_dict()


def service_data_in_advertising(data: bytes) -> bytes | None:
    """The FTMS service data inside raw advertising data, if ``data`` is that.

    ``data`` counts as advertising data only if it parses as AD structures
    (``length, type, payload``) and one of them is Service Data for UUID 0x1826.
    """
    found: bytes | None = None
    i = 0
    while i < len(data):
        length = data[i]
        if length == 0:  # zero padding after the last structure
            break
        end = i + 1 + length
        if end > len(data):
            return None
        if data[i + 1] == _AD_TYPE_SERVICE_DATA_16 and data[i + 2 : i + 4] == (
            _FTMS_SERVICE_DATA_UUID
        ):
            found = data[i + 4 : end]
        i = end
    return found


def _heart_rate(data: bytes) -> dict[str, Any]:
    """The measurement, and what a workout makes of it: a rate, or "unknown" and why."""
    m = decode_heart_rate_measurement(data)
    out = m.as_dict()
    reason = unknown_reason(m.heart_rate_bpm, m.contact)
    deviations = out.pop("deviations")
    out["treadctl_bpm"] = None if reason else m.heart_rate_bpm
    if reason:
        out["unknown_reason"] = reason
    out["deviations"] = deviations
    return out


def _advertisement(data: bytes) -> dict[str, Any]:
    inner = service_data_in_advertising(data)
    return decode_service_data(data if inner is None else inner).as_dict()


_SINGLE: dict[str, Callable[[bytes], dict[str, Any]]] = {
    "feature": lambda b: decode_features(b).as_dict(),
    "speed-range": lambda b: decode_speed_range(b).as_dict("kmh"),
    "incline-range": lambda b: decode_incline_range(b).as_dict("pct"),
    "training-status": lambda b: decode_training_status(b).as_dict(),
    "machine-status": lambda b: decode_machine_status(b).as_dict(),
    "control-point": lambda b: decode_control_point(b).as_dict(),
    "advertisement": _advertisement,
    "heart-rate": _heart_rate,
    "body-sensor-location": lambda b: decode_body_sensor_location(b).as_dict(),
}
KINDS: tuple[str, ...] = (TREADMILL_DATA, *_SINGLE)


def parse_hex(text: str) -> bytes:
    """Bytes from hex as tools print it: ``04 00 64 00``, ``04:00:64:00``, ``04-00``,
    ``0x04 0x00``, nRF Connect's ``(0x) 04-00-64-00``, or ``04006400``.
    """
    body = text.strip()
    if body.lower().startswith("(0x)"):
        body = body[4:]
    digits: list[str] = []
    for word in _SEPARATORS.split(body):
        token = word[2:] if word[:2].lower() == "0x" else word
        if not token:
            continue
        if any(c not in string.hexdigits for c in token):
            raise DecodeInputError(f"not hex: {text!r}")
        if len(token) % 2:
            raise DecodeInputError(f"odd number of hex digits in {token!r} (in {text!r})")
        digits.append(token)
    if not digits:
        raise DecodeInputError(f"no bytes in {text!r}")
    return bytes.fromhex("".join(digits))


def decode_value(kind: str, packets: list[bytes]) -> dict[str, Any]:
    """The JSON-ready value of ``kind`` in ``packets``.

    Treadmill Data takes each packet as one notification of a split record; every other
    kind takes the packets joined, so unquoted ``02 64 00`` works.

    Raises:
        DecodeInputError: unknown kind, or packets that do not make one value.
        FtmsDecodeError, HeartRateDecodeError: the decoder found nothing useful.
    """
    if kind == TREADMILL_DATA:
        return _treadmill_data(packets)
    decode = _SINGLE.get(kind)
    if decode is None:
        raise DecodeInputError(f"unknown kind {kind!r}; one of: {', '.join(KINDS)}")
    return decode(b"".join(packets))


def _fail(message: str) -> int:
    print(f"{PROG}: {' '.join(message.split())}", file=sys.stderr)
    return EXIT_USAGE


def run(args: argparse.Namespace) -> int:
    kind: str = args.kind
    if kind not in KINDS:
        return _fail(f"unknown kind {kind!r}; one of: {', '.join(KINDS)}")
    try:
        packets = [parse_hex(h) for h in args.hex]
        value = decode_value(kind, packets)
    except DecodeInputError as e:
        return _fail(str(e))
    except (FtmsDecodeError, HeartRateDecodeError) as e:
        return _fail(f"{kind}: {e}")
    print(json.dumps(value, indent=2))
    return EXIT_OK


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "decode",
        help=summary("decode"),
        description=(
            "Decode one FTMS or Heart Rate Service value and print it as JSON, with the\n"
            "deviations from the spec that the decoder tolerated. See docs/decode.md."
        ),
        epilog=(
            "examples:\n"
            '  treadctl decode treadmill-data "04 00 5E 01 10 27 00"\n'
            "  treadctl decode treadmill-data \\\n"
            "      8F:05:40:01:D2:04:00:14:00:FF:7F:78:00:2C:01:05:80:84:03 00:08:5E:01:2C:01\n"
            "  treadctl decode control-point 80 02 03\n"
            '  treadctl decode heart-rate "16 4B 00 04 00 03"'
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("kind", metavar="KIND", help=f"one of: {', '.join(KINDS)}")
    parser.add_argument(
        "hex",
        metavar="HEX",
        nargs="+",
        help=(
            "the bytes, e.g. '04 00 64 00' or 04:00:64:00; for treadmill-data each "
            "argument is one packet of a split record, for other kinds they are joined"
        ),
    )
    parser.set_defaults(handler=run)
