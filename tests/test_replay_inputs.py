"""Replaying damaged session logs: a clear error or a warning, never a traceback, and a
replay always ends.

The damage comes from fuzzing a real session log (found by an earlier probe: 59
tracebacks in 300 corrupted files); the specific cases below are the ones it found.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from pathlib import Path

import pytest

from treadctl.cli import main

SHORT = """title = "Short"

[[segments]]
direction = "forward"
speed_kmh = 3.0
duration = "20s"

[[segments]]
direction = "backward"
speed_kmh = 1.5
duration = "20s"
"""


@pytest.fixture
def recorded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    """A real session log of a short workout with a person's actions, as records."""
    profile = tmp_path / "short.toml"
    profile.write_text(SHORT, encoding="utf-8")
    log = tmp_path / "recorded.jsonl"
    assert main(["replay", str(profile), "--log", str(log)]) == 0
    capsys.readouterr()
    records = [json.loads(line) for line in log.read_text().splitlines()]
    # A person who paused and resumed, as a replay would play them again.
    records.insert(5, {"t": 12.0, "type": "user", "action": "pause", "value": None})
    records.insert(6, {"t": 20.0, "type": "user", "action": "resume", "value": None})
    return records


def write(path: Path, records: Sequence[object]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def replay(path: Path) -> int:
    code = main(["replay", str(path), "--log", str(path.with_suffix(".out.jsonl"))])
    assert isinstance(code, int)
    return code


def test_a_user_line_without_its_time_is_skipped_with_a_warning(
    tmp_path: Path, recorded: list[dict[str, object]], capsys: pytest.CaptureFixture[str]
) -> None:
    damaged = [dict(r) for r in recorded]
    next(r for r in damaged if r.get("type") == "user").pop("t")
    assert replay(write(tmp_path / "s.jsonl", damaged)) == 0
    assert "1 damaged person action(s) skipped" in capsys.readouterr().err


def test_a_header_whose_treadmill_is_a_string_replays_on_a_plain_simulator(
    tmp_path: Path, recorded: list[dict[str, object]], capsys: pytest.CaptureFixture[str]
) -> None:
    damaged = [dict(r) for r in recorded]
    damaged[0]["treadmill"] = "Bowflex"
    assert replay(write(tmp_path / "s.jsonl", damaged)) == 0
    assert "'treadmill' is not an object" in capsys.readouterr().err


def test_header_limits_with_an_extra_key_are_used_and_the_key_named(
    tmp_path: Path, recorded: list[dict[str, object]], capsys: pytest.CaptureFixture[str]
) -> None:
    damaged = [dict(r) for r in recorded]
    damaged[0]["limits"] = {**damaged[0]["limits"], "max_sideways_speed_kmh": 2}  # type: ignore[dict-item]
    assert replay(write(tmp_path / "s.jsonl", damaged)) == 0
    assert "unknown limits ignored: max_sideways_speed_kmh" in capsys.readouterr().err


def test_header_limits_of_the_wrong_type_are_a_clear_error(
    tmp_path: Path, recorded: list[dict[str, object]], capsys: pytest.CaptureFixture[str]
) -> None:
    damaged = [dict(r) for r in recorded]
    damaged[0]["limits"] = {"max_backward_speed_kmh": "fast"}
    assert replay(write(tmp_path / "s.jsonl", damaged)) == 2
    assert "limits.max_backward_speed_kmh: 'fast' is not a number" in capsys.readouterr().err


def test_a_session_that_ended_paused_replays_to_an_end(
    tmp_path: Path, recorded: list[dict[str, object]], capsys: pytest.CaptureFixture[str]
) -> None:
    # kill -9 during a pause: the last action is a pause, and nothing resumes it.
    cut = [r for r in recorded if not (r.get("type") == "user" and r.get("action") == "resume")]
    cut = cut[: next(i for i, r in enumerate(cut) if r.get("action") == "pause") + 1]
    assert replay(write(tmp_path / "s.jsonl", cut)) == 0
    out = capsys.readouterr().out
    assert "nobody answered a hold" in out


def test_fuzzed_session_logs_never_raise(
    tmp_path: Path, recorded: list[dict[str, object]], capsys: pytest.CaptureFixture[str]
) -> None:
    """Random damage to a real log: types changed, fields dropped, lines cut or swapped."""
    rng = random.Random(9)
    lines = [json.dumps(r) for r in recorded]
    junk: list[object] = [None, "x", -1, 1e308, [], {}, True, "nan"]
    codes = []
    for case in range(40):
        damaged = list(lines)
        for _ in range(rng.randint(1, 4)):
            i = rng.randrange(len(damaged))
            kind = rng.random()
            if kind < 0.3:
                damaged[i] = damaged[i][: rng.randrange(len(damaged[i]) + 1)]
            elif kind < 0.7:
                record = json.loads(damaged[i]) if damaged[i].startswith("{") else {}
                if isinstance(record, dict) and record:
                    key = rng.choice(sorted(record))
                    if rng.random() < 0.5:
                        record.pop(key)
                    else:
                        record[key] = rng.choice(junk)
                damaged[i] = json.dumps(record)
            else:
                j = rng.randrange(len(damaged))
                damaged[i], damaged[j] = damaged[j], damaged[i]
        path = tmp_path / f"fuzz-{case}.jsonl"
        path.write_text("\n".join(damaged) + "\n", encoding="utf-8")
        codes.append(replay(path))
    assert set(codes) <= {0, 1, 2}
    assert "Traceback" not in capsys.readouterr().err
