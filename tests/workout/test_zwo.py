"""Zwift .zwo run workouts import as forward segments at fractions of a reference speed."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from treadctl.config import ConfigError, Settings, load_settings
from treadctl.ftms.ranges import SupportedRange
from treadctl.workout.builtin import load_profile
from treadctl.workout.profile import (
    CeilingError,
    Profile,
    ProfileError,
    Repeat,
    Segment,
    check_against,
    flatten,
    summarize,
)
from treadctl.workout.zwo import (
    FREE_RIDE_FRACTION,
    MIN_RAMP_STEP_S,
    ZwoReference,
    load_zwo,
    zwo_reference,
)

from .conftest import WriteFile

RUN = """<?xml version="1.0" encoding="UTF-8"?>
<workout_file>
  <author>Coach</author>
  <name>Tempo run</name>
  <description>Steady, ramps and intervals.</description>
  <sportType>run</sportType>
  <workout>
    <Warmup Duration="120" PowerLow="0.5" PowerHigh="0.7" pace="0"/>
    <SteadyState Duration="300" Power="0.8" Cadence="170">
      <textevent timeoffset="0" message="Settle in."/>
      <textevent timeoffset="60" message="Relax your shoulders."/>
    </SteadyState>
    <IntervalsT Repeat="3" OnDuration="60" OffDuration="90" OnPower="1.0" OffPower="0.6">
      <textevent timeoffset="10" message="Quick feet."/>
      <textevent timeoffset="70" message="Easy now."/>
    </IntervalsT>
    <FreeRide Duration="60"/>
    <Cooldown Duration="90" PowerLow="0.7" PowerHigh="0.4"/>
    <gameplayevent timeoffset="5" type="GPE_CELEBRATION"/>
  </workout>
