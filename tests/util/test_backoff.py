from __future__ import annotations

import pytest

from treadctl.util.backoff import Backoff


def test_delays_double_up_to_the_cap() -> None:
    backoff = Backoff(1.0, 30.0)
    assert [backoff.next_s() for _ in range(7)] == [1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]


def test_a_success_starts_again_at_the_first_delay() -> None:
    backoff = Backoff(0.5, 4.0)
    backoff.next_s()
    backoff.next_s()
    backoff.reset()
    assert backoff.next_s() == 0.5


@pytest.mark.parametrize(("initial_s", "max_s"), [(0.0, 1.0), (-1.0, 1.0), (2.0, 1.0)])
def test_nonsense_delays_are_refused(initial_s: float, max_s: float) -> None:
    with pytest.raises(ValueError, match="0 < initial_s <= max_s"):
        Backoff(initial_s, max_s)
