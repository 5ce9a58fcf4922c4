"""The full-width TURN AROUND NOW prompt, shown while the belt is at turn speed."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from treadctl.tui.view import Units, facing_word, speed_label
from treadctl.tui.widgets.big_text import BigText
from treadctl.workout.profile import Direction


class TurnPrompt(Vertical):
    """Big "TURN AROUND NOW", which way to face, and the confirm key when it is wanted."""

    def compose(self) -> ComposeResult:
        yield BigText("TURN AROUND NOW", fallback="⟲ TURN AROUND NOW ⟲", id="turn-words")
        yield Static("", id="turn-detail")
        yield Static("", id="turn-confirm")

    def show_turn(
        self,
        to_facing: Direction,
        speed_kmh: float,
        *,
        confirm: bool,
        waiting: bool = False,
        units: Units = "kmh",
    ) -> None:
        belt = "belt stopped" if speed_kmh <= 0 else f"belt at {speed_label(speed_kmh, units)}"
        self.query_one("#turn-detail", Static).update(
            f"Face [b]{facing_word(to_facing)}[/b] · hands on the rails · {belt}"
        )
        if waiting:
            line = "Turned around? Press [b reverse] Enter [/] to go on"
        elif confirm:
            line = "Then press [b reverse] Enter [/] to go on"
        else:
            line = "The belt speeds up again gently in a few seconds"
        self.query_one("#turn-confirm", Static).update(line)
        self.set_class(waiting, "-waiting")
