"""Training Status (0x2AD3): flags, a status code and an optional UTF-8 string."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from treadctl.ftms.deviations import Deviation
from treadctl.ftms.errors import FtmsDecodeError
from treadctl.ftms.fields import U8, check_int


class TrainingStatus(IntEnum):
    OTHER = 0x00
    IDLE = 0x01
    WARMING_UP = 0x02
    LOW_INTENSITY_INTERVAL = 0x03
    HIGH_INTENSITY_INTERVAL = 0x04
    RECOVERY_INTERVAL = 0x05
    ISOMETRIC = 0x06
    HEART_RATE_CONTROL = 0x07
    FITNESS_TEST = 0x08
    SPEED_OUTSIDE_CONTROL_REGION_LOW = 0x09
    SPEED_OUTSIDE_CONTROL_REGION_HIGH = 0x0A
    COOL_DOWN = 0x0B
    WATT_CONTROL = 0x0C
    MANUAL_MODE = 0x0D
    PRE_WORKOUT = 0x0E
    POST_WORKOUT = 0x0F


STRING_PRESENT = 0x01
EXTENDED_STRING = 0x02


@dataclass(frozen=True, slots=True)
class TrainingStatusValue:
    code: int
    text: str | None = None
    extended: bool = False
    deviations: tuple[Deviation, ...] = ()

    @property
    def status(self) -> TrainingStatus | None:
        """The known status, or None for a code in the reserved range."""
        try:
            return TrainingStatus(self.code)
        except ValueError:
            return None

    def as_dict(self) -> dict[str, Any]:
        status = self.status
        out: dict[str, Any] = {
            "status": status.name.lower() if status is not None else "unknown",
            "status_code": self.code,
        }
        if self.text is not None:
            out["text"] = self.text
        if self.extended:
            out["extended"] = True
        out["deviations"] = [str(d) for d in self.deviations]
        return out


def decode_training_status(data: bytes | bytearray | memoryview) -> TrainingStatusValue:
    """Decode Training Status; a lone byte is taken as the status code.

    Raises:
        FtmsDecodeError: empty value.
    """
    if not data:
        raise FtmsDecodeError("training status is empty")
    deviations: list[Deviation] = []
    if len(data) == 1:
        code = data[0]
        deviations.append(Deviation.SHORT_VALUE)
        flags = 0
    else:
        flags, code = data[0], data[1]
    if flags & ~(STRING_PRESENT | EXTENDED_STRING):
        deviations.append(Deviation.RFU_BITS)
    text: str | None = None
    rest = bytes(data[2:])
    if flags & STRING_PRESENT:
        try:
            text = rest.decode("utf-8")
        except UnicodeDecodeError:
            text = rest.decode("utf-8", errors="replace")
            deviations.append(Deviation.INVALID_UTF8)
    elif rest:
        deviations.append(Deviation.TRAILING_BYTES)
    if code not in TrainingStatus._value2member_map_:
        deviations.append(Deviation.UNKNOWN_CODE)
    return TrainingStatusValue(code, text, bool(flags & EXTENDED_STRING), tuple(deviations))


def encode_training_status(value: TrainingStatusValue) -> bytes:
    flags = (STRING_PRESENT if value.text is not None else 0) | (
        EXTENDED_STRING if value.extended else 0
    )
    text = value.text.encode("utf-8") if value.text is not None else b""
    return bytes((flags, check_int("training status", value.code, U8))) + text
