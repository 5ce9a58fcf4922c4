"""The voice, in the top bar: on, muted, tones only, or the bell; words and a symbol."""

from __future__ import annotations

from typing import Literal

from textual.widgets import Static

#: What the person hears: the voice sink's ``heard``, or "muted".
VoiceState = Literal["speech", "tones", "bell", "none", "muted"]

_TEXT: dict[VoiceState, str] = {
    "speech": "🔊 voice · m mutes",
    "tones": "🔔 tones only",
    "bell": "🔔 bell only",
    "none": "🔈 voice silent",
    "muted": "🔇 voice muted · m",
}


class VoiceStatus(Static):
    """Hidden until a workout with the voice sets it; classes ``-speech``, ``-muted``..."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("", id=id)
        self.state: VoiceState | None = None

    def set_state(self, state: VoiceState | None) -> None:
        """Show ``state``; None hides the widget (no voice in this workout)."""
        if state == self.state:
            return
        self.state = state
        self.set_class(state is not None, "-shown")
        for name in _TEXT:
            self.set_class(name == state, f"-{name}")
        self.update(_TEXT[state] if state is not None else "")
