"""The coach: the next backward workout, from the sessions so far, with its reasons.

The rules (docs/profiles.md, "The coach"):

- Levels: backward bouts of 20, 30, 45, then 60 s at 0.8 km/h; after that the bouts
  stay at 60 s and the backward speed goes up 0.2 km/h a level, never above the user's
  backward ceiling (``max_backward_speed_kmh``).
- A session counts at the highest level its backward bouts reach (length and speed).
- A level repeats until two sessions at it finish clean: no holds for the person, no
  safety stop, no unconfirmed turn. Then the next level.
- A safety event about the person (emergency stop, safety key, stop at the console,
  heart rate over the ceiling) or a session ended early steps back one level.
- Real sessions and rehearsals count; replays do not (nobody walked them).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from treadctl.history.log import SessionLog, clock_text
from treadctl.workout.coaching import BACKWARD_TIPS

LADDER_S: tuple[float, ...] = (20.0, 30.0, 45.0, 60.0)
START_SPEED_KMH = 0.8
SPEED_STEP_KMH = 0.2
CLEAN_SESSIONS_TO_MOVE_UP = 2
#: How many backward bouts a session has at each bout length (as the built-in ladder).
BOUTS_BY_LENGTH: dict[float, int] = {20.0: 5, 30.0: 6, 45.0: 6, 60.0: 5}
WARM_UP_S = 180.0
RECOVERY_S = 60.0
COOL_DOWN_S = 120.0
FORWARD_SPEED_KMH = 3.0
#: Alerts about the person, not the machine: each one steps back a level.
PERSON_ALERTS = frozenset({"safety_key", "console_stop", "heart_rate", "stop_failed"})
PERSON_HAZARDS = frozenset({"H5", "H9"})

Outcome = Literal["clean", "repeat", "step_back", "skipped"]


@dataclass(frozen=True)
class Level:
    number: int
    bout_s: float
    speed_kmh: float

    @property
    def bouts(self) -> int:
        return BOUTS_BY_LENGTH.get(self.bout_s, 5)

    def describe(self) -> str:
        return f"level {self.number}: {self.bout_s:g} s bouts at {self.speed_kmh:.1f} km/h"


def level(number: int) -> Level:
    """Level ``number`` (from 1)."""
    number = max(1, number)
    if number <= len(LADDER_S):
        return Level(number, LADDER_S[number - 1], START_SPEED_KMH)
    extra = number - len(LADDER_S)
    return Level(number, LADDER_S[-1], round(START_SPEED_KMH + SPEED_STEP_KMH * extra, 1))


def top_level(ceiling_kmh: float) -> int:
    """The highest level whose speed is within the backward ceiling (at least 1)."""
    if ceiling_kmh < START_SPEED_KMH:
        return 1
    steps = math.floor((ceiling_kmh - START_SPEED_KMH) / SPEED_STEP_KMH + 1e-6)
    return len(LADDER_S) + steps


def level_reached(bout_s: float, speed_kmh: float) -> int:
    """The highest level at most as long and as fast as a bout of ``bout_s`` at ``speed_kmh``."""
    reached = 1
    number = 1
    while True:
        candidate = level(number)
        if candidate.bout_s > bout_s + 0.5 or candidate.speed_kmh > speed_kmh + 1e-6:
            return reached
        reached = number
        number += 1


@dataclass(frozen=True)
class Verdict:
    """What one session says about the person's level."""

    log: SessionLog
    performed: int
    outcome: Outcome
    why: str

    def line(self) -> str:
        date = self.log.started_at.astimezone().strftime("%Y-%m-%d")
        return f"{date} {self.log.title} (level {self.performed}): {self.why}"


