"""Reading session logs back: kinds, start times, bouts and turns, and damaged lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.history.making import day, ladder_profile, rehearse, rehearse_async
from treadctl.cli import main
from treadctl.history.log import classify, load_session_log
from treadctl.sessions import SessionFileError


async def test_a_rehearsal_reads_back_with_its_bouts_and_turns(tmp_path: Path) -> None:
    profile = ladder_profile(tmp_path, 30, 1.0, bouts=2)
    log = load_session_log(await rehearse_async(profile, tmp_path, when=day(0)))
    assert log.kind == "rehearsal"
    assert log.started_at.isoformat() == "2025-03-03T18:00:00+00:00"
    assert log.completed
    assert [s.facing for s in log.segments] == [
        "forward",
        "backward",
        "forward",
        "backward",
        "forward",
    ]
    assert len(log.turns) == 4
    assert [t.to_facing for t in log.turns] == ["backward", "forward"] * 2
    assert all(t.done_s is not None and not t.unconfirmed for t in log.turns)
    assert len(log.backward_bouts) == 2
    assert log.longest_backward_s == pytest.approx(30, abs=0.5)
    assert log.backward_speed_kmh == pytest.approx(1.0)
    assert log.summary is not None
    assert log.backward_s == log.summary.backward_s
    assert log.distance_m == log.summary.distance_m
    assert log.damaged_lines == 0


def test_replays_and_real_sessions_are_told_apart(tmp_path: Path) -> None:
    profile = ladder_profile(tmp_path, 20, 0.8, bouts=1)
    replay = tmp_path / "replay.jsonl"
    assert main(["replay", str(profile), "--log", str(replay)]) == 0
    assert load_session_log(replay).kind == "replay"
    header = load_session_log(rehearse(profile, tmp_path)).header
    assert classify(header) == "rehearsal"
    # Logs from before the header said its kind: classified from what it does say.
    old = {k: v for k, v in header.items() if k != "kind"}
    assert classify(old) == "rehearsal"
    assert classify({**old, "replay_of": "x"}) == "replay"
    real = {**old, "treadmill": {**old["treadmill"], "kind": "bluetooth"}, "clock": "x1"}
    assert classify(real) == "real"
    assert classify({**real, "clock": "x10"}) == "rehearsal"


async def test_old_logs_without_a_start_time_use_the_file_name(tmp_path: Path) -> None:
    profile = ladder_profile(tmp_path, 20, 0.8, bouts=1)
    made = await rehearse_async(profile, tmp_path, name="run")
    lines = made.read_text().splitlines()
    header = json.loads(lines[0])
    del header["started_at"]
    old = tmp_path / "20240105-071500-bouts.jsonl"
    old.write_text("\n".join([json.dumps(header), *lines[1:]]) + "\n")
    started = load_session_log(old).started_at.astimezone()
    assert (started.year, started.month, started.day, started.hour, started.minute) == (
        2024,
        1,
        5,
        7,
        15,
    )


async def test_a_cut_off_last_line_and_bad_lines_are_skipped_and_counted(
    tmp_path: Path,
) -> None:
    profile = ladder_profile(tmp_path, 20, 0.8, bouts=2)
    path = await rehearse_async(profile, tmp_path, name="run")
    whole = load_session_log(path)
    lines = path.read_text().splitlines()
    middle = len(lines) // 2
    bad_sample = json.loads(next(line for line in lines if '"sample"' in line))
    bad_sample["speed_kmh"] = "fast"
    damaged = [
        *lines[:middle],
        "{not json",
        json.dumps(bad_sample),
        "[1, 2, 3]",
        *lines[middle:-1],
        lines[-1][: len(lines[-1]) // 2],  # kill -9 in the middle of the last write
    ]
    path.write_text("\n".join(damaged))
    log = load_session_log(path)
    assert log.damaged_lines == 4
    assert log.damaged_at == [middle + 1, middle + 3, len(damaged)]
    assert log.summary is None  # the cut line was the finish
    assert not log.finished
    assert len(log.points) == len(whole.points)
    assert len(log.segments) == len(whole.segments)
    assert log.backward_s == pytest.approx(whole.backward_s, abs=1.5)
    assert log.distance_m == pytest.approx(whole.distance_m, abs=2)


def test_nothing_usable_is_a_clear_error_naming_the_file_and_line(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.jsonl"
    garbage.write_text("hello\nworld\n")
    with pytest.raises(SessionFileError, match=r"garbage\.jsonl: line 1: not a JSON event"):
        load_session_log(garbage)
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    with pytest.raises(SessionFileError, match=r"empty\.jsonl: empty"):
        load_session_log(empty)
    headless = tmp_path / "headless.jsonl"
    headless.write_text('{"t": 0, "type": "sess\n{"t": 0.5, "type": "sample"}\n')
    with pytest.raises(SessionFileError, match=r"headless\.jsonl: line 2: .*line 1 is damaged"):
        load_session_log(headless)
    with pytest.raises(SessionFileError, match=r"missing\.jsonl"):
        load_session_log(tmp_path / "missing.jsonl")
