"""The built-in profiles: they load, say who they are for and where their numbers come from,
and only the two hard ones need raised ceilings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from treadctl.config import Settings, load_settings
from treadctl.workout.builtin import builtin_dir, list_builtin, load_profile
from treadctl.workout.plan import plan_limits
from treadctl.workout.profile import (
    CeilingError,
    Profile,
    ProfileError,
    check_against,
    flatten,
    summarize,
)

REQUIRED = {
    "first-steps",
    "backward-ladder-1",
    "backward-ladder-2",
    "backward-ladder-3",
    "backward-ladder-4",
    "knee-friendly-10",
    "balance-confirm",
    "incline-challenge",
    "jog-intervals",
}
NEED_RAISED_CEILINGS = {"incline-challenge", "jog-intervals"}
IDS = sorted(profile_id for profile_id, _ in list_builtin())


def test_builtin_dir_is_the_repository_profiles_folder() -> None:
    assert builtin_dir() == Path(__file__).resolve().parents[2] / "profiles"


def test_all_required_profiles_exist() -> None:
    assert set(IDS) >= REQUIRED
    assert len(IDS) >= 6


@pytest.mark.parametrize("profile_id", IDS)
def test_profile_loads_and_explains_itself(profile_id: str) -> None:
    profile = load_profile(profile_id)
    assert profile.name == profile_id
    assert profile.title
    assert len(profile.description) > 80
    assert len(profile.who_for) > 40
    assert profile.sources
    # Each source names its article or study by title, not a file outside the project.
    assert all(_cites_by_title(s) for s in profile.sources), profile.sources
    assert summarize(profile).backward_s > 0


def _cites_by_title(source: str) -> bool:
    titled = re.search(r"'[A-Z0-9][^']{15,}'", source) or "Compendium of Physical Activities" in (
        source
    )
    return bool(titled) and "design.md" not in source and "seed" not in source.lower()


def test_nothing_shipped_cites_notes_outside_the_project() -> None:
    root = Path(__file__).resolve().parents[2]
    files = [root / "README.md", *(root / "docs").glob("*.md"), *(root / "profiles").glob("*")]
    files += (root / "src").rglob("*.py")
    for path in files:
        text = path.read_text(encoding="utf-8")
        for pattern in ("design.md", "seeds/", "seed article"):
            assert pattern not in text.lower(), f"{path.relative_to(root)} cites {pattern}"


@pytest.mark.parametrize("profile_id", IDS)
def test_every_backward_segment_has_a_cue_and_a_warm_up_comes_first(profile_id: str) -> None:
    flat = flatten(load_profile(profile_id))
    assert flat[0].direction == "forward"
    assert flat[0].duration_s >= 180
    assert all(f.cues for f in flat if f.backward)


@pytest.mark.parametrize("profile_id", sorted(set(IDS) - NEED_RAISED_CEILINGS))
def test_runs_with_default_settings(profile_id: str, settings: Settings) -> None:
    check_against(load_profile(profile_id), settings)


@pytest.mark.parametrize("profile_id", sorted(NEED_RAISED_CEILINGS))
def test_hard_profiles_are_refused_by_default_with_a_way_out(
    profile_id: str, settings: Settings
) -> None:
    profile = load_profile(profile_id)
    with pytest.raises(CeilingError) as caught:
        check_against(profile, settings)
    message = str(caught.value)
    assert "backward speed ceiling of 3.0 km/h" in message
    assert "TREADCTL_MAX_BACKWARD_SPEED_KMH=" in message
    assert "ceiling" in profile.description  # the description warns about it
    raised = load_settings(settings.config_path, **caught.value.needed)
    check_against(profile, raised)


def _backward_segments(profile: Profile) -> list[tuple[float, float, float]]:
    return [(f.speed_kmh, f.incline_pct, f.duration_s) for f in flatten(profile) if f.backward]


def test_first_steps_is_a_crawl_in_20_second_bouts_with_hands_on_the_rails() -> None:
    profile = load_profile("first-steps")
    bouts = _backward_segments(profile)
    assert {speed for speed, _, _ in bouts} == {0.8}
    assert {duration for _, _, duration in bouts} == {20.0}
    assert {incline for _, incline, _ in bouts} == {0.0}
    first_bout = next(f for f in flatten(profile) if f.backward)
    assert "rails" in first_bout.cues[0].text


def test_ladder_bouts_grow_from_session_to_session() -> None:
    rungs = [_backward_segments(load_profile(f"backward-ladder-{n}")) for n in range(1, 5)]
    durations = [max(d for _, _, d in rung) for rung in rungs]
    speeds = [max(s for s, _, _ in rung) for rung in rungs]
    assert durations == [20.0, 30.0, 45.0, 60.0]
    assert speeds == sorted(speeds)
    assert speeds[0] == 0.8
    assert max(speeds) < 2.2  # slower than fallers walk backward overground


def test_knee_friendly_is_ten_level_backward_minutes() -> None:
    profile = load_profile("knee-friendly-10")
    assert summarize(profile).backward_s == 600.0
    assert all(incline == 0.0 for _, incline, _ in _backward_segments(profile))


def test_balance_session_confirms_every_turn(settings: Settings) -> None:
    profile = load_profile("balance-confirm")
    assert settings.turn_confirm is False
    limits = plan_limits(profile, settings)
    assert limits.turn_confirm is True
    assert limits.turn_speed_kmh < settings.turn_speed_kmh
    fastest = summarize(profile).max_backward_speed_kmh
    assert fastest is not None
    assert fastest < 2.2


def test_incline_challenge_is_6_4_kmh_on_6_to_8_percent() -> None:
    climbs = [b for b in _backward_segments(load_profile("incline-challenge")) if b[0] == 6.4]
    assert climbs
    assert {incline for _, incline, _ in climbs} == {6.0, 8.0}


def test_jog_intervals_are_above_the_walk_run_switch() -> None:
    summary = summarize(load_profile("jog-intervals"))
    assert summary.max_backward_speed_kmh is not None
    assert summary.max_backward_speed_kmh > 5.9


def test_load_profile_accepts_a_path_too() -> None:
    path = dict(list_builtin())["first-steps"]
    assert load_profile(path).name == "first-steps"
    assert load_profile(str(path)).name == "first-steps"


def test_unknown_id_lists_the_built_ins() -> None:
    with pytest.raises(ProfileError) as caught:
        load_profile("no-such-profile")
    assert "'no-such-profile' is neither a built-in profile" in str(caught.value)
    assert "first-steps" in str(caught.value)
