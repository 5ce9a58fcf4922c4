"""One counter for a workout's totals: the rule every sink reads."""

from __future__ import annotations

import pytest

from treadctl.workout.totals import RunningTotals, Step


def feed(totals: RunningTotals, distances: list[float], *, every_s: float = 10.0) -> list[Step]:
    return [totals.feed_distance(i * every_s, d, "forward") for i, d in enumerate(distances)]


def test_a_small_step_back_is_out_of_order_and_counted_once() -> None:
    # The case an earlier counter in the MQTT sink got wrong: 250 m where the runner had 150.
    totals = RunningTotals(max_speed_kmh=16)
    steps = feed(totals, [0, 50, 100, 99.5, 101, 150])
    assert totals.distance_m == pytest.approx(150)
    assert steps[3] is Step.OUT_OF_ORDER
    assert totals.out_of_order == 1


def test_a_large_drop_is_the_machine_starting_a_new_session() -> None:
    totals = RunningTotals(max_speed_kmh=16)
    steps = feed(totals, [0, 40, 80, 5, 30])
    assert steps[3] is Step.RESTARTED
    assert totals.distance_m == pytest.approx(80 + 5 + 25)


def test_an_impossible_jump_is_skipped_and_becomes_the_new_reference() -> None:
    totals = RunningTotals(max_speed_kmh=16)  # 6.7 m/s at most, with margin
    steps = feed(totals, [0, 20, 5000, 5020], every_s=5.0)
    assert steps[2] is Step.IMPOSSIBLE
    assert totals.distance_m == pytest.approx(40)
    assert totals.impossible == 1


def test_backward_time_and_distance_follow_the_facing() -> None:
    totals = RunningTotals(max_speed_kmh=16)
    # A tick counts the time since the last one for the way the person faces at it (the
    # runner ticks once a second).
    totals.feed_distance(0, 0, "forward")
    totals.tick(0, "forward")
    totals.feed_distance(10, 10, "backward")
    totals.tick(10, "forward")
    totals.feed_distance(20, 16, "backward")
    totals.tick(20, "backward")
    snapshot = totals.snapshot()
    assert snapshot.backward_distance_m == pytest.approx(16)
    assert snapshot.backward_s == pytest.approx(10)
    assert snapshot.energy_kcal is None  # no energy reported: unknown, not zero
