"""A strap's heart rate lands in FIT and TCX files (the treadmill reports none)."""

from __future__ import annotations

from pathlib import Path

import tcxparser

from tests.export.test_fit import decode, only
from tests.straps import SimStrap, strapped_run
from treadctl.export.activity import build_activity
from treadctl.export.fit import encode_fit
from treadctl.export.tcx import encode_tcx
from treadctl.history.log import load_session_log
from treadctl.sim.heart_rate_strap import curve_through


async def test_fit_and_tcx_carry_the_strap_rate(tmp_path: Path) -> None:
    strap = SimStrap(curve_through([(0, 96), (60, 96), (120, 140)]))
    async with strapped_run(tmp_path, strap) as run:
        result = await run.finish()
        assert run.treadmill.heart_rate_bpm is None
    assert result.summary.completed
    log = load_session_log(result.log_path)
    logged = {p.heart_rate_bpm for p in log.points if p.heart_rate_bpm is not None}
    assert {96, 140} <= logged

    records = only(decode(encode_fit(build_activity(log)), tmp_path), "record")
    rates = [r["heart_rate"] for r in records if r.get("heart_rate") is not None]
    assert len(rates) > len(records) * 0.9
    assert min(rates) == 96
    assert max(rates) == 140

    path = tmp_path / "out.tcx"
    path.write_bytes(encode_tcx(build_activity(log)))
    tcx = tcxparser.TCXParser(str(path))
    assert min(tcx.hr_values()) == 96
    assert max(tcx.hr_values()) == 140
    assert tcx.hr_max == 140