def judge(log: SessionLog) -> Verdict:
    """Clean, repeat or step back, and why, for one session with backward bouts."""
    bouts = log.backward_bouts
    if not bouts:
        return Verdict(log, 0, "skipped", "no backward segments")
    longest = max(bouts, key=lambda b: (b.planned_s, b.speed_kmh))
    performed = level_reached(longest.planned_s, max(b.speed_kmh for b in bouts))
    person = [a for a in log.alerts if a.kind in PERSON_ALERTS or a.hazard in PERSON_HAZARDS]
    if person:
        return Verdict(log, performed, "step_back", f"safety event: {person[0].message}")
    summary = log.summary
    if summary is not None and not summary.completed:
        return Verdict(log, performed, "step_back", f"ended early ({summary.reason})")
    problems = []
    if summary is None:
        problems.append("the log ends without a finish")
    holds = [h for h in log.holds if h.needs_confirm]
    if holds:
        problems.append(f"{len(holds)} hold(s): {holds[0].reason}")
    unconfirmed = [t for t in log.turns if t.unconfirmed]
    if unconfirmed:
        problems.append(f"{len(unconfirmed)} turn(s) not confirmed in time")
    if problems:
        return Verdict(log, performed, "repeat", "; ".join(problems))
    return Verdict(log, performed, "clean", "finished clean")


@dataclass(frozen=True)
class Recommendation:
    level: Level
    reasons: list[str]
    clean_at_level: int
    at_ceiling: bool
    verdicts: list[Verdict] = field(default_factory=list)

    @property
    def builtin(self) -> str | None:
        """A built-in profile that is exactly this workout (first-steps is level 1)."""
        return "first-steps" if self.level.number == 1 else None

    @property
    def headline(self) -> str:
        lv = self.level
        return (
            f"{lv.bouts} backward bouts of {lv.bout_s:g} s at {lv.speed_kmh:.1f} km/h "
            f"(level {lv.number})"
        )

    @property
    def reason(self) -> str:
        """The last reason: why this level now."""
        return self.reasons[-1] if self.reasons else ""


def recommend(
    logs: Iterable[SessionLog], *, max_backward_speed_kmh: float, shown: int = 5
) -> Recommendation:
    """The next workout, from real sessions and rehearsals (replays are left out)."""
    top = top_level(max_backward_speed_kmh)
    counted = sorted((log for log in logs if log.kind != "replay"), key=lambda log: log.started_at)
    current, clean = 1, 0
    lines: list[str] = []
    verdicts: list[Verdict] = []
    for log in counted:
        verdict = judge(log)
        if verdict.outcome == "skipped":
            continue
        verdicts.append(verdict)
        p = min(verdict.performed, top)
        if verdict.outcome == "step_back":
            current, clean = max(1, min(current, p) - 1), 0
            lines.append(f"{verdict.line()}: one level back, to {current}")
        elif verdict.outcome == "repeat":
            current, clean = min(current, p), 0
            lines.append(f"{verdict.line()}: repeat level {current}")
        elif p > current:
            current, clean = p, 1
            lines.append(f"{verdict.line()}: 1 of {CLEAN_SESSIONS_TO_MOVE_UP} at level {p}")
        elif p == current:
            clean += 1
            if clean >= CLEAN_SESSIONS_TO_MOVE_UP and current < top:
                current, clean = current + 1, 0
                lines.append(
                    f"{verdict.line()}: {CLEAN_SESSIONS_TO_MOVE_UP} clean, up to {current}"
                )
            else:
                lines.append(
                    f"{verdict.line()}: {clean} of {CLEAN_SESSIONS_TO_MOVE_UP} at level {current}"
                )
        else:
            lines.append(f"{verdict.line()}: easier than level {current}, not counted")
    at_ceiling = current >= top and level(current + 1).speed_kmh > max_backward_speed_kmh
    reasons = lines[-shown:]
    lv = level(current)
    if lv.speed_kmh > max_backward_speed_kmh:  # a ceiling below the ladder's start
        lv = Level(lv.number, lv.bout_s, round(max_backward_speed_kmh, 1))
    if not verdicts:
        reasons.append(
            "No sessions with backward bouts yet: start at the bottom of the ladder, "
            "20 s bouts at 0.8 km/h with both hands on the rails."
        )
    elif at_ceiling and clean >= CLEAN_SESSIONS_TO_MOVE_UP - 1:
        reasons.append(
            f"At your backward ceiling of {max_backward_speed_kmh:g} km/h: the coach stays "
            "here. Raise max_backward_speed_kmh only when this feels easy."
        )
    elif clean:
        reasons.append(
            f"{clean} of {CLEAN_SESSIONS_TO_MOVE_UP} clean sessions at level {current}: "
            "one more like it, then the next level."
        )
    else:
        reasons.append(f"Next: {lv.describe()}, until two sessions finish clean.")
    return Recommendation(lv, reasons, clean, at_ceiling, verdicts)


