"""Numbers and units as people say them: "one point five kilometres an hour".

Every phrase the voice speaks goes through here, so each engine gets the same words (a
speech engine left to read "1.5 km/h" may say "one dot five k m slash h"). English only,
like the rest of treadctl's wording. Small whole numbers and one or two decimals are all
a workout needs; a larger number is left in digits for the engine.
"""

from __future__ import annotations

import math
import re

from treadctl.config import DisplayUnits
from treadctl.units import KMH_PER_MPH

FEET_PER_METRE = 3.28084

_ONES = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
#: Above this, a whole number is left in digits (the engine reads it).
LARGEST_SPELLED = 999_999


def integer_words(n: int) -> str:
    """``125`` -> "one hundred and twenty-five" (British "and", as in "kilometres")."""
    if n < 0:
        return "minus " + integer_words(-n)
    if n < 20:
        return _ONES[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return _TENS[tens] + (f"-{_ONES[ones]}" if ones else "")
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        head = f"{_ONES[hundreds]} hundred"
        return head + (f" and {integer_words(rest)}" if rest else "")
    if n <= LARGEST_SPELLED:
        thousands, rest = divmod(n, 1000)
        head = f"{integer_words(thousands)} thousand"
        if not rest:
            return head
        return head + (" and " if rest < 100 else " ") + integer_words(rest)
    return str(n)


def number_words(value: float, places: int = 1) -> str:
    """``1.5`` -> "one point five", ``3.0`` -> "three", ``0.85`` (places=2) -> "zero point
    eight five". Rounded to ``places`` decimals, halves away from zero."""
    scaled = math.floor(abs(value) * 10**places + 0.5)
    whole, fraction = divmod(scaled, 10**places)
    sign = "minus " if value < 0 and scaled else ""
    words = sign + integer_words(whole)
    if fraction:
        digits = f"{fraction:0{places}d}".rstrip("0")
        words += " point " + " ".join(_ONES[int(d)] for d in digits)
    return words


def _plural(value_words: str, singular: str, plural: str) -> str:
    return f"{value_words} {singular if value_words == 'one' else plural}"


def speed_words(speed_kmh: float, units: DisplayUnits) -> str:
    """A belt speed in the user's unit: "one point five kilometres an hour"."""
    if units == "mph":
        return _plural(number_words(speed_kmh / KMH_PER_MPH), "mile an hour", "miles an hour")
    return _plural(number_words(speed_kmh), "kilometre an hour", "kilometres an hour")


def distance_words(distance_m: float, units: DisplayUnits) -> str:
    """ "one point two kilometres", "five hundred and twenty metres", "zero point three miles"."""
    if units == "mph":
        miles = distance_m / 1000 / KMH_PER_MPH
        if miles >= 0.1:
            return _plural(number_words(miles), "mile", "miles")
        feet = round(distance_m * FEET_PER_METRE / 10) * 10
        return _plural(integer_words(feet), "foot", "feet")
    if distance_m >= 1000:
        return _plural(number_words(distance_m / 1000), "kilometre", "kilometres")
    metres = round(distance_m / 10) * 10
    return _plural(integer_words(metres), "metre", "metres")


#: A duration at least this long is said to the minute ("thirteen minutes").
WHOLE_MINUTES_FROM_S = 600


def duration_words(seconds: float) -> str:
    """``90`` -> "one minute thirty seconds", ``3600`` -> "one hour"; from ten minutes
    on, to the nearest minute."""
    total = max(0, round(seconds))
    if total >= WHOLE_MINUTES_FROM_S:
        total = round(total / 60) * 60
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if hours:
        parts.append(_plural(integer_words(hours), "hour", "hours"))
    if minutes:
        parts.append(_plural(integer_words(minutes), "minute", "minutes"))
    if secs or not parts:
        parts.append(_plural(integer_words(secs), "second", "seconds"))
    return " ".join(parts)


_NUMBER = r"(\d+(?:\.\d+)?)"
_SPEED = re.compile(_NUMBER + r"\s*km/h")
_SECONDS = re.compile(_NUMBER + r"\s*s\b")
_PERCENT = re.compile(_NUMBER + r"\s*%")
_BPM = re.compile(_NUMBER + r"\s*bpm\b")
_KCAL = re.compile(_NUMBER + r"\s*kcal\b")
_BARE = re.compile(_NUMBER)
_UNIT_WORDS = (
    (re.compile(r"\bkm/h\b|km/h"), "kilometres an hour"),
    (re.compile(r"\bmph\b"), "miles an hour"),
)


def _places(text: str) -> int:
    _, _, decimals = text.partition(".")
    return min(len(decimals), 2)


def speakable(text: str, units: DisplayUnits) -> str:
    """Free text (a cue, a safety message) with its numbers and units in words.

    Speeds in km/h are converted when the user's unit is mph, so a message written in
    km/h is heard in the unit the person knows.
    """

    def speed(m: re.Match[str]) -> str:
        return speed_words(float(m[1]), units)

    def seconds(m: re.Match[str]) -> str:
        return _plural(number_words(float(m[1]), _places(m[1])), "second", "seconds")

    def percent(m: re.Match[str]) -> str:
        return f"{number_words(float(m[1]), _places(m[1]))} percent"

    def bpm(m: re.Match[str]) -> str:
        return f"{number_words(float(m[1]), 0)} beats a minute"

    def kcal(m: re.Match[str]) -> str:
        return f"{number_words(float(m[1]), 0)} kilocalories"

    def bare(m: re.Match[str]) -> str:
        return number_words(float(m[1]), _places(m[1]))

    out = _SPEED.sub(speed, text)
    out = _SECONDS.sub(seconds, out)
    out = _PERCENT.sub(percent, out)
    out = _BPM.sub(bpm, out)
    out = _KCAL.sub(kcal, out)
    out = _BARE.sub(bare, out)
    for pattern, words in _UNIT_WORDS:
        out = pattern.sub(words, out)
    return out


def word_count(text: str) -> int:
    """Words as a listener hears them ("twenty-five" is two)."""
    return len(re.findall(r"[A-Za-z']+", text))
