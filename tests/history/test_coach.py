"""The coach: levels, two clean sessions up, one back after a safety event or early stop,
from sessions really run on the simulator."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.history.making import day, ladder_profile, rehearse_async
from treadctl.cli import main
from treadctl.history.coach import (
    level,
    level_reached,
    profile_toml,
    recommend,
    top_level,
)
from treadctl.history.store import load_history
from treadctl.workout.builtin import load_profile
from treadctl.workout.profile import flatten


def test_the_ladder_then_speed_steps_within_the_ceiling() -> None:
    assert [(level(n).bout_s, level(n).speed_kmh) for n in range(1, 7)] == [
        (20, 0.8),
        (30, 0.8),
        (45, 0.8),
        (60, 0.8),
        (60, 1.0),
        (60, 1.2),
    ]
    assert top_level(3.0) == 15
    assert level(top_level(3.0)).speed_kmh == 3.0
    assert level(top_level(1.1)).speed_kmh == 1.0
    assert level_reached(30, 1.0) == 2
    assert level_reached(120, 2.0) == 10  # knee-friendly-10's bouts
    assert level_reached(10, 0.5) == 1


async def test_no_sessions_start_at_first_steps(tmp_path: Path) -> None:
    rec = recommend([], max_backward_speed_kmh=3.0)
    assert rec.level.number == 1
    assert rec.builtin == "first-steps"
    assert "No sessions" in rec.reason


async def test_two_clean_sessions_move_up_one_level(tmp_path: Path) -> None:
    sessions = tmp_path / "sessions"
    rung1 = ladder_profile(tmp_path, 20, 0.8)
    await rehearse_async(rung1, sessions, when=day(0))
    rec = recommend(load_history(sessions).logs, max_backward_speed_kmh=3.0)
    assert rec.level.number == 1
    assert rec.clean_at_level == 1
    assert "1 of 2" in rec.reason
    await rehearse_async(rung1, sessions, when=day(2))
    rec = recommend(load_history(sessions).logs, max_backward_speed_kmh=3.0)
    assert rec.level.number == 2
    assert (rec.level.bout_s, rec.level.speed_kmh, rec.level.bouts) == (30, 0.8, 6)
    assert rec.builtin is None
    assert any("2 clean, up to 2" in r for r in rec.reasons)


async def test_an_early_stop_steps_back_one_level(tmp_path: Path) -> None:
    sessions = tmp_path / "sessions"
    rung2 = ladder_profile(tmp_path, 30, 0.8)
    await rehearse_async(rung2, sessions, when=day(0))
    rec = recommend(load_history(sessions).logs, max_backward_speed_kmh=3.0)
    assert rec.level.number == 2  # one clean session at level 2 counts there
    # An emergency stop in the middle of the first backward bout.
    await rehearse_async(rung2, sessions, when=day(1), actions=[(75.0, "stop", None)])
    rec = recommend(load_history(sessions).logs, max_backward_speed_kmh=3.0)
    assert rec.level.number == 1
    assert "ended early" in rec.reasons[-2]
    assert "one level back, to 1" in rec.reasons[-2]


async def test_heart_rate_over_the_ceiling_steps_back(tmp_path: Path) -> None:
    sessions = tmp_path / "sessions"
    rung2 = ladder_profile(tmp_path, 30, 0.8)
    await rehearse_async(rung2, sessions, when=day(0))
    await rehearse_async(rung2, sessions, when=day(1), heart_rate_bpm=150, max_heart_rate_bpm=120)
    rec = recommend(load_history(sessions).logs, max_backward_speed_kmh=3.0)
    assert rec.level.number == 1
    assert "safety event" in rec.reasons[-2]
    assert rec.verdicts[-1].outcome == "step_back"


async def test_a_turn_not_confirmed_in_time_repeats_the_level(tmp_path: Path) -> None:
    sessions = tmp_path / "sessions"
    rung1 = ladder_profile(tmp_path, 20, 0.8)
    await rehearse_async(rung1, sessions, when=day(0))
    # Turns wait for a confirmation; the stand-in person takes 40 s, past the 30 s limit.
    await rehearse_async(rung1, sessions, when=day(1), turn_confirm=True, auto_confirm_s=40.0)
    history = load_history(sessions)
    assert any(t.unconfirmed for t in history.logs[-1].turns)
    rec = recommend(history.logs, max_backward_speed_kmh=3.0)
    assert rec.level.number == 1
    assert rec.clean_at_level == 0
    assert rec.verdicts[-1].outcome == "repeat"
    assert "not confirmed in time" in rec.verdicts[-1].why


async def test_replays_do_not_count_and_the_ceiling_caps_the_level(tmp_path: Path) -> None:
    sessions = tmp_path / "sessions"
    fast = ladder_profile(tmp_path, 60, 1.0)
    await rehearse_async(fast, sessions, when=day(0))
    await rehearse_async(fast, sessions, when=day(1), extra_header={"replay_of": "x"})
    history = load_history(sessions)
    assert [log.kind for log in history.logs] == ["rehearsal", "replay"]
    rec = recommend(history.logs, max_backward_speed_kmh=1.0)
    assert rec.level.number == 5
    assert rec.clean_at_level == 1  # the replay did not count
    await rehearse_async(fast, sessions, when=day(2))
    rec = recommend(load_history(sessions).logs, max_backward_speed_kmh=1.0)
    assert rec.level.number == 5  # not 6: 1.2 km/h is above the ceiling
    assert rec.at_ceiling
    assert "ceiling of 1 km/h" in rec.reason
    rec = recommend(load_history(sessions).logs, max_backward_speed_kmh=3.0)
    assert (rec.level.number, rec.level.speed_kmh) == (6, 1.2)


async def test_the_written_profile_is_the_recommendation(tmp_path: Path) -> None:
    sessions = tmp_path / "sessions"
    rung1 = ladder_profile(tmp_path, 20, 0.8)
    for n in range(2):
        await rehearse_async(rung1, sessions, when=day(n))
    rec = recommend(load_history(sessions).logs, max_backward_speed_kmh=3.0)
    path = tmp_path / "next.toml"
    path.write_text(profile_toml(rec), encoding="utf-8")
    profile = load_profile(path)
    backward = [s for s in flatten(profile) if s.direction == "backward"]
    assert len(backward) == rec.level.bouts == 6
    assert {(s.duration_s, s.speed_kmh) for s in backward} == {(30.0, 0.8)}
    assert profile.limits is not None
    assert profile.limits.max_backward_speed_kmh == 0.8
    assert rec.reasons[-1] in profile.sources


def test_next_prints_why_and_writes_a_profile_that_checks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sessions = tmp_path / "sessions"
    rung1 = ladder_profile(tmp_path, 20, 0.8)
    for n in range(2):
        asyncio.run(rehearse_async(rung1, sessions, when=day(n)))
    out_file = tmp_path / "plans" / "next.toml"
    assert main(["next", "--dir", str(sessions), "--write", str(out_file)]) == 0
    out = capsys.readouterr().out
    assert "next: 6 backward bouts of 30 s at 0.8 km/h (level 2)" in out
    assert "2 clean, up to 2" in out
    assert f"wrote {out_file}" in out
    assert main(["profiles", "check", str(out_file)]) == 0
    assert "ok:" in capsys.readouterr().out
    assert main(["next", "--dir", str(sessions), "--write", str(tmp_path / "x.txt")]) == 2
    assert main(["next", "--dir", str(sessions), "--json"]) == 0
    assert '"level": 2' in capsys.readouterr().out
