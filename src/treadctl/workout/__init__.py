"""The workout engine: profiles and their loaders (the compiler and runner build on these)."""

from treadctl.units import KMH_PER_MPH
from treadctl.workout.builtin import builtin_dir, list_builtin, load_profile
from treadctl.workout.durations import DurationError, format_duration, parse_duration
from treadctl.workout.loader import load_profile_file, parse_profile, profile_from_data
from treadctl.workout.profile import (
    CeilingError,
    Cue,
    Direction,
    EffectiveLimits,
    FlatSegment,
    Limits,
    Profile,
    ProfileError,
    ProfileSummary,
    Repeat,
    Segment,
    Turn,
    TurnPlan,
    check_against,
    effective_limits,
    effective_turn,
    flatten,
    summarize,
)
from treadctl.workout.zwo import load_zwo, parse_zwo

__all__ = [
    "KMH_PER_MPH",
    "CeilingError",
    "Cue",
    "Direction",
    "DurationError",
    "EffectiveLimits",
    "FlatSegment",
    "Limits",
    "Profile",
    "ProfileError",
    "ProfileSummary",
    "Repeat",
    "Segment",
    "Turn",
    "TurnPlan",
    "builtin_dir",
    "check_against",
    "effective_limits",
    "effective_turn",
    "flatten",
    "format_duration",
    "list_builtin",
    "load_profile",
    "load_profile_file",
    "load_zwo",
    "parse_duration",
    "parse_profile",
    "parse_zwo",
    "profile_from_data",
    "summarize",
]
