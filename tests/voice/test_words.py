"""Numbers and units as people say them, in the user's unit."""

from __future__ import annotations

import re

import pytest

from treadctl.voice.words import (
    distance_words,
    duration_words,
    integer_words,
    number_words,
    speakable,
    speed_words,
    word_count,
)
from treadctl.workout.builtin import list_builtin, load_profile
from treadctl.workout.profile import flatten


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "zero"),
        (7, "seven"),
        (13, "thirteen"),
        (20, "twenty"),
        (45, "forty-five"),
        (100, "one hundred"),
        (125, "one hundred and twenty-five"),
        (1000, "one thousand"),
        (1005, "one thousand and five"),
        (2345, "two thousand three hundred and forty-five"),
        (-3, "minus three"),
        (1_000_000, "1000000"),
    ],
)
def test_whole_numbers(n: int, words: str) -> None:
    assert integer_words(n) == words


@pytest.mark.parametrize(
    ("value", "places", "words"),
    [
        (1.5, 1, "one point five"),
        (3.0, 1, "three"),
        (0.8, 1, "zero point eight"),
        (2.25, 1, "two point three"),  # halves away from zero, never truncated
        (0.85, 2, "zero point eight five"),
        (1.10, 2, "one point one"),
        (0.04, 1, "zero"),
        (-1.5, 1, "minus one point five"),
    ],
)
def test_decimals(value: float, places: int, words: str) -> None:
    assert number_words(value, places) == words


def test_speeds_in_the_users_unit() -> None:
    assert speed_words(1.5, "kmh") == "one point five kilometres an hour"
    assert speed_words(1.0, "kmh") == "one kilometre an hour"
    assert speed_words(3.0, "kmh") == "three kilometres an hour"
    assert speed_words(1.609344, "mph") == "one mile an hour"
    assert speed_words(2.4, "mph") == "one point five miles an hour"
    assert speed_words(0.8, "mph") == "zero point five miles an hour"


def test_durations() -> None:
    assert duration_words(1) == "one second"
    assert duration_words(20) == "twenty seconds"
    assert duration_words(60) == "one minute"
    assert duration_words(90) == "one minute thirty seconds"
    assert duration_words(125) == "two minutes five seconds"
    assert duration_words(803) == "thirteen minutes"  # from ten minutes on, to the minute
    assert duration_words(3600) == "one hour"
    assert duration_words(3900) == "one hour five minutes"
    assert duration_words(0) == "zero seconds"


def test_distances() -> None:
    assert distance_words(1234, "kmh") == "one point two kilometres"
    assert distance_words(1000, "kmh") == "one kilometre"
    assert distance_words(523, "kmh") == "five hundred and twenty metres"
    assert distance_words(1609.344, "mph") == "one mile"
    assert distance_words(500, "mph") == "zero point three miles"
    assert distance_words(30, "mph") == "one hundred feet"


def test_runner_messages_are_said_in_words_and_in_the_users_unit() -> None:
    held = "Held at your backward ceiling of 3 km/h."
    assert speakable(held, "kmh") == "Held at your backward ceiling of three kilometres an hour."
    assert speakable(held, "mph") == (
        "Held at your backward ceiling of one point nine miles an hour."
    )
    warning = "Turn coming: the belt slows down in 5 s. Hands on the rails."
    assert speakable(warning, "kmh") == (
        "Turn coming: the belt slows down in five seconds. Hands on the rails."
    )
    heart = "Heart rate 152 bpm is above your 150 bpm ceiling."
    assert speakable(heart, "kmh") == (
        "Heart rate one hundred and fifty-two beats a minute is above your one hundred "
        "and fifty beats a minute ceiling."
    )
    assert speakable("Hold 8 % for 1 s", "kmh") == "Hold eight percent for one second"
    assert speakable("If the machine counts in mph, set km/h", "kmh") == (
        "If the machine counts in miles an hour, set kilometres an hour"
    )


def test_every_builtin_cue_is_said_without_digits_or_unit_symbols() -> None:
    for profile_id, _ in list_builtin():
        for segment in flatten(load_profile(profile_id)):
            for cue in segment.cues:
                for units in ("kmh", "mph"):
                    said = speakable(cue.text, units)
                    assert not re.search(r"\d|km/h|%", said), (profile_id, cue.text, said)


def test_word_count_counts_what_is_heard() -> None:
    assert word_count("Turn coming in five seconds, hands on the rails.") == 9
    assert word_count("twenty-five") == 2
    assert word_count("") == 0
