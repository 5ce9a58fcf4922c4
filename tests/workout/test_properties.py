"""Properties over generated profiles, each run through the runner on the simulator.

For any valid profile: no backward speed above the ceiling is ever sent (H2), every
direction change happens with the belt at or below the turn speed (H1), and no speed
change is faster than the ramp rate for the way the person faces (H3).
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.workout.harness import Workout, workout
from treadctl.workout.events import Turnaround
from treadctl.workout.timeline import PlanLimits

LIMITS = PlanLimits(
    max_backward_speed_kmh=3.0,
    max_forward_speed_kmh=10.0,
    ramp_rate_forward_kmh_per_s=0.5,
    ramp_rate_backward_kmh_per_s=0.25,
    turn_speed_kmh=0.8,
    turn_hold_s=3.0,
)

segment = st.fixed_dictionaries(
    {
        "direction": st.sampled_from(["forward", "backward"]),
        "speed_kmh": st.integers(5, 90).map(lambda x: x / 10),
        "incline_pct": st.integers(0, 12).map(lambda x: x / 2),
        "duration": st.integers(5, 40),
    }
)
profiles = st.lists(segment, min_size=1, max_size=5)


async def _run(segments: list[dict[str, Any]]) -> Workout:
    async with workout(segments, limits=LIMITS) as w:
        w.start()
        summary = await w.finish()
        assert summary.completed
        return w


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles)
def test_safety_properties_hold_for_any_profile(segments: list[dict[str, Any]]) -> None:
    w = asyncio.run(_run(segments))
    sent = w.speed_commands()
    # H2: nothing above the ceiling for the way the person faces
    for _, speed_kmh, facing in sent:
        ceiling = LIMITS.speed_ceiling(facing)  # type: ignore[arg-type]
        assert speed_kmh <= ceiling + 1e-9
    # H1: every "turn now" with the belt at or below the turn speed
    turns = [t for t in w.log if isinstance(t.event, Turnaround) and t.event.phase == "turn_now"]
    changes = sum(1 for a, b in itertools.pairwise(segments) if a["direction"] != b["direction"])
    changes += segments[0]["direction"] == "backward"  # every workout starts facing forward
    assert len(turns) == changes
    for turn in turns:
        assert turn.belt_kmh <= LIMITS.turn_speed_kmh + 0.05
    # H3: no change faster than the ramp rate
    for (t1, v1, _), (t2, v2, facing) in itertools.pairwise(sent):
        if abs(v2 - v1) < 1e-9:
            continue
        rate = LIMITS.ramp_rate(facing)  # type: ignore[arg-type]
        assert abs(v2 - v1) <= rate * (t2 - t1) + 1e-6, (t1, v1, t2, v2, facing)
