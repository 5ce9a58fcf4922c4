"""Which belt readings decisions may use (H12)."""

from __future__ import annotations

from treadctl.workout.trust import SpeedTrust, Verdict


def test_a_reading_outside_the_range_is_discarded() -> None:
    trust = SpeedTrust(maximum_kmh=16)
    assert trust.feed(0.0, 3.0) is Verdict.ACCEPTED
    assert trust.feed(0.5, 100.0) is Verdict.OUT_OF_RANGE
    assert trust.feed(1.0, -1.0) is Verdict.OUT_OF_RANGE
    assert trust.discarded == 2


def test_one_impossible_jump_is_not_believed_but_a_lasting_one_is() -> None:
    trust = SpeedTrust(maximum_kmh=16)
    trust.feed(0.0, 2.0)
    trust.feed(0.5, 2.0)
    assert trust.feed(1.0, 14.0) is Verdict.IMPLAUSIBLE  # 24 km/h/s: no motor does that
    assert trust.trusted_kmh == 2.0
    assert trust.feed(1.5, 2.0) is Verdict.ACCEPTED
    # Three readings in a row that agree with each other are the belt (a reconnect).
    for t in (2.0, 2.5):
        assert trust.feed(t, 10.0) is Verdict.IMPLAUSIBLE
    assert trust.feed(3.0, 10.0) is Verdict.ACCEPTED
    assert trust.trusted_kmh == 10.0


def test_settled_needs_two_readings_and_a_belt_that_is_not_rising() -> None:
    trust = SpeedTrust(maximum_kmh=16)
    trust.feed(0.0, 1.5)
    trust.feed(0.5, 0.7)  # one low reading (plausible by itself)
    assert not trust.settled_at_or_below(0.8)
    trust.feed(1.0, 1.4)
    assert not trust.settled_at_or_below(0.8)
    trust.feed(1.5, 0.8)
    trust.feed(2.0, 0.78)
    assert trust.settled_at_or_below(0.8)
    trust.feed(2.5, 1.0)  # rising again
    assert not trust.settled_at_or_below(0.8)


def test_a_repeat_at_once_confirms_nothing() -> None:
    trust = SpeedTrust(maximum_kmh=16)
    trust.feed(0.0, 1.2)
    trust.feed(0.5, 0.0)
    assert trust.feed(0.5, 0.0) is Verdict.REPEATED  # a duplicated notification
    assert not trust.stopped()


def test_a_new_link_forgets_everything() -> None:
    trust = SpeedTrust(maximum_kmh=16)
    trust.feed(0.0, 3.0)
    trust.feed(0.5, 3.0)
    trust.reset()
    assert trust.trusted_kmh is None
    assert trust.feed(10.0, 0.0) is Verdict.ACCEPTED
