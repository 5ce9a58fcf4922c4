"""The coach's pick for the start screen: plain data, no Textual.

The recommendation comes from :mod:`treadctl.history.coach`. Level 1 is the built-in
first-steps profile; any other level is written as a profile file in the data folder
(``coach/coach-next.toml``, replaced each time) so it can be started like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from treadctl.config import Settings
from treadctl.sessions import data_dir
from treadctl.tui.choices import ProfileChoice, profile_choice

if TYPE_CHECKING:  # the history loads in the start screen's worker, after the first frame
    from treadctl.history.coach import Recommendation

COACH_SUBDIR = "coach"
COACH_FILE = "coach-next.toml"


@dataclass(frozen=True)
class CoachPick:
    recommendation: Recommendation
    choice: ProfileChoice

    @property
    def note(self) -> str:
        """One line for the start screen: what, and why."""
        return f"{self.recommendation.headline}. {self.recommendation.reason}"


def coach_pick(settings: Settings, *, sessions: Path | None = None) -> CoachPick:
    """The recommendation from the sessions folder, as a profile the start screen lists.

    Raises:
        OSError: the profile file could not be written.
    """
    from treadctl.history.coach import profile_toml, recommend  # noqa: PLC0415
    from treadctl.history.store import load_history  # noqa: PLC0415

    history = load_history(sessions)
    rec = recommend(history.logs, max_backward_speed_kmh=settings.max_backward_speed_kmh)
    if rec.builtin is not None:
        return CoachPick(rec, profile_choice(rec.builtin, settings, builtin=True))
    path = data_dir() / COACH_SUBDIR / COACH_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        profile_toml(rec, max_forward_speed_kmh=settings.max_forward_speed_kmh), encoding="utf-8"
    )
    return CoachPick(rec, profile_choice(path, settings))
