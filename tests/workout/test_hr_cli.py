"""`treadctl run --hr`: the simulated strap for rehearsals, and what is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from treadctl.cli import main
from treadctl.sessions import read_session
from treadctl.strap import REHEARSAL_CURVE

WALK = """\
title = "Strap rehearsal"

[[segments]]
direction = "forward"
speed_kmh = 2.5
duration = "40s"
"""


def test_a_rehearsal_reads_the_simulated_strap(tmp_path: Path) -> None:
    profile = tmp_path / "walk.toml"
    profile.write_text(WALK, encoding="utf-8")
    log = tmp_path / "session.jsonl"
    argv = ["run", str(profile), "--sim", "--hr", "sim", "--headless", "--time-factor", "40"]
    assert main([*argv, "--log", str(log)]) == 0
    session = read_session(log)
    assert session.header["heart_rate_strap"]["kind"] == "simulator"
    samples = session.of_type("sample")
    from_strap = [s for s in samples if s["heart_rate_source"] == "strap"]
    assert len(from_strap) > len(samples) // 2
    for sample in from_strap:  # the rehearsal heart, warming up
        assert sample["heart_rate_bpm"] == pytest.approx(REHEARSAL_CURVE(sample["t"]), abs=3)


def test_the_simulated_strap_is_for_rehearsals_only(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "first-steps", "--headless", "--device", "x", "--hr", "sim"]) == 2
    assert "--hr sim is the simulated strap: only with --sim" in capsys.readouterr().err
