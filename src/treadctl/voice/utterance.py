"""One thing to say: its words, how urgent it is, and how long it stays worth saying."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

from treadctl.config import VoiceKind


class Priority(IntEnum):
    """Lower is more urgent: safety > turn and belt > segment > form cue (issue 12)."""

    SAFETY = 0
    BELT = 1
    SEGMENT = 2
    CUE = 3


class Earcon(StrEnum):
    """A short tone before the words, so the meaning comes first."""

    TURN_NOW = "turn_now"
    STOP = "stop"
    ALERT = "alert"


@dataclass(frozen=True)
class Utterance:
    """Something the voice will say, if it is still fresh when its turn comes.

    Times are on the workout's clock. ``group``: a newer utterance of the same group
    replaces a queued older one (a countdown number, the turn phase). ``urgent``: it
    interrupts speech of its own priority too, not only of lower ones ("turn around
    now" cuts off "slowing down").
    """

    kind: VoiceKind
    text: str
    priority: Priority
    queued_at: float
    expires_at: float
    earcon: Earcon | None = None
    group: str | None = None
    urgent: bool = False
    queued_perf_s: float = field(default_factory=time.perf_counter, compare=False)
    """``time.perf_counter()`` when it was queued: the real delay to its start is measured."""

    def fresh(self, now: float) -> bool:
        return now <= self.expires_at + 1e-9

    def interrupts(self, playing: Utterance) -> bool:
        """Whether this, newly queued, cuts off ``playing``.

        Only safety and the belt (turns, countdowns, holds) cut in, and only into
        something less urgent; a segment start waits for the end of a form cue.
        """
        if self.priority > Priority.BELT:
            return False
        if self.priority < playing.priority:
            return True
        return self.urgent and self.priority == playing.priority and not playing.urgent
