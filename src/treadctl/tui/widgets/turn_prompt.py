"""The full-width TURN AROUND NOW prompt, shown while the belt is at turn speed."""

from __future__ import annotations

import math

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from treadctl.tui.view import Units, facing_word, speed_label
from treadctl.tui.widgets.big_text import BigText
from treadctl.workout.profile import Direction


class TurnPrompt(Vertical):
    """Big "TURN AROUND NOW", which way to face, and what comes after the turn.

    The words under the big letters are one widget, rewritten whole each time: which
    way to face and the belt, then the confirm key or what the belt does next (from the
    compiled timeline, with the seconds left of the turn, counted live).
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.detail = ""
        self.next_line = ""
        self._after = ""
        self._confirm = False
        self._waiting = False
        self._left_s: float | None = None
        self._shown = ""

    def compose(self) -> ComposeResult:
        yield BigText("TURN AROUND NOW", fallback="⟲ TURN AROUND NOW ⟲", id="turn-words")
        yield Static("", id="turn-detail")

    def show_turn(
        self,
        to_facing: Direction,
        speed_kmh: float,
        *,
        confirm: bool,
        waiting: bool = False,
        units: Units = "kmh",
        after: str = "",
        left_s: float | None = None,
    ) -> None:
        """``after``: what the belt does once the turn is over (``the belt speeds up
        gently to 2.5 km/h``), ``left_s`` the seconds of the turn still to go."""
        belt = "belt stopped" if speed_kmh <= 0 else f"belt at {speed_label(speed_kmh, units)}"
        self.detail = f"Face [b]{facing_word(to_facing)}[/b] · hands on the rails · {belt}"
        self._after, self._confirm, self._waiting = after, confirm, waiting
        self._left_s = left_s
        self.set_class(waiting, "-waiting")
        self._draw()

    def set_left(self, left_s: float | None) -> None:
        """The seconds of the turn still to go (the line counts them down; it is
        redrawn only when the whole seconds change)."""
        self._left_s = left_s
        self._draw()

    def _line(self) -> str:
        after = self._after
        if self._waiting:
            return "Turned around? Press [b reverse] Enter [/] to go on" + (
                f": then {after}" if after else ""
            )
        if self._confirm:
            return "Then press [b reverse] Enter [/] to go on" + (f": {after}" if after else "")
        if not after:
            return ""
        if after.startswith("the belt stays") or self._left_s is None:
            return after[:1].upper() + after[1:]
        seconds = max(1, math.ceil(self._left_s))
        return f"{after[:1].upper()}{after[1:]} in {seconds} s"

    def _draw(self) -> None:
        line = self._line()
        self.next_line = line
        text = f"{self.detail}\n{line}" if line else self.detail
        if text != self._shown:
            self._shown = text
            self.query_one("#turn-detail", Static).update(text)
