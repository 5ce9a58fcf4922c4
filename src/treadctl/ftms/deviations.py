"""Deviations from the FTMS specification that a decoder tolerated.

Every decoded value carries a tuple of these, so a user (or a test) can see what a
machine does differently, instead of the decoder silently papering over it.
"""

from enum import StrEnum


class Deviation(StrEnum):
    TRUNCATED = "truncated"
    """The value is shorter than its flags or op code promise; what was there is decoded."""
    TRAILING_BYTES = "trailing_bytes"
    """Bytes after the last field; ignored (FTMP §4.4.2)."""
    RFU_BITS = "rfu_bits"
    """Reserved flag or feature bits set; ignored together with any data they carry."""
    STEP_COUNT_BIT13 = "step_count_bit13"
    """Non-standard Treadmill Data flag bit 13: a step count after the standard fields."""
    NOT_AVAILABLE_NONSTANDARD = "not_available_nonstandard"
    """A "not available" marker where the spec has none (0x7FFF or 0xFFFF, unsigned)."""
    UNKNOWN_CODE = "unknown_code"
    """An enumerated value in the reserved range; kept as its number."""
    SHORT_VALUE = "short_value"
    """A one-byte Training Status or Machine Type where the spec has more."""
    PACE_UINT16 = "pace_uint16"
    """Pace fields sent as uint16 seconds per 500 m (newer GSS layout) rather than uint8."""
    BYTE_SWAPPED = "byte_swapped"
    """A multi-byte field sent most-significant byte first."""
    INVALID_UTF8 = "invalid_utf8"
    """A string that is not valid UTF-8; bad bytes replaced."""
    ZERO_INCREMENT = "zero_increment"
    """A supported range with a zero (or missing) minimum increment."""
    RANGE_REVERSED = "range_reversed"
    """A supported range whose minimum is above its maximum; swapped."""
