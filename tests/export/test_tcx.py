"""TCX files read by an independent parser (python-tcxparser), compared with the log."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import tcxparser

from tests.export.conftest import Made
from treadctl.export.activity import build_activity
from treadctl.export.tcx import TCD, encode_tcx
from treadctl.history.log import SessionLog


def parse(log: SessionLog, tmp_path: Path) -> tuple[tcxparser.TCXParser, ET.Element]:
    path = tmp_path / "out.tcx"
    path.write_bytes(encode_tcx(build_activity(log)))
    return tcxparser.TCXParser(str(path)), ET.parse(path).getroot()


def test_totals_and_laps_match_the_session_log(made: Made, tmp_path: Path) -> None:
    log = made.log("walk")
    summary = log.summary
    assert summary is not None
    tcx, root = parse(log, tmp_path)
    assert tcx.activity_type == "other"  # TCX has no walking
    assert tcx.distance == pytest.approx(summary.distance_m, rel=0.01)
    assert tcx.duration == pytest.approx(summary.workout_s, abs=1.0)  # lap time, less pauses
    started = dt.datetime.fromisoformat(tcx.started_at.replace("Z", "+00:00"))
    completed = dt.datetime.fromisoformat(tcx.completed_at.replace("Z", "+00:00"))
    assert started == log.started_at
    assert (completed - started).total_seconds() == pytest.approx(summary.duration_s, abs=1.0)
    assert len(tcx.activity.Lap) == len(log.segments) + len(log.turns)
    assert set(tcx.hr_values()) == {110}
    assert tcx.calories > 0
    ns = {"t": TCD}
    notes = [n.text for n in root.findall(".//t:Lap/t:Notes", ns)]
    assert notes[:3] == ["Forward · Warm-up", "Turn to backward", "Backward · Backward bout (1/2)"]
    activity_notes = root.find("t:Activities/t:Activity/t:Notes", ns)
    assert activity_notes is not None
    assert activity_notes.text is not None
    assert "backward" in activity_notes.text
    points = root.findall(".//t:Trackpoint", ns)
    assert len(points) == int(log.end_s) + 1  # each second once, in its lap


def test_running_is_running(made: Made, tmp_path: Path) -> None:
    tcx, _ = parse(made.log("jog"), tmp_path)
    assert tcx.activity_type == "running"
    assert tcx.hr_values() == []
