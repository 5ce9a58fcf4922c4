"""The workout screen in advisory mode: what to set at the console, and a stop key that
never claims to stop the belt (Pilot, the simulator without a control point)."""

from __future__ import annotations

from pathlib import Path

from tests.tui.conftest import (
    MakeApp,
    advance,
    advance_until,
    runner_of,
    screen_text,
    sim_of,
)
from treadctl.clock import VirtualClock
from treadctl.sim import BeltState, Quirk


async def test_advice_is_shown_and_the_stop_key_says_use_the_console(
    short_profile: Path, make_app: MakeApp
) -> None:
    clock = VirtualClock()
    app = make_app(
        short_profile,
        clock,
        options={"quirks": frozenset({Quirk.NO_CONTROL_POINT}), "console_hand": True},
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await advance_until(
            pilot,
            clock,
            lambda: (
                app.session is not None
                and app.session.runner is not None
                and runner_of(app).status().awaiting_confirm
            ),
            limit_s=10,
        )
        assert runner_of(app).status().advisory
        await advance_until(pilot, clock, lambda: "advisory mode" in screen_text(app), 5)
        assert "treadctl cannot stop this belt" in screen_text(app)  # the hold says it too
        await pilot.press("a", "enter")  # acknowledge, and begin
        await advance_until(pilot, clock, lambda: "AT THE CONSOLE" in screen_text(app), 10)
        assert "Start the belt at the console" in screen_text(app)
        await advance_until(pilot, clock, lambda: sim_of(app).belt.speed_kmh > 1.0, limit_s=30)
        await pilot.press("space")  # the stop key
        await advance(pilot, clock, 2)
        shown = screen_text(app)
        assert "press STOP on the console" in shown
        assert "the belt is stopping" not in shown
        assert sim_of(app).state is BeltState.RUNNING  # treadctl could not, and did not say so
