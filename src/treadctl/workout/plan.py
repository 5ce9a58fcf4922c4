"""The user's settings and a profile, combined into the limits a workout runs under."""

from __future__ import annotations

from treadctl.config import Settings
from treadctl.ftms.ranges import SupportedRange
from treadctl.workout.profile import (
    Profile,
    check_against,
    effective_limits,
    effective_turn,
    flatten,
)
from treadctl.workout.timeline import PlanLimits, Timeline, compile_timeline


def plan_limits(profile: Profile, settings: Settings) -> PlanLimits:
    """Ceilings tightened by the profile, turn settings made more careful by it."""
    limits = effective_limits(profile, settings)
    turn = effective_turn(profile, settings)
    return PlanLimits(
        max_backward_speed_kmh=limits.max_backward_speed_kmh,
        max_backward_incline_pct=limits.max_backward_incline_pct,
        max_forward_speed_kmh=limits.max_forward_speed_kmh,
        ramp_rate_forward_kmh_per_s=settings.ramp_rate_forward_kmh_per_s,
        ramp_rate_backward_kmh_per_s=settings.ramp_rate_backward_kmh_per_s,
        turn_speed_kmh=turn.speed_kmh,
        turn_hold_s=turn.hold_s,
        turn_confirm=turn.confirm,
        turn_warning_s=turn.warning_s,
        max_heart_rate_bpm=limits.max_heart_rate_bpm,
        heart_rate_over_s=settings.heart_rate_over_s,
    )


def plan(
    profile: Profile,
    settings: Settings,
    *,
    speed_range: SupportedRange | None = None,
    incline_range: SupportedRange | None = None,
) -> Timeline:
    """The timeline for ``profile``.

    Raises:
        CeilingError: the profile asks for more than the user's ceilings allow; the
            message says how to raise them.
    """
    check_against(profile, settings)
    return compile_timeline(
        flatten(profile),
        plan_limits(profile, settings),
        speed_range=speed_range,
        incline_range=incline_range,
        source=profile.source,
    )
