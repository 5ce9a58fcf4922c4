"""FIT files decoded by an independent decoder (fitdecode), compared with the session log."""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path
from typing import Any

import fitdecode
import pytest

from tests.export.conftest import Made
from treadctl.export.activity import build_activity
from treadctl.export.fit import encode_fit
from treadctl.history.log import SessionLog


def decode(data: bytes, tmp_path: Path) -> list[tuple[str, dict[str, Any]]]:
    path = tmp_path / "out.fit"
    path.write_bytes(data)
    messages = []
    with fitdecode.FitReader(str(path), check_crc=fitdecode.CrcCheck.RAISE) as fit:
        for frame in fit:
            if isinstance(frame, fitdecode.FitDataMessage):
                messages.append((frame.name, {f.name: f.value for f in frame.fields}))
    return messages


def only(messages: list[tuple[str, dict[str, Any]]], name: str) -> list[dict[str, Any]]:
    return [fields for kind, fields in messages if kind == name]


@pytest.fixture(scope="module")
def walk_fit(
    made: Made, tmp_path_factory: pytest.TempPathFactory
) -> tuple[SessionLog, list[tuple[str, dict[str, Any]]]]:
    log = made.log("walk")
    return log, decode(encode_fit(build_activity(log)), tmp_path_factory.mktemp("fit"))


def test_file_id_first_then_device_info_and_the_totals_last(walk_fit: Any) -> None:
    _, messages = walk_fit
    names = [name for name, _ in messages]
    assert names[0] == "file_id"
    assert messages[0][1]["type"] == "activity"
    assert "device_info" in names[: names.index("record")]
    assert names[-2:] == ["session", "activity"]
    counts = Counter(names)
    assert counts["session"] == 1
    assert counts["activity"] == 1
    assert only(messages, "activity")[0]["num_sessions"] == 1


def test_totals_match_the_session_log(walk_fit: Any) -> None:
    log, messages = walk_fit
    summary = log.summary
    assert summary is not None
    (session,) = only(messages, "session")
    assert session["sport"] == "walking"
    assert session["sub_sport"] == "treadmill"
    assert session["total_distance"] == pytest.approx(summary.distance_m, rel=0.01)
    assert session["total_elapsed_time"] == pytest.approx(summary.duration_s, abs=1.0)
    assert session["total_timer_time"] == pytest.approx(summary.workout_s, abs=1.0)
    assert session["total_timer_time"] < session["total_elapsed_time"] - 10  # the pause
    assert session["backward_time"] == pytest.approx(summary.backward_s, abs=0.1)
    assert session["backward_distance"] == pytest.approx(summary.backward_distance_m, abs=0.1)
    assert "backward" in session["description"]
    assert "estimate" in session["description"]
    assert session["total_calories"] > 0
    assert session["avg_heart_rate"] == 110


def test_a_lap_per_segment_and_per_turn_with_the_direction_in_its_name(walk_fit: Any) -> None:
    log, messages = walk_fit
    laps = only(messages, "lap")
    assert len(laps) == len(log.segments) + len(log.turns)
    (session,) = only(messages, "session")
    assert session["num_laps"] == len(laps)
    names = [lap["lap_name"] for lap in laps]
    assert names[0] == "Forward · Warm-up"
    assert names[1] == "Turn to backward"
    assert names[2] == "Backward · Backward bout (1/2)"
    assert sum(n.startswith("Backward · ") for n in names) == 2
    assert sum(n.startswith("Turn to ") for n in names) == len(log.turns)
    assert sum(lap["total_distance"] for lap in laps) == pytest.approx(
        session["total_distance"], abs=0.1
    )
    assert sum(lap["total_elapsed_time"] for lap in laps) == pytest.approx(
        session["total_elapsed_time"], abs=0.1
    )
    starts = [lap["start_time"] for lap in laps]
    assert starts == sorted(starts)


def test_one_record_a_second_with_heart_rate_and_cadence(walk_fit: Any) -> None:
    log, messages = walk_fit
    records = only(messages, "record")
    times = [r["timestamp"] for r in records]
    assert len(records) == int(log.end_s) + 1
    assert all((b - a).total_seconds() == 1 for a, b in itertools.pairwise(times))
    assert times[0] == log.started_at
    distances = [r["distance"] for r in records]
    assert distances == sorted(distances)
    assert {r["heart_rate"] for r in records[5:]} == {110}
    cadences = [r["cadence"] for r in records if r.get("cadence")]
    assert cadences
    assert 20 < max(cadences) < 120  # strides a minute, walking
    assert {r["facing_backward"] for r in records} == {0, 1}


def test_timer_stops_for_the_pause_and_starts_again(walk_fit: Any) -> None:
    log, messages = walk_fit
    timers = [(e["event_type"], e["timestamp"]) for e in only(messages, "event")]
    assert [kind for kind, _ in timers] == ["start", "stop", "start", "stop_all"]
    hold = log.holds[0]
    assert hold.end_s is not None
    paused_s = (timers[2][1] - timers[1][1]).total_seconds()
    assert paused_s == pytest.approx(hold.end_s - hold.start_s, abs=1.0)


def test_backward_running_is_a_running_session(made: Made, tmp_path: Path) -> None:
    log = made.log("jog")
    messages = decode(encode_fit(build_activity(log)), tmp_path)
    (session,) = only(messages, "session")
    assert session["sport"] == "running"
    assert session["sub_sport"] == "treadmill"
    assert {lap["sport"] for lap in only(messages, "lap")} == {"running"}
    assert "heart_rate" not in {k for r in only(messages, "record") for k, v in r.items() if v}
    assert session["total_distance"] == pytest.approx(log.distance_m, rel=0.01)


def test_a_session_cut_off_by_a_crash_still_exports(made: Made, tmp_path: Path) -> None:
    log = made.log("cut")
    assert log.damaged_lines == 1
    assert log.summary is None
    messages = decode(encode_fit(build_activity(log)), tmp_path)
    (session,) = only(messages, "session")
    assert session["total_elapsed_time"] == pytest.approx(log.end_s, abs=1.0)
    assert session["total_distance"] == pytest.approx(log.distance_m, rel=0.01)
    assert len(only(messages, "lap")) == len(log.segments) + len(log.turns)
