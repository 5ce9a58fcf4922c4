"""Which way the person faces, impossible to mistake: a word, arrows, and a colour.

FORWARD and BACKWARD differ in the word, the arrows (up and down) and the colours, so
neither colour vision nor a glance at the colour alone is needed.
"""

from __future__ import annotations

from textual.reactive import reactive

from treadctl.tui.widgets.big_text import BigText
from treadctl.workout.profile import Direction

_WORDS = {
    "forward": ("^ FORWARD ^", "▲ FORWARD ▲  facing the console"),
    "backward": ("v BACKWARD v", "▼ BACKWARD ▼  back to the console"),
}


class DirectionIndicator(BigText):
    """FORWARD or BACKWARD in big letters, with the class ``-forward`` or ``-backward``."""

    facing: reactive[Direction] = reactive("forward", init=False)

    def __init__(self, facing: Direction = "forward", *, id: str | None = None) -> None:
        big, plain = _WORDS[facing]
        super().__init__(big, fallback=plain, id=id)
        self.set_reactive(DirectionIndicator.facing, facing)
        self.set_class(facing == "forward", "-forward")
        self.set_class(facing == "backward", "-backward")

    def watch_facing(self, facing: Direction) -> None:
        big, plain = _WORDS[facing]
        self.update(big, plain)
        self.set_class(facing == "forward", "-forward")
        self.set_class(facing == "backward", "-backward")
