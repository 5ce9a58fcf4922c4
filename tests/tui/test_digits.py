"""Every big number is whole and one size at every supported terminal size, turns too."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tui.conftest import MakeApp, advance, advance_until, screen_text, started
from tests.tui.conftest import workout_screen as screen_of
from treadctl.clock import VirtualClock
from treadctl.tui import TreadctlApp
from treadctl.tui.widgets import BigNumber
from treadctl.tui.widgets.big_text import SCALE_ROWS, big_rows

SIZES = [(80, 24), (120, 35), (120, 36), (120, 40), (160, 48)]


def shows_whole(lines: list[str], value: str, scale: int | None) -> bool:
    """``value`` is on the screen in full: every row of its glyphs, one under the other
    at the same column (or, at no scale, as plain text)."""
    if scale is None:
        return any(value in line for line in lines)
    rows = big_rows(value, scale)
    for y, line in enumerate(lines[: len(lines) - len(rows) + 1]):
        x = line.find(rows[0])
        while x >= 0:
            if all(lines[y + i][x : x + len(row)] == row for i, row in enumerate(rows)):
                return True
            x = line.find(rows[0], x + 1)
    return False


def check_numbers(app: TreadctlApp) -> int | None:
    """Every number laid out is whole on the screen, and all share one size."""
    numbers = [n for n in screen_of(app).query(BigNumber).results() if n.laid_out]
    assert numbers, "no big number on the screen"
    scales = {n.digit_size.scale for n in numbers}
    assert len(scales) == 1, scales
    (scale,) = scales
    lines = screen_text(app).splitlines()
    for number in numbers:
        assert shows_whole(lines, number.value, scale), (number.id, number.value, scale)
    return scale


@pytest.mark.parametrize("size", SIZES)
async def test_the_numbers_are_whole_and_one_size_in_segments_and_turns(
    make_app: MakeApp, short_profile: Path, size: tuple[int, int]
) -> None:
    clock = VirtualClock()
    app = make_app(short_profile, clock)
    async with app.run_test(size=size) as pilot:
        await started(pilot, clock)
        await advance(pilot, clock, 8)
        screen = screen_of(app)
        forward_scale = check_numbers(app)
        await advance_until(pilot, clock, lambda: screen.has_class("-turning"), limit_s=60)
        await pilot.pause()
        speed = screen.query_one("#speed", BigNumber)
        if size[1] >= 36:
            # Tall: the speed stays on show through the turn, readable.
            assert speed.laid_out
            assert speed.value != "-.-"
            turn_scale = check_numbers(app)
            assert turn_scale is not None
            assert SCALE_ROWS[turn_scale] >= 3
        else:
            assert not speed.laid_out  # the prompt has the screen (and says the speed)
            assert "belt at 0.8 km/h" in screen_text(app)
        await advance_until(pilot, clock, lambda: not screen.has_class("-turning"), limit_s=30)
        await pilot.pause()
        assert check_numbers(app) == forward_scale


async def test_big_terminals_get_five_row_digits_for_all(
    make_app: MakeApp, short_profile: Path
) -> None:
    clock = VirtualClock()
    app = make_app(short_profile, clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await started(pilot, clock)
        await advance(pilot, clock, 8)
        assert check_numbers(app) == 2