</workout_file>
"""


def _load(
    write_file: WriteFile, text: str, name: str = "run.zwo", reference: float = 10.0
) -> Profile:
    return load_zwo(write_file(name, text), ZwoReference.given(reference))


def test_imports_a_run_workout_as_forward_segments(write_file: WriteFile) -> None:
    profile = _load(write_file, RUN)
    assert profile.name == "run"
    assert profile.title == "Tempo run"
    assert profile.description == "Steady, ramps and intervals."
    assert "10 km/h" in profile.sources[0]
    flat = flatten(profile)
    assert all(f.direction == "forward" for f in flat)
    assert summarize(profile).total_s == 120 + 300 + 3 * (60 + 90) + 60 + 90


def test_warmup_becomes_30_second_steps_from_low_to_high_on_the_grid(
    write_file: WriteFile,
) -> None:
    flat = flatten(_load(write_file, RUN))
    warmup = [f for f in flat if f.label.startswith("Warmup")]
    assert [f.duration_s for f in warmup] == [30.0] * 4
    # The ramp's values at the middle of each step (5.25, 5.75, ...) on the 0.1 km/h grid.
    assert [f.speed_kmh for f in warmup] == [5.3, 5.8, 6.3, 6.8]


def test_cooldown_goes_from_power_low_down_to_power_high(write_file: WriteFile) -> None:
    flat = flatten(_load(write_file, RUN))
    cooldown = [f.speed_kmh for f in flat if f.label.startswith("Cooldown")]
    assert cooldown == [6.5, 5.5, 4.5]


def test_steady_state_with_text_events_as_cues(write_file: WriteFile) -> None:
    steady = flatten(_load(write_file, RUN))[4]
    assert steady.speed_kmh == 8.0
    assert steady.duration_s == 300.0
    assert [(c.at_s, c.text) for c in steady.cues] == [
        (0.0, "Settle in."),
        (60.0, "Relax your shoulders."),
    ]


def test_intervals_become_a_repeat_with_cues_on_the_right_part(write_file: WriteFile) -> None:
    profile = _load(write_file, RUN)
    repeat = profile.segments[5]
    assert isinstance(repeat, Repeat)
    assert repeat.times == 3
    on, off = repeat.segments
    assert isinstance(on, Segment)
    assert isinstance(off, Segment)
    assert (on.speed_kmh, on.duration_s, off.speed_kmh, off.duration_s) == (10.0, 60.0, 6.0, 90.0)
    assert [(c.at_s, c.text) for c in on.cues] == [(10.0, "Quick feet.")]
    assert [(c.at_s, c.text) for c in off.cues] == [(10.0, "Easy now.")]


def test_free_ride_uses_the_documented_fraction(write_file: WriteFile) -> None:
    free = next(f for f in flatten(_load(write_file, RUN)) if f.label.startswith("FreeRide"))
    assert free.speed_kmh == pytest.approx(10.0 * FREE_RIDE_FRACTION)


def test_cue_in_a_later_interval_pass_unrolls_the_repeat(write_file: WriteFile) -> None:
    text = """<workout_file><workout>
    <IntervalsT Repeat="2" OnDuration="30" OffDuration="30" OnPower="0.9" OffPower="0.5">
      <textevent timeoffset="75" message="Last one!"/>
    </IntervalsT></workout></workout_file>"""
    flat = flatten(_load(write_file, text))
    assert len(flat) == 4
    assert [c.text for c in flat[2].cues] == ["Last one!"]
    assert flat[2].cues[0].at_s == 15.0
    assert not flat[0].cues


def test_ramp_with_both_ends_equal_and_short_duration_is_one_step(write_file: WriteFile) -> None:
    text = (
        '<workout_file><workout><Ramp Duration="10" PowerLow="0.6" PowerHigh="0.6"/>'
        "</workout></workout_file>"
    )
    flat = flatten(_load(write_file, text))
    assert [(f.speed_kmh, f.duration_s) for f in flat] == [(6.0, 10.0)]


def test_distance_workout_turns_metres_into_seconds(write_file: WriteFile) -> None:
    text = """<workout_file><durationType>distance</durationType><workout>
    <SteadyState Duration="1000" Power="1.0"/></workout></workout_file>"""
    (segment,) = flatten(_load(write_file, text, reference=12.0))
    assert segment.duration_s == 300.0  # 1 km at 12 km/h


def test_malformed_xml_names_the_file_and_line(write_file: WriteFile) -> None:
    with pytest.raises(ProfileError, match=r"broken\.zwo: line 3, column \d+: not valid XML"):
        _load(write_file, "<workout_file>\n<workout>\n<SteadyState Duration=>\n", name="broken.zwo")


def test_bike_workouts_are_refused(write_file: WriteFile) -> None:
    text = "<workout_file><sportType>bike</sportType><workout/></workout_file>"
    with pytest.raises(ProfileError, match="a bike workout; only run workouts"):
        _load(write_file, text)


def test_unknown_element_is_refused_by_name(write_file: WriteFile) -> None:
    text = (
        '<workout_file><workout><SteadyState Duration="60" Power="0.8"/>'
        '<Sprint Duration="5"/></workout></workout_file>'
    )
    with pytest.raises(ProfileError, match=r"workout step 2 <Sprint>"):
        _load(write_file, text)


def test_missing_attribute_is_named(write_file: WriteFile) -> None:
    text = '<workout_file><workout><SteadyState Power="0.8"/></workout></workout_file>'
    with pytest.raises(
        ProfileError, match=r"workout step 1 <SteadyState>: needs the attribute Duration"
    ):
        _load(write_file, text)


def test_load_profile_needs_a_reference_speed_for_zwo(write_file: WriteFile) -> None:
    path = write_file("run.zwo", RUN)
    with pytest.raises(ProfileError, match="--reference-speed"):
        load_profile(path)
    assert load_profile(path, zwo=ZwoReference.given(9.0)).title == "Tempo run"


def test_imported_speeds_meet_the_forward_ceiling(
    write_file: WriteFile, settings: Settings
) -> None:
    profile = _load(write_file, RUN, reference=15.0)  # intervals at 15 km/h
    with pytest.raises(CeilingError, match=r"forward speed ceiling of 12\.0 km/h"):
        check_against(profile, settings)
    check_against(_load(write_file, RUN, reference=10.0), settings)


DISTANCE_TINY = """<workout_file><sportType>run</sportType><durationType>distance</durationType>
<workout><SteadyState Duration="1000" Power="0.0001"/></workout></workout_file>"""
HUGE_RAMP = """<workout_file><sportType>run</sportType>
<workout><Warmup Duration="1e12" PowerLow="0.5" PowerHigh="0.7"/></workout></workout_file>"""
HUGE_REPEAT = """<workout_file><sportType>run</sportType><workout>
<IntervalsT Repeat="1e9" OnDuration="60" OffDuration="60" OnPower="1" OffPower="0.5">
<textevent timeoffset="100" message="x"/></IntervalsT></workout></workout_file>"""


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        (DISTANCE_TINY, "gives no speed"),
        (HUGE_RAMP, "lasts 277,777,778 hours"),
        (HUGE_REPEAT, "more than 100 repeats"),
    ],
)
def test_fuzzed_zwo_files_get_a_clear_error_not_a_crash(
    write_file: WriteFile, text: str, complaint: str
) -> None:
    with pytest.raises(ProfileError, match=complaint) as caught:
        _load(write_file, text, "fuzzed.zwo")
    assert "fuzzed.zwo" in str(caught.value)


# Ramps: steps the treadmill can take.


def _ramp(write_file: WriteFile, ramp: str, reference: ZwoReference) -> list[tuple[float, float]]:
    path = write_file("ramp.zwo", f"<workout_file><workout>{ramp}</workout></workout_file>")
    return [(f.speed_kmh, f.duration_s) for f in flatten(load_zwo(path, reference))]


def _on_grid(speed_kmh: float, increment_kmh: float, origin_kmh: float = 0.0) -> bool:
    steps = (speed_kmh - origin_kmh) / increment_kmh
    return abs(steps - round(steps)) < 1e-6


@pytest.mark.parametrize(
    ("low", "high", "duration_s"),
    [(0.5, 0.55, 600), (0.5, 0.7, 600), (0.9, 0.4, 300), (0.6, 0.61, 45), (0.3, 1.2, 3600)],
)
def test_ramp_steps_are_on_the_grid_apart_and_not_too_short(
    write_file: WriteFile, low: float, high: float, duration_s: int
) -> None:
    ramp = f'<Ramp Duration="{duration_s}" PowerLow="{low}" PowerHigh="{high}"/>'
    steps = _ramp(write_file, ramp, ZwoReference.given(10.0))
    assert all(_on_grid(speed, 0.1) for speed, _ in steps)
    assert all(abs(a - b) >= 0.1 - 1e-9 for (a, _), (b, _) in itertools.pairwise(steps))
    assert all(seconds >= MIN_RAMP_STEP_S for _, seconds in steps) or len(steps) == 1
    assert sum(seconds for _, seconds in steps) == pytest.approx(duration_s, abs=0.5)
    speeds = [speed for speed, _ in steps]
    assert speeds == sorted(speeds, reverse=high < low)  # always towards the end


def test_a_gentle_ramp_has_one_step_per_grid_speed(write_file: WriteFile) -> None:
    # 5.0 to 5.5 km/h over ten minutes: five steps of 0.1 km/h, two minutes each.
    steps = _ramp(
        write_file,
        '<Warmup Duration="600" PowerLow="0.5" PowerHigh="0.55"/>',
        ZwoReference.given(10),
    )
    assert steps == [(5.1, 120.0), (5.2, 120.0), (5.3, 120.0), (5.4, 120.0), (5.5, 120.0)]


def test_a_ramp_takes_the_treadmills_own_speed_step(write_file: WriteFile) -> None:
    coarse = SupportedRange(minimum=0.5, maximum=20.0, increment=0.5)
    reference = ZwoReference.given(10.0).on_grid_of(coarse)
    steps = _ramp(write_file, '<Warmup Duration="600" PowerLow="0.5" PowerHigh="0.7"/>', reference)
    assert steps == [(5.5, 150.0), (6.0, 150.0), (6.5, 150.0), (7.0, 150.0)]


def test_a_ramp_shorter_than_a_step_is_one_segment_at_its_middle(write_file: WriteFile) -> None:
    steps = _ramp(
        write_file, '<Ramp Duration="20" PowerLow="0.5" PowerHigh="0.9"/>', ZwoReference.given(10)
    )
    assert steps == [(7.0, 20.0)]


def test_steady_speeds_are_on_the_grid_too(write_file: WriteFile) -> None:
    text = (
        '<workout_file><workout><SteadyState Duration="60" Power="0.83"/></workout></workout_file>'
    )
    (segment,) = flatten(_load(write_file, text, reference=9.5))  # 7.885 km/h
    assert segment.speed_kmh == 7.9


# Pace zones: each step's pace attribute picks one of the runner's paces.

ZONES = """<workout_file><sportType>run</sportType><workout>
<SteadyState Duration="60" Power="1.0" pace="1"/>
<SteadyState Duration="60" Power="0.5" pace="2"/>
<IntervalsT Repeat="2" OnDuration="30" OffDuration="30" OnPower="1.0" OffPower="0.5" pace="4"/>
<FreeRide Duration="60"/>
</workout></workout_file>"""


def test_the_pace_attribute_picks_the_runners_pace(write_file: WriteFile) -> None:
    reference = ZwoReference(speed_kmh=10.0, paces_kmh={"5k": 12.0, "10k": 11.0, "marathon": 9.0})
    profile = load_zwo(write_file("zones.zwo", ZONES), reference)
    speeds = [f.speed_kmh for f in flatten(profile)]
    # 5 km pace, half the 10 km pace, the marathon pace on and half off, twice; FreeRide
    # (no pace attribute) at 0.6 of the reference speed.
    assert speeds == [12.0, 5.5, 9.0, 4.5, 9.0, 4.5, 6.0]
    assert "your 5 km pace 12 km/h" in profile.sources[0]
    assert "the reference speed 10 km/h" in profile.sources[0]


def test_a_zone_without_its_own_speed_takes_the_reference_speed(write_file: WriteFile) -> None:
    reference = ZwoReference(speed_kmh=10.0, paces_kmh={"5k": 12.0})
    speeds = [f.speed_kmh for f in flatten(load_zwo(write_file("zones.zwo", ZONES), reference))]
    assert speeds[:2] == [12.0, 5.0]


def test_reference_speed_option_stands_for_every_pace(write_file: WriteFile) -> None:
    speeds = [f.speed_kmh for f in flatten(_load(write_file, ZONES, "zones.zwo", 10.0))]
    assert speeds == [10.0, 5.0, 10.0, 5.0, 10.0, 5.0, 6.0]


def test_every_missing_pace_is_named_once_with_how_to_give_it(
    write_file: WriteFile, config_path: Path
) -> None:
    reference = ZwoReference(paces_kmh={"10k": 11.0}, config_path=config_path)
    with pytest.raises(ProfileError) as caught:
        load_zwo(write_file("zones.zwo", ZONES), reference)
    lines = str(caught.value).splitlines()
    assert len(lines) == 3
    assert all("zones.zwo: workout step" in line for line in lines)
    assert (
        'workout step 1 asks for your 5 km pace (pace="1"): give --reference-speed KMH' in lines[0]
    )
    assert f"zwo_pace_5k_kmh in {config_path} (TREADCTL_ZWO_PACE_5K_KMH)" in lines[0]
    assert 'workout step 3 asks for your marathon pace (pace="4")' in lines[1]
    assert "workout step 4 has no pace attribute and needs a reference speed" in lines[2]
    assert "zwo_reference_speed_kmh" in lines[2]


def test_a_pace_zwift_does_not_have_is_refused_by_name(write_file: WriteFile) -> None:
    text = (
        '<workout_file><workout><SteadyState Duration="60" Power="1" pace="7"/>'
        "</workout></workout_file>"
    )
    with pytest.raises(ProfileError, match=r"workout step 1 <SteadyState>: pace='7' is not one"):
        _load(write_file, text)


def test_the_paces_come_from_the_settings(
    write_file: WriteFile, config_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_path.parent.mkdir(parents=True)
    config_path.write_text("zwo_pace_5k_kmh = 12.0\nzwo_pace_10k_kmh = 11.0\n")
    monkeypatch.setenv("TREADCTL_ZWO_REFERENCE_SPEED_KMH", "9.0")
    monkeypatch.setenv("TREADCTL_ZWO_PACE_MARATHON_KMH", "9.5")
    reference = zwo_reference(load_settings())
    profile = load_zwo(write_file("zones.zwo", ZONES), reference)
    assert [f.speed_kmh for f in flatten(profile)][:3] == [12.0, 5.5, 9.5]
    assert f"your 5 km pace 12 km/h (zwo_pace_5k_kmh in {config_path})" in profile.sources[0]
    assert "(environment variable TREADCTL_ZWO_REFERENCE_SPEED_KMH)" in profile.sources[0]
    # --reference-speed wins over all of them.
    given = zwo_reference(load_settings(), speed_kmh=8.0)
    assert flatten(load_zwo(write_file("zones.zwo", ZONES), given))[0].speed_kmh == 8.0


def test_paces_out_of_order_in_the_settings_are_refused(config_path: Path) -> None:
    config_path.parent.mkdir(parents=True)
    config_path.write_text("zwo_pace_1mile_kmh = 11.0\nzwo_pace_5k_kmh = 13.0\n")
    with pytest.raises(ConfigError) as caught:
        load_settings()
    message = str(caught.value)
    assert f"zwo_pace_5k_kmh in {config_path}" in message
    assert "zwo_pace_5k_kmh (13 km/h) is faster than zwo_pace_1mile_kmh (11 km/h)" in message


# Durations: seconds, or metres.


def test_a_file_that_means_metres_without_saying_so(write_file: WriteFile) -> None:
    text = """<workout_file><description>1.00 km warming up</description><workout>
    <SteadyState Duration="1000" Power="1.0"/></workout></workout_file>"""
    path = write_file("metres.zwo", text)
    as_seconds = flatten(load_zwo(path, ZwoReference.given(12.0)))
    assert as_seconds[0].duration_s == 1000.0
    metres = load_zwo(path, ZwoReference.given(12.0, durations="distance"))
    assert flatten(metres)[0].duration_s == 300.0  # 1 km at 12 km/h
    assert "metres" in metres.sources[1]
    assert "as asked (the file does not say)" in metres.sources[1]


def test_the_users_say_wins_over_the_files_duration_type(write_file: WriteFile) -> None:
    text = """<workout_file><durationType>distance</durationType><workout>
    <SteadyState Duration="600" Power="1.0"/></workout></workout_file>"""
    path = write_file("said.zwo", text)
    assert flatten(load_zwo(path, ZwoReference.given(12.0)))[0].duration_s == 180.0
    timed = load_zwo(path, ZwoReference.given(12.0, durations="time"))
    assert flatten(timed)[0].duration_s == 600.0
    assert "the file says 'distance'" in timed.sources[1]


def test_an_unknown_duration_type_is_refused(write_file: WriteFile) -> None:
    text = "<workout_file><durationType>laps</durationType><workout/></workout_file>"
    with pytest.raises(ProfileError, match="<durationType> 'laps' is neither 'time' nor"):
        _load(write_file, text)


def test_a_distance_ramp_covers_its_metres_step_by_step(write_file: WriteFile) -> None:
    text = """<workout_file><durationType>distance</durationType><workout>
    <Warmup Duration="2000" PowerLow="0.8" PowerHigh="1.0"/></workout></workout_file>"""
    flat = flatten(_load(write_file, text, reference=12.0))
    assert len(flat) > 1
    metres = sum(f.speed_kmh / 3.6 * f.duration_s for f in flat)
    assert metres == pytest.approx(2000, abs=len(flat) * 0.1)
    assert all(_on_grid(f.speed_kmh, 0.1) for f in flat)


def test_a_distance_offset_cue_lands_at_its_metres(write_file: WriteFile) -> None:
    text = """<workout_file><durationType>distance</durationType><workout>
    <SteadyState Duration="1000" Power="1.0"><textevent distoffset="500" message="Halfway"/>
    </SteadyState></workout></workout_file>"""
    (segment,) = flatten(_load(write_file, text, reference=12.0))
    assert [(c.at_s, c.text) for c in segment.cues] == [(150.0, "Halfway")]


def test_every_problem_in_a_zwo_file_is_reported_at_once(write_file: WriteFile) -> None:
    text = """<workout_file><workout>
    <SteadyState Duration="60" Power="fast"/>
    <SteadyState Duration="60" Power="0.8"/>
    <MaxEffort Duration="10"/>
    <SteadyState Power="0.8"/>
    </workout></workout_file>"""
    with pytest.raises(ProfileError) as caught:
        _load(write_file, text, "many.zwo")
    lines = str(caught.value).splitlines()
    assert len(lines) == 3
    assert "workout step 1 <SteadyState>: Power='fast' is not a number" in lines[0]
    assert "workout step 3 <MaxEffort>: has no target speed" in lines[1]
    assert "workout step 4 <SteadyState>: needs the attribute Duration" in lines[2]
