"""Error messages name the file, the segment (number and label), the field and the value."""

from __future__ import annotations

from pathlib import Path

import pytest

from treadctl.config import load_settings
from treadctl.workout.loader import load_profile_file
from treadctl.workout.profile import CeilingError, ProfileError, check_against

from .conftest import WriteFile

HEAD = 'title = "Test"\n'
WARM_UP = """
[[segments]]
label = "Warm-up"
direction = "forward"
speed_kmh = 4.0
duration = "2m"
"""


def _segment(label: str, **fields: str) -> str:
    values = {"direction": '"backward"', "speed_kmh": "1.0", "duration": '"20s"', **fields}
    body = "".join(f"{key} = {value}\n" for key, value in values.items() if value)
    return f'\n[[segments]]\nlabel = "{label}"\n{body}'


def _error(write_file: WriteFile, text: str, name: str = "bad.toml") -> str:
    path = write_file(name, text)
    with pytest.raises(ProfileError) as caught:
        load_profile_file(path)
    assert isinstance(caught.value, ValueError)
    return str(caught.value)


def test_bad_value_names_file_segment_field_and_value(write_file: WriteFile) -> None:
    message = _error(write_file, HEAD + WARM_UP + _segment("Backward bout", speed_kmh="-1.5"))
    assert message.startswith("bad.toml: ") or "/bad.toml: " in message
    assert 'segment 2 ("Backward bout"), field speed_kmh: -1.5 is not valid' in message
    assert "greater than 0" in message


def test_speed_above_any_treadmill_is_refused(write_file: WriteFile) -> None:
    message = _error(write_file, HEAD + _segment("Bout", speed_kmh="45.0"))
    assert 'segment 1 ("Bout"), field speed_kmh: 45.0' in message


def test_error_inside_nested_repeats_names_the_whole_path(write_file: WriteFile) -> None:
    text = (
        HEAD
        + WARM_UP
        + """
[[segments]]
label = "Outer"
times = 2

  [[segments.segments]]
  label = "Inner"
  times = 3

    [[segments.segments.segments]]
    label = "Fine"
    direction = "forward"
    speed_kmh = 3.0
    duration = "10s"

    [[segments.segments.segments]]
    label = "Deep bout"
    direction = "backward"
    speed_kmh = 1.0
    incline_pct = 99
    duration = "10s"
"""
    )
    message = _error(write_file, text)
    assert (
        'segment 2 ("Outer") > segment 1 ("Inner") > segment 2 ("Deep bout"), '
        "field incline_pct: 99 is not valid" in message
    )


def test_unknown_key_in_a_segment_is_an_error_with_a_suggestion(write_file: WriteFile) -> None:
    message = _error(write_file, HEAD + WARM_UP + _segment("Bout", speeed_kmh="2.0", speed_kmh=""))
    assert "unknown key 'speeed_kmh' (= 2.0)" in message
    assert "did you mean 'speed_kmh'?" in message
    assert 'segment 2 ("Bout")' in message


def test_unknown_top_level_key(write_file: WriteFile) -> None:
    message = _error(write_file, 'titel = "x"\n' + WARM_UP)
    assert "bad.toml: unknown key 'titel'" in message
    assert "did you mean 'title'?" in message


def test_unknown_key_in_limits(write_file: WriteFile) -> None:
    message = _error(write_file, HEAD + "[limits]\nmax_speed = 3\n" + WARM_UP)
    assert "limits: unknown key 'max_speed' (= 3)" in message


def test_unknown_key_in_a_cue(write_file: WriteFile) -> None:
    text = (
        HEAD
        + _segment("Bout")
        + '  [[segments.cues]]\n  at = "1s"\n  text = "x"\n  voice = "loud"\n'
    )
    message = _error(write_file, text)
    assert "segment 1 (\"Bout\"), cue 1: unknown key 'voice'" in message


def test_bad_duration_names_the_field_and_text(write_file: WriteFile) -> None:
    message = _error(write_file, HEAD + _segment("Bout", duration='"3x"'))
    assert "field duration: '3x' is not a duration" in message


def test_missing_speed_says_which_keys_may_give_it(write_file: WriteFile) -> None:
    message = _error(write_file, HEAD + _segment("Bout", speed_kmh=""))
    assert 'segment 1 ("Bout"), field speed_kmh: missing; give speed_kmh or speed_mph' in message


def test_both_speeds_are_refused(write_file: WriteFile) -> None:
    message = _error(write_file, HEAD + _segment("Bout", speed_mph="1.0"))
    assert 'segment 1 ("Bout"), field speed_mph: give the speed once' in message


def test_bad_speed_mph_is_reported_under_its_own_name(write_file: WriteFile) -> None:
    message = _error(write_file, HEAD + _segment("Bout", speed_kmh="", speed_mph="-2"))
    assert "field speed_mph: -2 is not above 0 mph" in message


def test_duration_given_twice_is_refused(write_file: WriteFile) -> None:
    message = _error(write_file, HEAD + _segment("Bout", duration_s="20"))
    assert "duration and duration_s are the same field (duration_s); give only one" in message


