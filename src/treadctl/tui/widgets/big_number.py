"""One big number with its name and unit: speed, incline, time left, distance..."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from treadctl.tui.widgets.big_text import BigText


class BigNumber(Vertical):
    """A caption line (``SPEED km/h``) over the value in big digits.

    The digits are three rows tall, five where the cell has the room (big terminals).
    """

    def __init__(
        self, caption: str, unit: str = "", value: str = "--", *, id: str | None = None
    ) -> None:
        super().__init__(id=id, classes="big-number")
        self._caption = caption
        self._unit = unit
        self._value = value

    def compose(self) -> ComposeResult:
        yield Static(self._caption_text(), classes="big-number--caption")
        yield BigText(self._value, classes="big-number--value")

    def _caption_text(self) -> str:
        return f"{self._caption} [dim]{self._unit}[/]" if self._unit else self._caption

    @property
    def value(self) -> str:
        return self._value

    def set_unit(self, unit: str) -> None:
        """Show ``unit`` after the caption (the heart rate's source marker)."""
        if unit == self._unit:
            return
        self._unit = unit
        if self.is_mounted:
            self.query_one(".big-number--caption", Static).update(self._caption_text())

    def set_value(self, value: str) -> None:
        """Show ``value``; nothing is redrawn when it has not changed."""
        if value == self._value:
            return
        self._value = value
        if self.is_mounted:
            self.query_one(BigText).update(value)
