"""The user's settings and a profile, combined into the limits a workout runs under."""

from __future__ import annotations

import dataclasses

from treadctl.config import Settings
from treadctl.ftms.ranges import SupportedRange
from treadctl.workout.profile import CeilingError, Limits, Profile, Turn, check_against, flatten
from treadctl.workout.timeline import LimitOrigin, PlanLimits, Timeline, compile_timeline


def _lower(user: float, profile: float | None) -> float:
    return user if profile is None else min(user, profile)


def _longer(user: float, profile: float | None) -> float:
    return user if profile is None else max(user, profile)


def plan_limits(profile: Profile, settings: Settings) -> PlanLimits:
    """The limits a workout runs under: the user's settings, made more careful by the
    profile and never less (a lower ceiling or turn speed, a longer hold or warning,
    confirmation on). The one place settings and a profile are combined."""
    user = PlanLimits.from_settings(settings)
    limits = profile.limits or Limits()
    turn = profile.turn or Turn()
    heart_rates = [r for r in (user.max_heart_rate_bpm, limits.max_heart_rate_bpm) if r]
    origins = dict(user.origins)
    for key in ("max_backward_speed_kmh", "max_backward_incline_pct", "max_forward_speed_kmh"):
        own = getattr(limits, key)
        if own is not None and own < getattr(user, key):
            origins[key] = _profile_origin(profile, key)
    own_rate = limits.max_heart_rate_bpm
    if own_rate is not None and (
        user.max_heart_rate_bpm is None or own_rate < user.max_heart_rate_bpm
    ):
        origins["max_heart_rate_bpm"] = _profile_origin(profile, "max_heart_rate_bpm")
    return dataclasses.replace(
        user,
        max_backward_speed_kmh=_lower(user.max_backward_speed_kmh, limits.max_backward_speed_kmh),
        max_backward_incline_pct=_lower(
            user.max_backward_incline_pct, limits.max_backward_incline_pct
        ),
        max_forward_speed_kmh=_lower(user.max_forward_speed_kmh, limits.max_forward_speed_kmh),
        max_heart_rate_bpm=min(heart_rates) if heart_rates else None,
        turn_speed_kmh=_lower(user.turn_speed_kmh, turn.speed_kmh),
        turn_hold_s=_longer(user.turn_hold_s, turn.hold_s),
        turn_confirm=user.turn_confirm or bool(turn.confirm),
        turn_warning_s=_longer(user.turn_warning_s, turn.warning_s),
        origins=origins,
    )


def _profile_origin(profile: Profile, key: str) -> LimitOrigin:
    """The profile's own limit ``key``: its field and file (or name, for one not read
    from a file)."""
    return LimitOrigin(True, f"limits.{key} in {profile.source or profile.name}")


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


def planned_timeline(profile: Profile, settings: Settings) -> Timeline:
    """The timeline ``profile`` runs, for showing its times (turns and ramps included).

    A profile above the user's ceilings is planned as it would run once they are raised
    as far as it asks: its times are then the ones the person will see, not those of a
    clamped plan that never runs.
    """
    try:
        check_against(profile, settings)
    except CeilingError as exc:
        settings = settings.model_copy(update=exc.needed)
    return compile_timeline(flatten(profile), plan_limits(profile, settings), source=profile.source)
