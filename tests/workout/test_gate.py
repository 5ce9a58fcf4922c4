"""The last gate alone, under arbitrary sequences of requests, readings, holds and links.

Hypothesis drives a state machine through random requests (speeds, inclines, starts),
trusted readings, halts (pause, console stop, link loss), facings and turns, person
actions, unit changes and closes, on random machines (km/h and mph grids, slow and fast
minimums, coarse and fine increments) under random limits. Whatever the sequence, what
the gate lets out never breaks an invariant.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from treadctl.client.grid import SpeedGrid
from treadctl.ftms.ranges import SupportedRange
from treadctl.units import KMH_PER_MPH
from treadctl.workout.gate import CommandGate, Refusal, SpeedDecision
from treadctl.workout.profile import Direction
from treadctl.workout.timeline import PlanLimits

EPS = 1e-6

kmh_grids = st.builds(
    lambda lo, inc, hi: SpeedGrid(SupportedRange(lo, hi, inc), "kmh"),
    st.sampled_from([0.3, 0.5, 0.8, 1.0, 1.5]),
    st.sampled_from([0.01, 0.05, 0.1, 0.2, 0.5]),
    st.sampled_from([6.0, 12.0, 16.0, 20.0]),
)
mph_grids = st.builds(
    lambda lo, hi: SpeedGrid(SupportedRange(lo, hi, 0.1), "mph"),
    st.sampled_from([0.3, 0.5, 0.6, 1.0]),
    st.sampled_from([4.0, 8.0, 12.0]),
)
limits_st = st.builds(
    lambda back, fwd, rf, rb, turn: PlanLimits(
        max_backward_speed_kmh=back,
        max_forward_speed_kmh=max(fwd, back),
        ramp_rate_forward_kmh_per_s=rf,
        ramp_rate_backward_kmh_per_s=rb,
        turn_speed_kmh=turn,
    ),
    st.sampled_from([0.8, 1.0, 2.0, 2.5, 3.0, 4.5]),
    st.sampled_from([3.0, 6.0, 12.0]),
    st.sampled_from([0.2, 0.5, 1.0]),
    st.sampled_from([0.1, 0.25, 0.5]),
    st.sampled_from([0.0, 0.5, 0.8, 1.2, 2.0]),
)


def on_grid(grid: SpeedGrid, wire: float) -> bool:
    steps = (wire - grid.wire.minimum) / grid.wire.increment
    return abs(steps - round(steps)) < 1e-4 and grid.wire.contains(wire)


class GateMachine(RuleBasedStateMachine):
    gate: CommandGate
    limits: PlanLimits

    @initialize(
        grid=st.one_of(kmh_grids, mph_grids),
        limits=limits_st,
        verified=st.booleans(),
    )
    def setup(self, grid: SpeedGrid, limits: PlanLimits, verified: bool) -> None:
        self.limits = limits
        self.gate = CommandGate(
            limits, grid, SupportedRange(0.0, 15.0, 0.5), unit_verified=verified
        )
        self.t = 0.0
        # The model's own idea of where increases are measured from.
        self.ref: tuple[float, float] = (0.0, 0.0)
        self.sent_after_close = 0

    # -- the model ------------------------------------------------------------------------

    def facings(self) -> tuple[Direction, ...]:
        g = self.gate
        return ("forward", "backward") if g.turning else (g.facing,)

    def ceiling_kmh(self) -> float:
        return min(self.limits.speed_ceiling(f) for f in self.facings())

    def rate(self) -> float:
        rate = min(self.limits.ramp_rate(f) for f in self.facings())
        return rate if self.gate.unit_verified else rate / KMH_PER_MPH

    def send(self, decision: SpeedDecision) -> None:
        g = self.gate
        assert decision.wire is not None
        wire = decision.wire
        kmh = g.grid.to_kmh(wire)
        # On the machine's grid, inside its range (H4).
        assert on_grid(g.grid, wire), (wire, g.grid)
        # Under the ceiling for the way the person faces (both, while turning) (H2)...
        assert kmh <= self.ceiling_kmh() + EPS or kmh <= g.grid.minimum_kmh + EPS
        # ...and the careful one while the unit is unverified.
        if not g.unit_verified:
            ceiling = self.ceiling_kmh()
            careful = max(ceiling / KMH_PER_MPH, min(g.grid.minimum_kmh, ceiling))
            assert kmh <= careful + EPS or kmh <= g.grid.minimum_kmh + EPS
        if not g.belt_running:
            # A belt at rest is only ever given its slowest speed.
            assert wire <= g.grid.wire.minimum + EPS
        else:
            base_kmh, base_t = self.ref
            if kmh > base_kmh + EPS:
                step = g.ramp_step_kmh
                allowed = min(step, self.rate() * (self.t - base_t))
                assert kmh - base_kmh <= allowed + 1e-4, (kmh, base_kmh, allowed)
        if g.backward_off and "backward" in self.facings():
            assert g.stored_wire is not None
            assert wire <= g.stored_wire + EPS
        if g.needs_person and g.belt_running:
            assert g.stored_wire is not None
            assert wire <= g.stored_wire + EPS  # held: nothing faster until a person acts
        changed = g.stored_wire is None or abs(wire - g.stored_wire) > EPS
        g.sent_speed(wire, self.t)
        if g.belt_running and changed:
            self.ref = (kmh, self.t)

    # -- rules --------------------------------------------------------------------------

    @rule(dt=st.floats(0.0, 3.0))
    def tick(self, dt: float) -> None:
        self.t += dt

    @rule(kmh=st.floats(0.0, 25.0))
    def ask_speed(self, kmh: float) -> None:
        decision = self.gate.speed(kmh, self.t)
        if self.gate.closed:
            assert decision.wire is None
            assert decision.refused is Refusal.CLOSED
            return
        if decision.wire is not None:
            self.send(decision)

    @rule(steps=st.integers(1, 40))
    def ramp_up_like_a_runner(self, steps: int) -> None:
        """Many requests far above, as fast as a confused ramp would send them."""
        for _ in range(steps):
            self.t += 0.05
            decision = self.gate.speed(25.0, self.t)
            if decision.wire is None:
                return
            self.send(decision)

    @rule(kmh=st.floats(0.0, 30.0), steady=st.booleans())
    def reading(self, kmh: float, steady: bool) -> None:
        self.gate.observe(self.t, kmh, steady=steady)
        if self.gate.belt_running and steady and kmh > self.ref[0] + 1e-9:
            self.ref = (kmh, self.t)

    @rule()
    def halt(self) -> None:
        self.gate.halted(self.t)
        self.ref = (0.0, self.t)

    @rule()
    def start(self) -> None:
        g = self.gate
        refusal = g.start_refusal()
        if g.closed:
            assert refusal is Refusal.CLOSED
        elif g.needs_person:
            assert refusal is Refusal.NEEDS_PERSON
        elif g.backward_off and "backward" in self.facings():
            assert refusal is Refusal.BACKWARD_OFF
        if refusal is not None:
            return
        slow = g.must_store_before_start()
        if slow is not None:
            decision = g.speed(g.grid.to_kmh(slow), self.t)
            assert decision.wire is not None
            assert decision.wire <= slow + EPS
            self.send(decision)
        assert g.stored_wire is not None
        assert g.stored_wire <= g.grid.wire.minimum + EPS
        g.started(self.t)
        self.ref = (g.grid.to_kmh(g.stored_wire), self.t)

    @rule(facing=st.sampled_from(["forward", "backward"]), turning=st.booleans())
    def face(self, facing: Direction, turning: bool) -> None:
        self.gate.face(facing, turning=turning)

    @rule()
    def hold_for_a_person(self) -> None:
        self.gate.need_person()

    @rule()
    def person_acts(self) -> None:
        self.gate.person_acted()

    @rule()
    def backward_off(self) -> None:
        self.gate.turn_backward_off()

    @rule()
    def unit_checked(self) -> None:
        self.gate.unit_verified = True

    @rule()
    def link_lost(self) -> None:
        self.gate.halted(self.t)
        self.gate.forget_stored()
        self.ref = (0.0, self.t)

    @precondition(lambda self: not self.gate.closed)
    @rule()
    def close(self) -> None:
        self.gate.close()

    @rule(pct=st.floats(-5.0, 30.0))
    def ask_incline(self, pct: float) -> None:
        decision = self.gate.incline(pct)
        if self.gate.closed:
            assert decision.pct is None
            return
        assert decision.pct is not None
        assert 0.0 <= decision.pct <= 15.0
        assert math.isclose(decision.pct * 2, round(decision.pct * 2), abs_tol=1e-6)
        ceilings = [self.limits.incline_ceiling(f) for f in self.facings()]
        for ceiling in ceilings:
            if ceiling is not None:
                assert decision.pct <= ceiling + EPS

    @invariant()
    def turn_speed_under_both_ceilings(self) -> None:
        if not hasattr(self, "gate"):
            return
        turn = self.gate.turn_speed_kmh()
        if turn > 0:
            assert turn <= self.limits.turn_speed_kmh + EPS
            assert turn <= self.limits.max_backward_speed_kmh + EPS
            assert turn <= self.limits.max_forward_speed_kmh + EPS


GateMachine.TestCase.settings = settings(
    max_examples=300,
    stateful_step_count=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_gate_never_lets_out_an_unsafe_command = GateMachine.TestCase


# -- a few worked examples ----------------------------------------------------------------------


def test_a_ceiling_rounds_down_on_an_mph_grid() -> None:
    grid = SpeedGrid(SupportedRange(0.5, 8.0, 0.1), "mph")
    gate = CommandGate(PlanLimits(max_backward_speed_kmh=2.5), grid, SupportedRange(0, 15, 0.5))
    gate.face("backward")
    gate.stored_wire = 0.5
    gate.started(0.0)
    decision = gate.speed(2.5, 1e6)
    for _ in range(30):
        gate.sent_speed(decision.wire or 0.0, 0.0)
        decision = gate.speed(2.5, 1e6)
    assert decision.wire == pytest.approx(1.5)  # 1.55 mph would round to 1.6 = 2.57 km/h
    assert decision.kmh == pytest.approx(2.414, abs=1e-3)


def test_a_machine_slower_than_no_ceiling_refuses_backward() -> None:
    grid = SpeedGrid(SupportedRange(1.0, 16.0, 0.1))
    gate = CommandGate(PlanLimits(max_backward_speed_kmh=0.8), grid, SupportedRange(0, 15, 0.5))
    assert not gate.lowest_ceiling_fits("backward")
    gate.face("backward")
    assert gate.speed(0.8, 0.0).refused is Refusal.TOO_SLOW
    assert gate.start_refusal() is Refusal.TOO_SLOW


def test_the_turn_speed_is_under_both_ceilings_on_the_grid() -> None:
    grid = SpeedGrid(SupportedRange(0.5, 16.0, 0.1))
    limits = PlanLimits(max_backward_speed_kmh=0.8, turn_speed_kmh=1.2)
    gate = CommandGate(limits, grid, SupportedRange(0, 15, 0.5))
    assert gate.turn_speed_kmh() == pytest.approx(0.8)
    slow_machine = CommandGate(limits, SpeedGrid(SupportedRange(1.0, 16.0, 0.1)), grid.wire)
    assert slow_machine.turn_speed_kmh() == 0.0  # pause the belt for turns


def test_after_a_halt_increases_start_again_from_the_slow_speed() -> None:
    grid = SpeedGrid(SupportedRange(0.5, 16.0, 0.1))
    gate = CommandGate(PlanLimits(), grid, SupportedRange(0, 15, 0.5))
    gate.face("backward")
    gate.stored_wire = 0.5
    gate.started(0.0)
    gate.sent_speed(2.0, 0.0)  # where the interrupted ramp had got to
    gate.halted(1.0)
    assert gate.speed(2.1, 1.0).wire == pytest.approx(0.5)  # at rest: the slow speed only
    gate.sent_speed(0.5, 1.0)
    gate.started(1.5)
    assert gate.speed(2.1, 1.6).wire == pytest.approx(0.5)  # 0.1 s: not a whole step yet
    assert gate.speed(2.1, 1.9).wire == pytest.approx(0.6)  # 0.4 s at 0.25 km/h/s: one step