def test_wrong_direction(write_file: WriteFile) -> None:
    message = _error(write_file, HEAD + _segment("Bout", direction='"sideways"'))
    assert "field direction: 'sideways' is not valid" in message
    assert "'forward' or 'backward'" in message


def test_bool_is_not_a_speed(write_file: WriteFile) -> None:
    message = _error(write_file, HEAD + _segment("Bout", speed_kmh="true"))
    assert "field speed_kmh: True is not valid" in message


def test_negative_cue_offset_is_refused(write_file: WriteFile) -> None:
    text = HEAD + _segment("Bout") + '  [[segments.cues]]\n  at = "-5s"\n  text = "x"\n'
    message = _error(write_file, text)
    assert "segment 1 (\"Bout\"), cue 1, field at: '-5s'" in message


def test_empty_repeat_is_refused(write_file: WriteFile) -> None:
    message = _error(write_file, HEAD + '[[segments]]\nlabel = "Loop"\ntimes = 3\nsegments = []\n')
    assert 'segment 1 ("Loop"), field segments: needs at least one segment' in message


def test_repeat_without_times(write_file: WriteFile) -> None:
    text = (
        HEAD
        + '[[segments]]\nlabel = "Loop"\n'
        + '[[segments.segments]]\ndirection = "forward"\nspeed_kmh = 3.0\nduration = "1m"\n'
    )
    message = _error(write_file, text)
    assert 'segment 1 ("Loop"), field times: missing' in message


def test_segment_that_is_not_a_table(write_file: WriteFile) -> None:
    message = _error(write_file, HEAD + "segments = [1]\n")
    assert "segment 1: each segment must be a table of keys" in message


def test_every_problem_is_reported_on_its_own_line(write_file: WriteFile) -> None:
    text = HEAD + _segment("A", speed_kmh="-1") + _segment("B", duration='"0s"')
    lines = _error(write_file, text).splitlines()
    assert len(lines) == 2
    assert 'segment 1 ("A")' in lines[0]
    assert 'segment 2 ("B"), field duration' in lines[1]
    assert all("bad.toml: " in line for line in lines)


def test_every_problem_of_one_segment_is_reported_at_once(write_file: WriteFile) -> None:
    # Both speeds (and a bad kmh one), and a negative duration: three problems, three lines.
    text = HEAD + _segment("Bout", speed_kmh="0", speed_mph="1", duration='"-3s"')
    lines = _error(write_file, text).splitlines()
    assert len(lines) == 3
    assert all('bad.toml: segment 1 ("Bout"), field ' in line for line in lines)
    assert "field speed_mph: give the speed once" in lines[0]
    assert "field speed_kmh: 0 is not valid: input should be greater than 0" in lines[1]
    assert "field duration: '-3s' is not a duration" in lines[2]


def test_a_bad_mph_speed_is_reported_with_the_other_problems(write_file: WriteFile) -> None:
    text = HEAD + _segment("Bout", speed_kmh="", speed_mph="-2", direction='"sideways"')
    lines = _error(write_file, text).splitlines()
    assert len(lines) == 2
    assert "field speed_mph: -2 is not above 0 mph" in lines[0]
    assert "field direction: 'sideways' is not valid" in lines[1]
    assert not any("missing" in line for line in lines)  # the mph speed was given


def test_every_cue_outside_its_segment_is_reported(write_file: WriteFile) -> None:
    cue = '  [[segments.cues]]\n  at = "{at}"\n  text = "{text}"\n'
    text = (
        HEAD
        + _segment("Bout")
        + cue.format(at="25s", text="late")
        + cue.format(at="5s", text="fine")
        + cue.format(at="1m", text="later")
    )
    lines = [line.partition("bad.toml: ")[2] for line in _error(write_file, text).splitlines()]
    assert lines == [
        "segment 1 (\"Bout\"), cue 'late', field at: 25s is not inside the segment, "
        "which lasts 20s",
        "segment 1 (\"Bout\"), cue 'later', field at: 1m is not inside the segment, "
        "which lasts 20s",
    ]


def test_every_segment_above_the_profiles_own_limits_is_reported(write_file: WriteFile) -> None:
    text = (
        HEAD
        + "[limits]\nmax_backward_speed_kmh = 1.0\n"
        + _segment("A", speed_kmh="2.0")
        + _segment("B", speed_kmh="1.0")
        + _segment("C", speed_kmh="1.5")
    )
    lines = _error(write_file, text).splitlines()
    assert len(lines) == 2
    assert 'segment 1 ("A"), field speed_kmh: 2.0 is above this profile\'s own' in lines[0]
    assert 'segment 3 ("C"), field speed_kmh: 1.5 is above this profile\'s own' in lines[1]


def test_toml_syntax_error_names_file_and_line(write_file: WriteFile) -> None:
    message = _error(write_file, 'title = "x"\n\nspeed_kmh = = 3\n')
    assert "bad.toml: line 3, column" in message
    assert "not valid TOML" in message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match=r"nope\.toml: no such file"):
        load_profile_file(tmp_path / "nope.toml")


