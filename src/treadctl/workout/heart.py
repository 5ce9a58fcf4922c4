"""The heart rate a workout acts on: the strap's, else the treadmill's, else unknown.

A strap (``--hr``) is preferred over the treadmill's Heart Rate field (hand grips, or a
strap paired with the console). Its rate is "unknown" when it feels no skin or sends 0
(:mod:`treadctl.hrs.reading` holds those rules): an unknown rate is shown and published
as unknown and is never taken as a number, not 0, and not the last value seen. While the
strap is fresh, even an unknown rate of its own wins over the treadmill's: a strap that
lost contact does not hand the ceiling (H9) to hand grips without the person knowing.

The person hears of it once: a rate that stays unknown for a few seconds (a single 0
from a strap is a gap, not news) is told once per workout; a lost strap and its return
are told each time. Nothing here sends anything to the treadmill.
"""

from __future__ import annotations

from collections.abc import Callable

from treadctl.client.heart_rate import HeartRateStrap
from treadctl.client.heart_rate_events import (
    ContactLost,
    StrapConnected,
    StrapEvent,
    StrapLost,
)
from treadctl.client.state import TreadmillState
from treadctl.hrs.reading import (
    HeartRateReading,
    HeartRateSource,
    UnknownReason,
    preferred_reading,
    treadmill_reading,
)

#: A reading older than this counts for nothing (the strap's own silence limit).
MAX_AGE_S = 5.0
#: Unknown this long before the person is told (sudden zeros last one measurement).
UNKNOWN_TELL_S = 3.0

_WHY: dict[UnknownReason, str] = {
    "no_contact": "the strap feels no skin contact",
    "zero": "the strap reads no pulse",
    "implausible": "the strap's readings cannot be right",
}


class HeartRate:
    """Chooses the rate to act on and tells the person what they need to know.

    ``say(text, alert)``: a message for the person; ``alert`` is True when it concerns
    the heart-rate ceiling (H9: a safety alert then), else it is a cue.
    """

    def __init__(
        self,
        strap: HeartRateStrap | None,
        say: Callable[[str, bool], None],
        *,
        ceiling_bpm: int | None = None,
    ) -> None:
        self.strap = strap
        self.say = say
        self.ceiling_bpm = ceiling_bpm
        self._unknown_since: float | None = None
        self._told_unknown = False
        self._reason: UnknownReason = "no_contact"

    @property
    def has_strap(self) -> bool:
        return self.strap is not None

    def attach(self) -> Callable[[], None]:
        """Listen to the strap's events (for the workout's length); returns the remover."""
        if self.strap is None:
            return lambda: None
        return self.strap.add_listener(self._on_strap)

    def reading(self, now_s: float, treadmill: TreadmillState) -> HeartRateReading | None:
        """The reading to act on now, or None when nothing reports a heart rate."""
        strap = self.strap.reading if self.strap is not None else None
        from_treadmill = None
        if treadmill.heart_rate_bpm is not None and treadmill.updated_s is not None:
            from_treadmill = treadmill_reading(treadmill.heart_rate_bpm, treadmill.updated_s)
        return preferred_reading(strap, from_treadmill, now_s=now_s, max_age_s=MAX_AGE_S)

    def now(
        self, now_s: float, treadmill: TreadmillState
    ) -> tuple[int | None, HeartRateSource | None]:
        """(bpm, source) now: bpm None is unknown; source None: no heart rate at all."""
        reading = self.reading(now_s, treadmill)
        if reading is None:
            return None, None
        return reading.bpm, reading.source

    def check(self, now_s: float, reading: HeartRateReading | None) -> None:
        """Called about once a second: tells once when the strap's rate stays unknown."""
        unknown = reading is not None and reading.source == "strap" and reading.bpm is None
        if not unknown:
            self._unknown_since = None
            return
        if self._unknown_since is None:
            self._unknown_since = now_s
        if self._told_unknown or now_s - self._unknown_since < UNKNOWN_TELL_S:
            return
        self._told_unknown = True
        text = f"Heart rate unknown: {_WHY[self._reason]}. Wet the strap's pads and check it sits"
        text += " snugly; the number comes back on its own."
        if self.ceiling_bpm is not None:
            text += (
                f" Until it does, treadctl cannot watch your {self.ceiling_bpm} bpm ceiling: "
                "the workout goes on as planned, so go by how you feel."
            )
        self.say(text, self.ceiling_bpm is not None)

    def _on_strap(self, item: HeartRateReading | StrapEvent) -> None:
        match item:
            case ContactLost(reason=reason):
                self._reason = reason
            case StrapLost():
                self.say(
                    "Heart-rate strap lost: treadctl reconnects to it on its own. The workout "
                    "goes on.",
                    False,
                )
            case StrapConnected(reconnected=True):
                self.say("Heart-rate strap back.", False)
            case _:
                pass
