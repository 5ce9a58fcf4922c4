"""Departures from the Heart Rate Service specification that a decoder put up with.

Every decoded value carries a tuple of these, as the FTMS values do, so a user (or a
test) sees what a strap does differently instead of the decoder hiding it.
"""

from enum import StrEnum


class HrsDeviation(StrEnum):
    TRUNCATED = "truncated"
    """A field the flags promise is cut short or missing; what was there is decoded."""
    TRAILING_BYTES = "trailing_bytes"
    """Bytes after the last field the flags announce; ignored."""
    RFU_BITS = "rfu_bits"
    """Reserved flag bits set; ignored."""
    EMPTY_RR_INTERVALS = "empty_rr_intervals"
    """The RR-interval flag is set but no interval follows (no beat since the last packet)."""
    UNKNOWN_CODE = "unknown_code"
    """An enumerated value in the reserved range; kept as its number."""