# Ceilings: a valid profile above the user's ceilings is refused with a way out.


def test_backward_speed_above_ceiling_says_how_to_raise_it(
    write_file: WriteFile, config_path: Path
) -> None:
    profile = load_profile_file(
        write_file("fast.toml", HEAD + WARM_UP + _segment("Backward bout", speed_kmh="3.5"))
    )
    with pytest.raises(CeilingError) as caught:
        check_against(profile, load_settings())
    message = str(caught.value)
    assert (
        'fast.toml: segment 2 ("Backward bout"), field speed_kmh: 3.5 km/h is above your '
        "backward speed ceiling of 3.0 km/h" in message
    )
    assert f"in {config_path}:" in message
    assert "max_backward_speed_kmh = 3.5" in message
    assert "TREADCTL_MAX_BACKWARD_SPEED_KMH=3.5" in message
    assert caught.value.needed == {"max_backward_speed_kmh": 3.5}
    assert isinstance(caught.value, ProfileError)


def test_raised_ceiling_lets_the_profile_run(
    write_file: WriteFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    profile = load_profile_file(write_file("fast.toml", HEAD + _segment("Bout", speed_kmh="3.5")))
    monkeypatch.setenv("TREADCTL_MAX_BACKWARD_SPEED_KMH", "3.5")
    check_against(profile, load_settings())  # exactly at the ceiling is allowed


def test_incline_ceiling(write_file: WriteFile) -> None:
    profile = load_profile_file(
        write_file("steep.toml", HEAD + _segment("Climb", incline_pct="7.0"))
    )
    with pytest.raises(CeilingError) as caught:
        check_against(profile, load_settings())
    message = str(caught.value)
    assert 'segment 1 ("Climb"), field incline_pct: 7.0 % is above your backward incline' in message
    assert "max_backward_incline_pct = 7.0" in message
    assert "TREADCTL_MAX_BACKWARD_INCLINE_PCT=7.0" in message


def test_forward_incline_is_not_held_to_the_backward_ceiling(write_file: WriteFile) -> None:
    text = HEAD + _segment("Hill", direction='"forward"', speed_kmh="5.0", incline_pct="10.0")
    check_against(load_profile_file(write_file("hill.toml", text)), load_settings())


def test_mph_segment_is_reported_in_mph(write_file: WriteFile) -> None:
    profile = load_profile_file(
        write_file("mph.toml", HEAD + _segment("Bout", speed_kmh="", speed_mph="4.0"))
    )
    with pytest.raises(CeilingError) as caught:
        check_against(profile, load_settings())
    message = str(caught.value)
    assert "field speed_mph: 4.0 mph (6.44 km/h)" in message
    assert "max_backward_speed_kmh = 6.44" in message  # rounded up, so it is enough


def test_forward_speed_ceiling(write_file: WriteFile) -> None:
    profile = load_profile_file(
        write_file("run.toml", HEAD + _segment("Run", direction='"forward"', speed_kmh="14.0"))
    )
    with pytest.raises(CeilingError, match=r"forward speed ceiling of 12\.0 km/h") as caught:
        check_against(profile, load_settings())
    assert caught.value.needed == {"max_forward_speed_kmh": 14.0}


def test_each_segment_is_reported_once_even_when_repeated(write_file: WriteFile) -> None:
    text = (
        HEAD
        + "[[segments]]\ntimes = 5\n"
        + '[[segments.segments]]\ndirection = "backward"\nspeed_kmh = 4.0\nduration = "20s"\n'
    )
    with pytest.raises(CeilingError) as caught:
        check_against(load_profile_file(write_file("r.toml", text)), load_settings())
    assert len(caught.value.problems) == 1


def test_braces_in_user_text_are_shown_as_written(write_file: WriteFile) -> None:
    message = _error(write_file, HEAD + _segment("{field}", duration='"{x}"'))
    assert "segment 1 (\"{field}\"), field duration: '{x}' is not a duration" in message


def _nested(depth: int, times: int) -> str:
    """``depth`` repeats of ``times``, one inside the other, around one 1 s segment."""
    text = HEAD
    table = "segments"
    for _ in range(depth):
        text += f"\n[[{table}]]\ntimes = {times}\n"
        table += ".segments"
    text += f'\n[[{table}]]\ndirection = "forward"\nspeed_kmh = 3.0\nduration = "1s"\n'
    return text


@pytest.mark.parametrize(("depth", "times"), [(4, 100), (3, 100)])
def test_repeats_that_explode_are_refused_before_they_are_expanded(
    write_file: WriteFile, depth: int, times: int
) -> None:
    # 10^8 and 10^6 segments: counted, never built (this would exhaust memory or run 277 h).
    message = _error(write_file, _nested(depth, times))
    assert f"{times**depth:,} segments" in message
    assert "at most 10,000 segments" in message
    assert "bad.toml" in message


def test_a_big_but_possible_workout_is_fine(write_file: WriteFile) -> None:
    path = write_file("ok.toml", _nested(2, 100))  # 10,000 one-second segments
    assert load_profile_file(path).segments
