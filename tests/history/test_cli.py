"""`treadctl sessions list|show|plot` over sessions run on the simulator."""

from __future__ import annotations

import asyncio
import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.history.making import day, ladder_profile, rehearse_async
from treadctl.cli import main
from treadctl.history.store import load_history, select, weekly


@pytest.fixture
def sessions(tmp_path: Path) -> Path:
    """Three rehearsals over two weeks, one replay, and one file with nothing usable."""
    folder = tmp_path / "sessions"
    short = ladder_profile(tmp_path, 20, 0.8, bouts=2)
    long = ladder_profile(tmp_path, 60, 1.0, bouts=3)

    async def make() -> None:
        await rehearse_async(short, folder, when=day(0))
        await rehearse_async(long, folder, when=day(2))
        await rehearse_async(long, folder, when=day(8))
        await rehearse_async(short, folder, when=day(9), extra_header={"replay_of": "x"})

    asyncio.run(make())
    (folder / "broken.jsonl").write_text("oops\n")
    return folder


def test_weeks_sum_backward_time_and_the_longest_bout(sessions: Path) -> None:
    logs = select(load_history(sessions).logs, kinds=["rehearsal"])
    weeks = weekly(logs)
    assert [w.monday for w in weeks] == [dt.date(2025, 3, 3), dt.date(2025, 3, 10)]
    assert [w.sessions for w in weeks] == [2, 1]
    assert weeks[0].backward_s == pytest.approx(logs[0].backward_s + logs[1].backward_s)
    assert weeks[1].longest_bout_s == pytest.approx(60, abs=0.5)
    assert [w.sessions for w in weekly([logs[0], logs[2]])] == [1, 1]
    assert weekly([]) == []


def test_list_marks_kinds_and_filters(sessions: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sessions", "list", "--dir", str(sessions)]) == 0
    out = capsys.readouterr().out
    assert "broken" in out
    assert "unreadable" in out
    assert "line 1" in out
    rows = [line for line in out.splitlines() if line.startswith("2025")]
    assert len(rows) == 4
    assert sum(" rehearsal " in row for row in rows) == 3
    assert sum(" replay " in row for row in rows) == 1
    assert "4 session(s)" in out
    assert main(["sessions", "list", "--dir", str(sessions), "--kind", "replay"]) == 0
    out = capsys.readouterr().out
    assert "1 session(s)" in out
    assert (
        main(
            [
                "sessions",
                "list",
                "--dir",
                str(sessions),
                "--since",
                "2025-03-05",
                "--until",
                "2025-03-11",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "2 session(s)" in out
    assert "2025-03-03" not in out
    assert main(["sessions", "list", "--dir", str(sessions), "--min-backward", "2.5"]) == 0
    out = capsys.readouterr().out
    assert "2 session(s)" in out
    with pytest.raises(SystemExit):
        main(["sessions", "list", "--since", "March"])


def test_show_gives_the_energy_estimate_and_its_basis(
    sessions: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = sorted(sessions.glob("2025*.jsonl"))[1].stem
    assert main(["sessions", "show", name, "--dir", str(sessions)]) == 0
    out = capsys.readouterr().out
    assert "kind      rehearsal" in out
    assert "energy    about" in out
    assert "Compendium 2011" in out
    assert "forward walking would be" in out
    assert "bouts     3 backward, longest 60 s, at 1.0 km/h" in out


def test_plot_draws_a_session_and_the_weeks(
    sessions: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    name = sorted(sessions.glob("2025*.jsonl"))[0].stem
    svg = tmp_path / "out" / "session.svg"
    assert main(["sessions", "plot", name, "--dir", str(sessions), "-o", str(svg)]) == 0
    assert f"wrote {svg}" in capsys.readouterr().out
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")
    text = svg.read_text()
    assert "backward" in text
    assert "speed km/h" in text
    png = tmp_path / "weekly.png"
    assert main(["sessions", "plot", "--weekly", "--dir", str(sessions), "-o", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["sessions", "plot", name, "--dir", str(sessions), "-o", "x.pdf"]) == 2
    assert ".svg or .png" in capsys.readouterr().err
    assert main(["sessions", "plot", "--dir", str(sessions), "-o", str(png)]) == 2
    assert main(["sessions", "plot", "broken", "--dir", str(sessions), "-o", str(svg)]) == 2
    assert "broken.jsonl: line 1" in capsys.readouterr().err


def test_list_never_cuts_a_long_profile_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "sessions"
    short = ladder_profile(tmp_path, 20, 0.8, bouts=1)
    long_name = tmp_path / "backward-endurance-for-the-long-winter.toml"
    long_name.write_text(short.read_text())
    asyncio.run(rehearse_async(long_name, folder, when=day(0)))
    assert main(["sessions", "list", "--dir", str(folder)]) == 0
    out = capsys.readouterr().out
    header, row = out.splitlines()[:2]
    assert " backward-endurance-for-the-long-winter " in row
    assert header.index("profile") == row.rindex("backward-endurance-for-the-long-winter ")
    assert header.rindex(" end") == row.rindex(" done")  # the columns line up
