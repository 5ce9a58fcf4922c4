from __future__ import annotations

import json
from pathlib import Path

import pytest

from treadctl.util.jsonl import JsonlAppender


def test_each_record_is_one_line_on_disk_at_once(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "folder" / "log.jsonl"
    out = JsonlAppender(path)
    out.write({"t": 0.5, "type": "a"})
    # no close, no flush: the line is already the kernel's
    assert [json.loads(line) for line in path.read_text().splitlines()] == [{"t": 0.5, "type": "a"}]
    out.write({"type": "b"})
    out.close()
    assert out.lines == 2
    assert len(path.read_text().splitlines()) == 2


def test_it_appends_to_what_is_there_unless_told_to_truncate(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonl"
    with JsonlAppender(path) as out:
        out.write({"n": 1})
    with JsonlAppender(path) as out:
        out.write({"n": 2})
    assert len(path.read_text().splitlines()) == 2
    with JsonlAppender(path, truncate=True) as out:
        out.write({"n": 3})
    assert path.read_text() == '{"n": 3}\n'


def test_write_errors_are_counted_not_raised(tmp_path: Path) -> None:
    full = Path("/dev/full")
    if not full.exists():
        pytest.skip("no /dev/full on this system")
    out = JsonlAppender(full)
    assert out.write({"n": 1}) is False
    assert out.write({"n": 2}) is False
    assert (out.lines, out.write_errors) == (0, 2)
    out.close()


def test_after_close_writes_are_refused_quietly(tmp_path: Path) -> None:
    out = JsonlAppender(tmp_path / "log.jsonl")
    out.close()
    out.close()
    assert out.closed
    assert out.write({"n": 1}) is False
    assert out.lines == 0
