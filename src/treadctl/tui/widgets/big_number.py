"""Big numbers with their name and unit: speed, incline, time left, distance...

The numbers of one screen share one digit size (:class:`DigitSize`): the largest at
which every number on show fits its cell, so a value never loses rows to a small cell
and no two numbers are drawn at different sizes.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.geometry import Size
from textual.widgets import Static

from treadctl.tui.widgets.big_text import (
    SCALE_ROWS,
    BigText,
    BigTextRenderable,
    best_scale,
    big_width,
    wider,
)

#: Rows of a cell that are not the digits: the caption.
CAPTION_ROWS = 1


class DigitSize:
    """One digit size for a group of :class:`BigNumber` cells.

    ``scale`` is the largest scale at which each number on show (its widest expected
    value, or its value if wider) fits its cell under the caption; ``None`` when one
    does not fit even the smallest, and then every number is plain bold text.
    """

    def __init__(self, max_scale: int = 2) -> None:
        self.max_scale = max_scale
        self.members: list[BigNumber] = []
        self.scale: int | None = 1

    def join(self, number: BigNumber) -> None:
        self.members.append(number)

    def update(self) -> None:
        """Decide again (a cell was resized, shown or hidden, or a value grew)."""
        fits = [m.fitting_scale(self.max_scale) for m in self.members if m.laid_out]
        if not fits:
            return  # nothing on show (the turn prompt has the screen): keep the size
        scale = None if None in fits else min(s for s in fits if s is not None)
        if scale != self.scale:
            self.scale = scale
            for member in self.members:
                member.size_changed()


class _Digits(BigText):
    """The value, drawn at its group's size (its height follows)."""

    def __init__(self, text: str, digit_size: DigitSize) -> None:
        super().__init__(text, classes="big-number--value")
        self.digit_size = digit_size

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        scale = self.digit_size.scale
        return 1 if scale is None else SCALE_ROWS[scale]

    def render(self) -> BigTextRenderable:
        return BigTextRenderable(self.text, scale=self.digit_size.scale)


class BigNumber(Vertical):
    """A caption line (``SPEED km/h``) over the value in big digits.

    ``widest`` is the widest value expected (``88:88`` for a time), so the size is
    decided once and does not change as the digits do.
    """

    def __init__(
        self,
        caption: str,
        unit: str = "",
        value: str = "--",
        *,
        widest: str = "",
        digit_size: DigitSize | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes="big-number" + (f" {classes}" if classes else ""))
        self._caption = caption
        self._unit = unit
        self._value = value
        self.widest = widest or value
        self.digit_size = digit_size or DigitSize()
        self.digit_size.join(self)

    def compose(self) -> ComposeResult:
        yield Static(self._caption_text(), classes="big-number--caption")
        yield _Digits(self._value, self.digit_size)

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

    @property
    def laid_out(self) -> bool:
        """Laid out on the screen now (not hidden, nor inside something hidden)."""
        return self.is_mounted and self.display and self.region.area > 0

    def fitting_scale(self, max_scale: int = 2) -> int | None:
        size = self.content_size
        text = wider(self.widest, self._value)
        return best_scale(text, size.width, size.height - CAPTION_ROWS, max_scale)

    def size_changed(self) -> None:
        if self.is_mounted:
            self.query_one(_Digits).refresh(layout=True)

    def on_resize(self) -> None:
        self.digit_size.update()

    def on_show(self) -> None:
        self.digit_size.update()

    def set_value(self, value: str) -> None:
        """Show ``value``; nothing is redrawn when it has not changed."""
        if value == self._value:
            return
        grows = big_width(value) > big_width(wider(self.widest, self._value))
        self._value = value
        if self.is_mounted:
            self.query_one(_Digits).update(value)
            if grows:
                self.digit_size.update()
