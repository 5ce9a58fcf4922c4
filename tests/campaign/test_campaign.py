"""The fault campaign's sample for CI: 300 seeded cases, every one judged from the belt.

The long run (10,000 seeds and more) is ``python -m treadctl.campaign --seeds 10000
--jobs 2``; docs/safety.md has its counts.
"""

from __future__ import annotations

import pytest

from treadctl.campaign.__main__ import report
from treadctl.campaign.case import make_case
from treadctl.campaign.judge import BeltJudge
from treadctl.campaign.pool import run_campaign
from treadctl.campaign.run import run_case
from treadctl.clock import VirtualClock
from treadctl.ftms import uuids
from treadctl.sim import Quirk, SimConfig, SimTreadmill
from treadctl.workout.events import SafetyAlert
from treadctl.workout.timeline import PlanLimits

CI_SEEDS = 300


def test_the_ci_sample_of_the_fault_campaign_runs_clean(capsys: pytest.CaptureFixture[str]) -> None:
    results = run_campaign(0, CI_SEEDS, jobs=1)
    text = report(results, 0.0)
    with capsys.disabled():
        print("\n" + text)
    assert len(results) == CI_SEEDS
    failed = [r for r in results if not r.ok]
    assert not failed, text
    # The sample did what a campaign must: faults of every kind, people acting, and
    # workouts that ran to their end as well as ones that were stopped.
    faults = {kind for r in results for kind in r.faults}
    assert {"link_drop", "cp_timeout", "console_speed", "bogus_reading", "revoke_control"} <= faults
    assert sum(1 for r in results if r.outcome == "completed") > CI_SEEDS // 2
    assert any(r.outcome == "stopped" for r in results)
    # And people really walked backward: most cases turned, a good share of the time.
    assert sum(1 for r in results if r.turns > 0) > CI_SEEDS * 0.5
    assert sum(r.backward_s for r in results) > 0.2 * sum(r.workout_s for r in results)
    # Treadmills that cannot be commanded ran in advisory mode, turns and all.
    advisory = [r for r in results if r.advisory]
    assert sum(1 for r in advisory if r.outcome == "completed") >= 10
    assert sum(r.turns for r in advisory) > 0


def test_a_seed_names_the_same_case_every_time() -> None:
    a, b = make_case(4711), make_case(4711)
    assert a == b
    assert make_case(4712) != a


async def test_the_judge_catches_a_belt_sent_over_the_ceiling() -> None:
    """The judge is no rubber stamp: a speed sent over the ceiling facing backward is
    caught, and so is a rise faster than the ramp rate."""
    clock = VirtualClock()
    sim = SimTreadmill(clock, SimConfig())
    limits = PlanLimits(max_backward_speed_kmh=2.0)
    judge = BeltJudge(limits, minimum_kmh=0.5, increment_kmh=0.1, facing="backward")
    judge.watch(sim)
    conn = sim.attach(_NullSink())
    conn.set_subscribed(uuids.CONTROL_POINT, True)
    async with sim.running():
        for data in (b"\x00", b"\x07", b"\x02\x2c\x01"):  # control, start, 3.00 km/h
            sim.write(conn, uuids.CONTROL_POINT, data, response=True)
            await clock.advance(0.1)
        await clock.advance(10)
    rules = {v.rule for v in judge.violations}
    assert {"ceiling", "rise"} <= rules


async def test_the_judge_wants_an_alarm_for_a_belt_over_the_ceiling_in_advisory_mode() -> None:
    """In advisory mode the person drives the belt: over the ceiling, treadctl must say so
    at once. A console speed over it with no alarm is caught; with one, it is not."""
    for alarmed in (False, True):
        clock = VirtualClock()
        sim = SimTreadmill(clock, SimConfig(quirks=frozenset({Quirk.NO_CONTROL_POINT})))
        judge = BeltJudge(PlanLimits(), minimum_kmh=0.5, increment_kmh=0.1, facing="backward")
        judge.advisory = lambda: True
        judge.can_command = lambda: False  # nothing to command: an alarm is all there is
        judge.watch(sim)
        async with sim.running():
            sim.console_set_speed(1.0)
            sim.console_start()
            await clock.advance(5)
            sim.console_set_speed(4.0)  # above the 3.0 km/h backward ceiling
            judge.console_speed(clock.now(), 4.0)
            await clock.advance(2.5)
            if alarmed:
                judge.follow(clock.now(), SafetyAlert("H2", "over_ceiling", "Too fast"))
            await clock.advance(10)
        rules = [v.rule for v in judge.violations]
        assert rules == ([] if alarmed else ["alarm"])


class _NullSink:
    def notify(self, uuid: str, data: bytes) -> None:
        pass

    def server_disconnected(self) -> None:
        pass


async def test_one_case_reports_its_faults_and_outcome() -> None:
    result = await run_case(make_case(7))
    assert result.ok
    assert result.outcome in ("completed", "stopped", "refused")
    assert result.workout_s > 0
    assert sum(result.faults.values()) > 0
