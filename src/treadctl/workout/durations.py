"""Durations as people write them in profiles: ``20s``, ``3m``, ``1m30s``, ``1h5m`` or ``90``.

A plain number is seconds. Units go largest first, each at most once, and the number in
front of a unit may have a decimal part (``1.5m``). Zero and negative durations are refused
unless the caller allows zero (a cue at the very start of a segment sits at ``0s``).
"""

from __future__ import annotations

import math
import re

from treadctl.errors import TreadctlError

_PART = r"(?:(?P<{0}>\d+(?:\.\d+)?)\s*{0})?"
_DURATION = re.compile(
    r"^" + r"\s*".join(_PART.format(unit) for unit in ("h", "m", "s")) + r"$",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
_SECONDS_PER = {"h": 3600.0, "m": 60.0, "s": 1.0}

#: What the error messages suggest.
EXAMPLES = "20s, 3m, 1m30s, 1h5m, or a plain number of seconds"


class DurationError(TreadctlError, ValueError):
    """A duration could not be read, or is not allowed where it was used."""


def parse_duration(value: str | int | float, *, allow_zero: bool = False) -> float:
    """Seconds in ``value``; raises :class:`DurationError` with the offending text."""
    if isinstance(value, bool):  # bool is an int, but `true` is never a duration
        raise DurationError(f"{value!r} is not a duration (write it like {EXAMPLES})")
    seconds = float(value) if isinstance(value, int | float) else _parse_text(value)
    if not math.isfinite(seconds):
        raise DurationError(f"{value!r} is not a finite duration")
    if seconds < 0:
        raise DurationError(f"{value!r} is negative; durations count forward from zero")
    if seconds == 0 and not allow_zero:
        raise DurationError(f"{value!r} is zero; a duration must be longer than that")
    return seconds


def _parse_text(text: str) -> float:
    stripped = text.strip()
    if _NUMBER.match(stripped):
        return float(stripped)
    match = _DURATION.match(stripped)
    if not stripped or match is None or not any(match.groupdict().values()):
        raise DurationError(f"{text!r} is not a duration (write it like {EXAMPLES})")
    return sum(
        float(number) * _SECONDS_PER[unit]
        for unit, number in match.groupdict().items()
        if number is not None
    )


def format_duration(seconds: float) -> str:
    """The shortest text :func:`parse_duration` reads back: ``90`` -> ``1m30s``.

    Seconds are shown to a tenth when they are not whole (ramps split by a
    ``.zwo`` import can give such steps).
    """
    if seconds < 0:
        return "-" + format_duration(-seconds)
    tenths = round(seconds * 10)
    whole, tenth = divmod(tenths, 10)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if hours:
        parts.append(f"{hours}h")
    if minutes:
        parts.append(f"{minutes}m")
    if secs or tenth or not parts:
        parts.append(f"{secs}.{tenth}s" if tenth else f"{secs}s")
    return "".join(parts)
