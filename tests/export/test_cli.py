"""`treadctl export` and the export_on_finish setting."""

from __future__ import annotations

import shutil
from pathlib import Path

import fitdecode
import pytest
import tcxparser

from tests.export.conftest import Made
from treadctl.cli import main
from treadctl.commands.run import export_after_session
from treadctl.config import Settings
from treadctl.export.files import export_on_finish, should_export_on_finish
from treadctl.history.log import load_session_log
from treadctl.sessions import data_dir


@pytest.fixture
def folder(made: Made, tmp_path: Path) -> Path:
    sessions = tmp_path / "sessions"
    sessions.mkdir()
    for path in (made.walk, made.cut):
        shutil.copy(path, sessions)
    return sessions


def test_export_by_name_into_the_export_folder(
    folder: Path, made: Made, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", made.walk.stem, "--dir", str(folder)]) == 0
    out = capsys.readouterr().out
    fit = data_dir() / "exports" / f"{made.walk.stem}.fit"
    assert f"wrote {fit}" in out
    assert "is a rehearsal" in out
    with fitdecode.FitReader(str(fit)) as reader:
        assert any(isinstance(f, fitdecode.FitDataMessage) and f.name == "session" for f in reader)


def test_export_tcx_both_and_output_files(
    folder: Path, made: Made, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_tcx = tmp_path / "mine.tcx"
    assert main(["export", str(made.walk), "-o", str(out_tcx)]) == 0  # format from the suffix
    assert tcxparser.TCXParser(str(out_tcx)).distance > 0
    both = tmp_path / "both"
    both.mkdir()
    assert main(["export", str(made.walk), "--both", "-o", str(both)]) == 0
    assert sorted(p.suffix for p in both.iterdir()) == [".fit", ".tcx"]
    assert main(["export", str(made.walk), "--both", "-o", str(tmp_path / "x.fit")]) == 2
    capsys.readouterr()
    assert main(["export", made.cut.stem, "--dir", str(folder), "--tcx"]) == 0
    out = capsys.readouterr().out
    assert "did not finish" in out
    assert "1 damaged line" in out
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    assert main(["export", str(made.walk), "-o", str(blocked / "x.fit")]) == 1
    assert "cannot write" in capsys.readouterr().err
    assert main(["export", "no-such-session", "--dir", str(folder)]) == 2


def test_export_on_finish_follows_the_settings(made: Made, tmp_path: Path) -> None:
    log = load_session_log(made.walk)
    assert log.kind == "rehearsal"
    assert not should_export_on_finish(log, Settings())
    assert not should_export_on_finish(log, Settings(export_on_finish="fit"))
    assert should_export_on_finish(log, Settings(export_on_finish="fit", export_rehearsals=True))
    log.kind = "real"
    assert should_export_on_finish(log, Settings(export_on_finish="tcx"))
    log.kind = "replay"
    assert not should_export_on_finish(
        log, Settings(export_on_finish="fit", export_rehearsals=True)
    )
    out = tmp_path / "exports"
    settings = Settings(export_on_finish="both", export_rehearsals=True, export_folder=out)
    written = export_on_finish(made.walk, settings)
    assert sorted(p.name for p in written) == [f"{made.walk.stem}.fit", f"{made.walk.stem}.tcx"]
    assert all(p.parent == out and p.stat().st_size > 0 for p in written)
    assert export_on_finish(made.walk, Settings(export_folder=out / "none")) == []
    assert not (out / "none").exists()


def test_run_prints_what_it_exported_or_why_not(made: Made, tmp_path: Path) -> None:
    out = tmp_path / "exports"
    settings = Settings(export_on_finish="tcx", export_rehearsals=True, export_folder=out)
    assert export_after_session(made.walk, settings) == [
        f"exported {out / (made.walk.stem + '.tcx')}"
    ]
    assert export_after_session(made.walk, Settings(export_on_finish="tcx")) == []
    broken = tmp_path / "broken.jsonl"
    broken.write_text("nothing\n")
    (line,) = export_after_session(broken, settings)
    assert line.startswith("treadctl run: could not export the session: ")
    assert "broken.jsonl: line 1" in line
