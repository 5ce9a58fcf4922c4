"""``--voice``, ``--no-voice`` and ``--voice-out`` through the real command line.

``--voice-out`` runs the real espeak-ng and checks every file it writes with ``wave``. A
machine with no speech engine and no working audio device still runs the workout, with
one line at the start saying what to install.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.voice.parts import MINI
from tests.voice.test_espeak import assert_sounds_like_its_words, needs_espeak
from treadctl.cli import main
from treadctl.voice.narrator import turn_warning_text
from treadctl.voice.output import CUES_FILE


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def voice_lines(log: Path) -> list[dict[str, Any]]:
    return [line for line in read_jsonl(log) if line["type"] == "voice"]


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    path = tmp_path / "mini.toml"
    path.write_text(MINI)
    return path


@needs_espeak
def test_voice_out_renders_a_whole_workout_at_speed_max(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, log = tmp_path / "coaching", tmp_path / "session.jsonl"
    assert main(["replay", "first-steps", "--voice-out", str(out), "--log", str(log)]) == 0
    err = capsys.readouterr().err
    assert err.count("voice:") == 1
    assert f"voice: espeak-ng, rendered to {out}" in err
    cues = read_jsonl(out / CUES_FILE)
    assert len(cues) > 60
    times = [c["t"] for c in cues]
    assert times == sorted(times)
    assert {c["kind"] for c in cues} == {
        "status",
        "cue",
        "segment",
        "progress",
        "turn",
        "countdown",
    }
    for cue in cues:
        assert cue["wav"] == f"{cues.index(cue) + 1:04d}-{cue['kind']}.wav"
        if cue["text"].startswith("Turn around now"):
            continue  # a tone before the words: measured in test_earcons.py
        assert_sounds_like_its_words(out / cue["wav"], cue["text"], 175)
    assert sorted(p.name for p in out.glob("*.wav")) == [c["wav"] for c in cues]
    warnings = [c for c in cues if c["kind"] == "turn" and c["text"] == turn_warning_text(5)]
    assert len(warnings) == 10  # five bouts, a turn on each side
    # The session log has each of them too, at the same workout time; what was still to
    # be said when the workout ended (the summary) is noted as queued.
    said = [v for v in voice_lines(log) if v["status"] == "said"]
    assert [(s["workout_s"], s["kind"], s["text"], s["wav"]) for s in said] == [
        (c["t"], c["kind"], c["text"], c["wav"]) for c in cues[: len(said)]
    ]
    queued = [v["text"] for v in voice_lines(log) if v["status"] == "queued"]
    assert set(queued) >= {c["text"] for c in cues[len(said) :]}
    assert queued[-1] == cues[-1]["text"]
    assert queued[-1].startswith("In all: ")
    assert "minutes" in queued[-1]
    assert all(s["heard"] == "none" for s in said)  # nothing played at --time-factor max
    dropped = [v for v in voice_lines(log) if v["status"] == "dropped"]
    assert dropped
    assert {d["kind"] for d in dropped} == {"countdown"}


def test_a_replay_at_speed_max_is_silent_unless_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TREADCTL_VOICE")  # the default: on
    log = tmp_path / "session.jsonl"
    assert main(["replay", "first-steps", "--log", str(log)]) == 0
    assert "voice:" not in capsys.readouterr().err
    assert voice_lines(log) == []


@needs_espeak
def test_voice_at_speed_max_records_what_would_be_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "session.jsonl"
    assert main(["replay", "first-steps", "--voice", "--log", str(log)]) == 0
    assert "voice: espeak-ng, not played" in capsys.readouterr().err
    said = [v for v in voice_lines(log) if v["status"] == "said"]
    assert len(said) > 60
    assert "wav" not in said[0]


def test_no_voice_wins_and_voice_out_needs_an_engine(
    tmp_path: Path,
    mini: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no espeak-ng here
    out = tmp_path / "out"
    assert main(["replay", str(mini), "--voice-out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "treadctl replay: --voice-out needs a speech engine: install espeak-ng" in err
    assert not out.exists()
    assert main(["run", str(mini), "--sim", "--voice-out", str(out)]) == 2
    assert "treadctl run: --voice-out needs a speech engine" in capsys.readouterr().err
    assert main(["replay", str(mini), "--count", "2", "--voice"]) == 2
    assert "the voice follows one treadmill" in capsys.readouterr().err


def test_a_workout_goes_on_without_engine_or_audio_and_says_what_to_install(
    tmp_path: Path,
    mini: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TREADCTL_VOICE")  # the default: on
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    log = tmp_path / "session.jsonl"
    argv = ["run", str(mini), "--sim", "--headless", "--time-factor", "25", "--accept-risks"]
    assert main([*argv, "--log", str(log)]) == 0
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if "voice:" in line]
    assert len(lines) == 1
    assert lines[0].startswith("treadctl: voice: no speech engine and no audio device works")
    assert "sudo apt install espeak-ng" in lines[0]
    finished = [line for line in read_jsonl(log) if line["type"] == "finished"]
    assert finished[0]["summary"]["completed"]
    said = [v for v in voice_lines(log) if v["status"] == "said"]
    heard = {v["text"]: v["heard"] for v in said}
    assert heard["Turn around now, face backward."] == "bell"  # its tone rings
    assert heard["Slowing down for the turn."] == "none"


@pytest.mark.skipif(
    shutil.which("espeak-ng") is None or shutil.which("aplay") is None,
    reason="needs espeak-ng and aplay (bash scripts/test.sh installs them)",
)
def test_an_audio_device_that_does_not_open_is_named(
    tmp_path: Path,
    mini: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The real aplay, told to use an ALSA configuration with no device in it.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for program in ("espeak-ng", "aplay"):
        found = shutil.which(program)
        assert found is not None
        os.symlink(found, bin_dir / program)
    empty_config = tmp_path / "asound.conf"
    empty_config.write_text("")
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.setenv("ALSA_CONFIG_PATH", str(empty_config))
    log = tmp_path / "session.jsonl"
    argv = ["run", str(mini), "--sim", "--headless", "--time-factor", "25", "--voice"]
    assert main([*argv, "--accept-risks", "--log", str(log)]) == 0
    lines = [line for line in capsys.readouterr().err.splitlines() if "voice:" in line]
    assert len(lines) == 1
    assert lines[0].startswith("treadctl: voice: no audio device works (aplay: ")
    assert "the terminal bell stands in for the tones" in lines[0]
    assert "espeak-ng" not in lines[0]  # the engine is fine
    said = [v for v in voice_lines(log) if v["status"] == "said"]
    assert {v["heard"] for v in said} == {"bell", "none"}
