"""What the start screen offers: profiles (built-in and files) and treadmills.

Plain data, no Textual: the start screen lists these and the app turns a pair of them
into :class:`~treadctl.runtime.WorkoutOptions`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from treadctl.config import Settings
from treadctl.sessions import data_dir
from treadctl.sim import Quirk
from treadctl.workout.builtin import list_builtin, load_profile
from treadctl.workout.plan import plan, planned_timeline
from treadctl.workout.ports import TreadmillFactory
from treadctl.workout.profile import Profile, ProfileError, ProfileSummary, summarize
from treadctl.workout.timeline import StepKind, Timeline
from treadctl.workout.zwo import ZwoReference, zwo_reference

#: Where the start screen looks for the user's own profiles, under the data folder.
USER_PROFILES_SUBDIR = "profiles"


def user_profiles_dir() -> Path:
    """``profiles/`` in treadctl's data folder: ``.toml`` files there are listed too."""
    return data_dir() / USER_PROFILES_SUBDIR


@dataclass(frozen=True)
class ProfileChoice:
    """A profile the user can pick, already checked against their settings.

    ``error`` is set when the file does not load or the profile is above the user's
    ceilings; the start screen shows it and will not start that profile.
    """

    key: str
    """What to hand :func:`~treadctl.runtime.run_workout`: a built-in id or a file path."""
    builtin: bool
    profile: Profile | None = None
    summary: ProfileSummary | None = None
    timeline: Timeline | None = None
    error: str | None = None
    planned: Timeline | None = None
    """For its times: ``timeline``, or for a profile above the ceilings the timeline it
    would run once they are raised."""

    @property
    def total_s(self) -> float | None:
        """The whole workout's time, turns and ramps included (None: it cannot be read)."""
        return None if self.planned is None else self.planned.total_s

    @property
    def backward_s(self) -> float:
        """Time at backward speed."""
        return 0.0 if self.planned is None else self.planned.backward_s

    @property
    def title(self) -> str:
        if self.profile is not None:
            return self.profile.display_title
        return Path(self.key).name if not self.builtin else self.key

    @property
    def has_backward(self) -> bool:
        return self.timeline is not None and self.timeline.has_backward

    @property
    def turns(self) -> int:
        if self.timeline is None:
            return 0
        return sum(1 for step in self.timeline.steps if step.kind is StepKind.TURN)


def profile_choice(
    key: str | Path,
    settings: Settings,
    *,
    builtin: bool = False,
    zwo: ZwoReference | None = None,
) -> ProfileChoice:
    """Load and plan one profile; a problem becomes the choice's ``error``, never raised.

    A ``.zwo`` file's targets are fractions of ``zwo`` (default: the settings' paces).
    """
    text = str(key)
    try:
        profile = load_profile(key, zwo=zwo or zwo_reference(settings))
    except (ProfileError, OSError) as exc:
        return ProfileChoice(text, builtin, error=str(exc))
    summary = summarize(profile)
    try:
        timeline = plan(profile, settings)
    except ProfileError as exc:
        try:
            planned = planned_timeline(profile, settings)
        except ProfileError:
            planned = None
        return ProfileChoice(text, builtin, profile, summary, error=str(exc), planned=planned)
    return ProfileChoice(text, builtin, profile, summary, timeline, planned=timeline)


def list_profile_choices(
    settings: Settings, extra: Iterable[str | Path] = (), *, folder: Path | None = None
) -> list[ProfileChoice]:
    """The built-in profiles, then ``.toml`` files in ``folder``, then ``extra`` files."""
    choices = [profile_choice(pid, settings, builtin=True) for pid, _ in list_builtin()]
    folder = user_profiles_dir() if folder is None else folder
    files: list[str | Path] = sorted(folder.glob("*.toml")) if folder.is_dir() else []
    seen: set[str] = set()
    for path in [*files, *extra]:
        text = str(path)
        if text not in seen:
            seen.add(text)
            choices.append(profile_choice(path, settings))
    return choices


@dataclass(frozen=True)
class TreadmillChoice:
    """A treadmill the user can pick: the simulator, or (once scanned) a real one.

    ``factory`` opens it (see :data:`~treadctl.runtime.TreadmillFactory`); ``None`` is
    the built-in simulator with ``quirks``.
    """

    label: str
    detail: str = ""
    factory: TreadmillFactory | None = None
    quirks: frozenset[Quirk] = frozenset()
    kind: str = "simulator"


def simulator_choice(quirks: frozenset[Quirk] = frozenset()) -> TreadmillChoice:
    detail = "no hardware"
    if quirks:
        detail += ", quirks: " + ", ".join(sorted(str(q) for q in quirks))
    return TreadmillChoice("Simulator", detail, quirks=quirks)
