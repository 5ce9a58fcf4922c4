"""How to move on the belt, written once.

The runner cues one backward tip at the start of a backward bout that has no cue of its
own, the TUI's HOW line shows the short forms, the voice renders the sentences ahead of
time, and the coach writes the first one into the profiles it makes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Tip:
    short: str
    """A few words, for one line of the screen."""
    spoken: str
    """A whole sentence, for a cue and the voice."""


BACKWARD_TIPS = (
    Tip("short steps, toes first", "Short steps. Toes down first, then let the heels follow."),
    Tip("stand tall, core tight", "Stand tall, tummy tight, eyes level."),
    Tip("hands light on the rails", "Hands light on the rails; swing the arms if you let go."),
)

FORWARD_TIPS = (
    Tip("walk tall", "Walk tall."),
    Tip("relaxed shoulders", "Let the shoulders relax."),
    Tip("hands near the rails", "Keep your hands near the rails."),
)


def tips_line(tips: Sequence[Tip]) -> str:
    """The short forms on one line: ``Short steps, toes first · stand tall, ...``."""
    line = " · ".join(tip.short for tip in tips)
    return line[:1].upper() + line[1:]
