"""A heart-rate strap in a workout: the runtime's strap factory, the simulated strap on the
loopback link, the simulated treadmill, one virtual clock (H9 and "heart rate unknown")."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.straps import SimStrap, strapped_run
from treadctl.config import Settings
from treadctl.sessions import read_session
from treadctl.sim.heart_rate_strap import curve_through
from treadctl.workout.events import Paused, SafetyAlert, SegmentStarted
from treadctl.workout.runner import RunState

CEILING = Settings(max_heart_rate_bpm=150, heart_rate_over_s=10)


async def test_h9_acts_on_the_strap_while_the_treadmill_reports_no_heart_rate(
    tmp_path: Path,
) -> None:
    strap = SimStrap(curve_through([(0, 110), (60, 110), (61, 168)]))
    async with strapped_run(tmp_path, strap, settings=CEILING) as run:
        await run.until(lambda: bool(run.alerts("heart_rate")), limit_s=200)
        assert run.treadmill.heart_rate_bpm is None  # the treadmill has no say in it
        assert run.runner.client.state.heart_rate_bpm is None
        alarm = run.alerts("heart_rate")[0]
        assert "168 bpm" in alarm.message
        assert "your heart-rate ceiling of 150 bpm" in alarm.message
        alarm_at = next(t for t, e in run.log if e is alarm)
        over_at = next(t for t, s in run.samples() if (s.heart_rate_bpm or 0) > 150)
        assert alarm_at - over_at >= 10 - 1e-6  # above it for N s first
        status = run.runner.status()
        assert (status.heart_rate_bpm, status.heart_rate_source) == (168, "strap")
        await run.clock.sleep(15)
        assert run.runner.state is RunState.PAUSED
        assert run.treadmill.belt.speed_kmh <= 0.8 + 1e-6  # slowed to recovery
        assert strap.sim is not None
        strap.sim.curve = lambda _t: 118.0
        await run.clock.sleep(3)
        run.runner.confirm()
        result = await run.finish()
    assert result.summary.completed
    assert len(run.alerts("heart_rate")) == 1
    strap_samples = [s for _, s in run.samples() if s.heart_rate_source == "strap"]
    assert len(strap_samples) > 100
    assert {s.heart_rate_bpm for s in strap_samples} >= {110, 168, 118}


async def test_no_contact_is_unknown_told_once_and_raises_no_alarm(tmp_path: Path) -> None:
    # Off the chest, while the console's hand grips would say 165: above the ceiling.
    strap = SimStrap(lambda _t: 120.0)
    async with strapped_run(tmp_path, strap, settings=CEILING) as run:
        assert strap.sim is not None
        strap.sim.worn = False
        run.treadmill.heart_rate_bpm = 165
        await run.until(lambda: bool(run.alerts("heart_rate_unknown")), limit_s=60)
        unknown = run.alerts("heart_rate_unknown")[0]
        assert unknown.hazard == "H9"
        assert "no skin contact" in unknown.message
        assert "cannot watch your 150 bpm ceiling" in unknown.message
        await run.clock.sleep(30)
        status = run.runner.status()
        assert (status.heart_rate_bpm, status.heart_rate_source) == (None, "strap")
        strap.sim.worn = True  # back on: a value again
        await run.until(lambda: run.runner.status().heart_rate_bpm == 120, limit_s=10)
        await run.clock.sleep(5)
        strap.sim.worn = False  # and off again: not told a second time
        result = await run.finish()
    assert result.summary.completed
    assert len(run.alerts("heart_rate_unknown")) == 1
    assert not run.alerts("heart_rate")  # never a false alarm, never the hand grips' 165
    assert not [e for e in run.events if isinstance(e, Paused)]
    samples = [s for _, s in run.samples()]
    assert {s.heart_rate_source for s in samples[5:]} == {"strap"}
    # Once the strap has spoken (the first second is the grips'), never 0, never 165.
    assert all(s.heart_rate_bpm in (None, 120) for s in samples[2:])
    assert any(s.heart_rate_bpm is None for s in samples[-20:])
    # The session log says it the same way.
    logged = [e for e in read_session(tmp_path / "session.jsonl").events if e["type"] == "sample"]
    assert {e["heart_rate_source"] for e in logged[5:]} == {"strap"}
    assert 0 not in {e["heart_rate_bpm"] for e in logged}


async def test_the_strap_drops_and_comes_back_while_the_treadmill_goes_on(tmp_path: Path) -> None:
    strap = SimStrap(lambda _t: 128.0)
    async with strapped_run(tmp_path, strap) as run:
        await run.until(
            lambda: any(
                isinstance(e, SegmentStarted) and e.facing == "backward" for e in run.events
            )
        )
        await run.clock.sleep(10)
        lost_at = run.clock.now()
        strap.out_of_range()
        await run.clock.sleep(20)
        assert run.runner.status().heart_rate_source is None  # nothing reports one now
        assert run.treadmill.belt.speed_kmh == pytest.approx(2.0, abs=0.05)  # undisturbed
        assert run.runner.state is RunState.RUNNING
        strap.in_range()
        await run.until(lambda: run.runner.status().heart_rate_source == "strap", limit_s=60)
        back_at = run.clock.now()
        result = await run.finish()
    assert result.summary.completed
    assert len(run.cues("Heart-rate strap lost")) == 1
    assert len(run.cues("Heart-rate strap back")) == 1
    assert not run.alerts()  # no hazard: the treadmill never noticed
    assert not [e for e in run.events if isinstance(e, Paused | SafetyAlert)]
    during = [s for t, s in run.samples() if lost_at + 6 <= t <= back_at - 1]
    assert during
    assert all(s.heart_rate_bpm is None and s.heart_rate_source is None for s in during)
    assert all(s.speed_kmh == pytest.approx(2.0, abs=0.05) for s in during)
    after = [s for t, s in run.samples() if t > back_at]
    assert after
    assert after[0].heart_rate_bpm == 128
    header = read_session(tmp_path / "session.jsonl").header
    assert header["heart_rate_strap"] == {
        "kind": "simulator",
        "name": "treadctl-hrm",
        "address": "AA:BB:CC:DD:EE:02",
    }
