"""Units used everywhere: one definition of the mph factor and the speed units."""

from __future__ import annotations

from typing import Final, Literal

#: Kilometres per mile (exact, by the international yard of 1959).
KMH_PER_MPH: Final = 1.609344

#: The unit a treadmill puts in its FTMS speed fields: km/h as the spec says, or mph
#: numbers (Bowflex T9, some FitShow modules).
SpeedUnit = Literal["kmh", "mph"]


def kmh_to_mph(kmh: float) -> float:
    return kmh / KMH_PER_MPH


def mph_to_kmh(mph: float) -> float:
    return mph * KMH_PER_MPH
