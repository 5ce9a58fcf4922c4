"""The workout screen's heart rate: the strap's, marked with its source; ``--`` while
unknown (Pilot, the simulated strap beside the simulated treadmill, a virtual clock)."""

from __future__ import annotations

from pathlib import Path

from tests.straps import SimStrap
from tests.tui.conftest import (
    MakeApp,
    advance,
    advance_until,
    runner_of,
    sim_of,
    started,
    workout_screen,
)
from treadctl.clock import VirtualClock
from treadctl.tui.widgets import BigNumber


def caption(number: BigNumber) -> str:
    return str(number.query_one(".big-number--caption").render())


async def test_the_heart_number_says_where_it_comes_from(
    short_profile: Path, make_app: MakeApp
) -> None:
    clock = VirtualClock()
    strap = SimStrap(lambda _t: 97.0)
    app = make_app(short_profile, clock, options={"strap": strap.factory()})
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot, clock)
        heart = workout_screen(app).query_one("#heart", BigNumber)
        sim_of(app).heart_rate_bpm = 150  # the grips: the strap still wins
        await advance_until(pilot, clock, lambda: heart.display and heart.value == "97")
        assert "bpm · strap" in caption(heart)
        assert strap.sim is not None
        strap.sim.worn = False
        await advance(pilot, clock, 3)
        assert heart.value == "--"  # unknown, never 0 and never the grips' 150
        assert "bpm · strap" in caption(heart)
        strap.out_of_range()  # gone: the treadmill's grips are all there is
        await advance_until(pilot, clock, lambda: heart.value == "150", limit_s=15)
        assert "bpm · treadmill" in caption(heart)
        assert runner_of(app).status().heart_rate_source == "treadmill"
