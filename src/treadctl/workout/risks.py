"""H11: what a person accepts before the first backward workout, as data of the safety
model. The command line prints it, the TUI shows it as a dialog; each fills in its own
stop keys."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

#: The beginner profile the refusal suggests (when the workout is not already it).
BEGINNER_PROFILE = "first-steps"


@dataclass(frozen=True)
class RiskStatement:
    intro: str
    steps: tuple[str, ...]
    """Before the first backward workout; ``{stop_keys}`` is filled in by the front end."""
    closing: str

    def lines(self, stop_keys: str, width: int = 88) -> str:
        """As plain text lines, bullets indented (the command line's form)."""
        out = textwrap.wrap(self.intro, width)
        for step in self.steps:
            out += textwrap.wrap(
                step.format(stop_keys=stop_keys),
                width,
                initial_indent="  - ",
                subsequent_indent="    ",
            )
        out += textwrap.wrap(self.closing, width)
        return "\n".join(out)


RISKS = RiskStatement(
    intro=(
        "Walking backward on a treadmill means facing away from the console on a belt that "
        "keeps running. People trip. Before the first backward workout:"
    ),
    steps=(
        "clip the safety key to your clothes;",
        "keep your hands on the rails for the turns, and whenever you feel unsure;",
        "start slowly (about 0.8 km/h), with short bouts;",
        "know the stop key ({stop_keys}) and the console stop.",
    ),
    closing=(
        "Check with a doctor or physiotherapist first if you have balance, heart or joint problems."
    ),
)