def _cue(at: str, text: str, indent: str) -> list[str]:
    return [
        f"{indent}[[segments.segments.cues]]" if indent else "[[segments.cues]]",
        f'{indent}at = "{at}"',
        f"{indent}text = {_toml_string(text)}",
        "",
    ]


def _toml_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def profile_toml(rec: Recommendation, *, max_forward_speed_kmh: float = 12.0) -> str:
    """The recommended workout as a profile file (``treadctl profiles check`` accepts it)."""
    lv = rec.level
    forward = min(FORWARD_SPEED_KMH, max_forward_speed_kmh)
    backward_total = lv.bouts * lv.bout_s
    description = (
        f"The coach's next session: a forward warm-up, then {lv.bouts} backward bouts of "
        f"{lv.bout_s:g} s at {lv.speed_kmh:.1f} km/h ({clock_text(backward_total)} backward), "
        "each followed by a minute of forward walking, and a forward cool-down."
    )
    reasons = list(rec.reasons)
    rail = (
        "Both hands on the rails." if lv.bout_s < 45 else "Fingertips on the rails, ready to grip."
    )
    lines = [
        f"# Written by `treadctl next`: {rec.headline}.",
        f"title = {_toml_string(f'Coach: {lv.bout_s:g} s backward at {lv.speed_kmh:.1f} km/h')}",
        f"description = {_toml_string(description)}",
        'who_for = "You: worked out from your own sessions (the reasons are under sources)."',
        "sources = [",
        "    \"The coach's ladder (docs/profiles.md): 20 -> 30 -> 45 -> 60 s bouts, then "
        '0.2 km/h steps; two clean sessions to move up, one level back after a safety event.",',
        *[f"    {_toml_string(r)}," for r in reasons],
        "]",
        "",
        "[limits]",
        f"max_backward_speed_kmh = {lv.speed_kmh:.1f}",
        "max_backward_incline_pct = 0.0",
        "",
        "[[segments]]",
        'label = "Forward warm-up"',
        'direction = "forward"',
        f"speed_kmh = {forward:.1f}",
        f'duration = "{WARM_UP_S:g}s"',
        "",
        *_cue("0s", f"Warm up facing forward. Today's backward bouts last {lv.bout_s:g} s.", ""),
        "[[segments]]",
        'label = "Backward bouts"',
        f"times = {lv.bouts}",
        "",
        "  [[segments.segments]]",
        '  label = "Backward bout"',
        '  direction = "backward"',
        f"  speed_kmh = {lv.speed_kmh:.1f}",
        f'  duration = "{lv.bout_s:g}s"',
        "",
        *_cue("0s", f"{rail} {BACKWARD_TIPS[0].spoken}", "    "),
        "  [[segments.segments]]",
        '  label = "Forward recovery"',
        '  direction = "forward"',
        f"  speed_kmh = {forward:.1f}",
        f'  duration = "{RECOVERY_S:g}s"',
        "",
        "[[segments]]",
        'label = "Forward cool-down"',
        'direction = "forward"',
        f"speed_kmh = {forward:.1f}",
        f'duration = "{COOL_DOWN_S:g}s"',
        "",
    ]
    return "\n".join(lines)


def verdict_counts(verdicts: Sequence[Verdict]) -> dict[Outcome, int]:
    counts: dict[Outcome, int] = {"clean": 0, "repeat": 0, "step_back": 0, "skipped": 0}
    for v in verdicts:
        counts[v.outcome] += 1
    return counts
