"""Big letters and numbers, for what a person must read from the belt.

A 5-pixel-high font. At scale 1 it is drawn with half blocks (two pixels a row, three
rows tall); at scale 2 each pixel is a full block two columns wide (five rows tall), for
big terminals. :class:`BigText` picks the largest scale that fits its space; too narrow
a space falls back to plain bold text, so a word is never cut.
"""

from __future__ import annotations

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.widget import Widget

_GAP = 1

# Each glyph: five rows of pixels, "#" lit. Widths vary (W needs five).
_FONT_SOURCE = {
    "A": (".##.", "#..#", "####", "#..#", "#..#"),
    "B": ("###.", "#..#", "###.", "#..#", "###."),
    "C": (".###", "#...", "#...", "#...", ".###"),
    "D": ("###.", "#..#", "#..#", "#..#", "###."),
    "E": ("####", "#...", "###.", "#...", "####"),
    "F": ("####", "#...", "###.", "#...", "#..."),
    "I": ("###", ".#.", ".#.", ".#.", "###"),
    "K": ("#..#", "#.#.", "##..", "#.#.", "#..#"),
    "N": ("#..#", "##.#", "#.##", "#..#", "#..#"),
    "O": (".##.", "#..#", "#..#", "#..#", ".##."),
    "P": ("###.", "#..#", "###.", "#...", "#..."),
    "R": ("###.", "#..#", "###.", "#.#.", "#..#"),
    "S": (".###", "#...", ".##.", "...#", "###."),
    "T": ("###", ".#.", ".#.", ".#.", ".#."),
    "U": ("#..#", "#..#", "#..#", "#..#", ".##."),
    "W": ("#...#", "#...#", "#.#.#", "#.#.#", ".#.#."),
    "^": ("..#..", ".###.", "#.#.#", "..#..", "..#.."),
    "v": ("..#..", "..#..", "#.#.#", ".###.", "..#.."),
    "!": ("#", "#", "#", ".", "#"),
    "0": ("###", "#.#", "#.#", "#.#", "###"),
    "1": (".#.", "##.", ".#.", ".#.", "###"),
    "2": ("###", "..#", "###", "#..", "###"),
    "3": ("###", "..#", ".##", "..#", "###"),
    "4": ("#.#", "#.#", "###", "..#", "..#"),
    "5": ("###", "#..", "###", "..#", "###"),
    "6": ("###", "#..", "###", "#.#", "###"),
    "7": ("###", "..#", "..#", "..#", "..#"),
    "8": ("###", "#.#", "###", "#.#", "###"),
    "9": ("###", "#.#", "###", "..#", "###"),
    ".": (".", ".", ".", ".", "#"),
    ":": (".", "#", ".", "#", "."),
    "-": ("...", "...", "###", "...", "..."),
    " ": ("..", "..", "..", "..", ".."),
}

_HALF = {(True, True): "█", (True, False): "▀", (False, True): "▄", (False, False): " "}

#: Rows a glyph takes at each scale.
SCALE_ROWS = {1: 3, 2: 5}


def _scaled_rows(pixels: tuple[str, ...], scale: int) -> tuple[str, ...]:
    if scale == 2:
        return tuple("".join("██" if c == "#" else "  " for c in row) for row in pixels)
    lit = [[c == "#" for c in row] for row in (*pixels, "." * len(pixels[0]))]
    width = len(pixels[0])
    return tuple(
        "".join(_HALF[(lit[2 * r][x], lit[2 * r + 1][x])] for x in range(width))
        for r in range(SCALE_ROWS[1])
    )


FONT: dict[int, dict[str, tuple[str, ...]]] = {
    scale: {k: _scaled_rows(v, scale) for k, v in _FONT_SOURCE.items()} for scale in SCALE_ROWS
}


def supported(text: str) -> bool:
    return all(ch in _FONT_SOURCE for ch in text)


def big_rows(text: str, scale: int = 1) -> list[str]:
    """``text`` in big glyphs, one string a row (unknown characters are skipped)."""
    glyphs = [FONT[scale][ch] for ch in text if ch in _FONT_SOURCE]
    gap = " " * _GAP
    return ["".join(g[r] + gap for g in glyphs).rstrip() for r in range(SCALE_ROWS[scale])]


def big_width(text: str, scale: int = 1) -> int:
    return max((len(row) for row in big_rows(text, scale)), default=0)


def wider(*texts: str) -> str:
    """The text that takes the most columns in big glyphs (the first of equals)."""
    return max(texts, key=lambda text: (supported(text), big_width(text)))


def best_scale(text: str, width: int, height: int, max_scale: int = 2) -> int | None:
    """The largest scale at which ``text`` fits ``width`` x ``height``; None: none does."""
    if not supported(text):
        return None
    for scale in sorted(SCALE_ROWS, reverse=True):
        if scale > max_scale:
            continue
        if SCALE_ROWS[scale] <= height and big_width(text, scale) <= width:
            return scale
    return None


class BigTextRenderable:
    """Big glyphs centred in the space given, or plain bold text when they do not fit."""

    def __init__(
        self,
        text: str,
        fallback: str | None = None,
        *,
        scale: int | None = 1,
        style: Style | None = None,
    ) -> None:
        self.text = text
        self.fallback = fallback or text
        self.scale = scale
        self.style = style or Style()

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        scale = self.scale
        if scale is not None and (not supported(self.text) or big_width(self.text, scale) > width):
            scale = None
        if scale is None:
            plain = Text(self.fallback, style=self.style + Style(bold=True), justify="center")
            plain.truncate(width, overflow="ellipsis")
            yield plain
            return
        rows = big_rows(self.text, scale)
        block = max(len(r) for r in rows)
        left = (width - block) // 2
        for row in rows:
            # Full width: centred here, so the widget's own alignment cannot shift it.
            yield Segment((" " * left + row).ljust(width), self.style)
            yield Segment.line()

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement(len(self.fallback), big_width(self.text, self.scale or 1))


class BigText(Widget):
    """A widget showing one short line in big letters."""

    def __init__(
        self,
        text: str = "",
        *,
        fallback: str | None = None,
        max_scale: int = 2,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self._text = text
        self._fallback = fallback
        self.max_scale = max_scale

    @property
    def text(self) -> str:
        return self._text

    def update(self, text: str, fallback: str | None = None) -> None:
        if (text, fallback) != (self._text, self._fallback):
            self._text, self._fallback = text, fallback
            self.refresh()

    def render(self) -> BigTextRenderable:
        size = self.content_size
        scale = best_scale(self._text, size.width, size.height, self.max_scale)
        return BigTextRenderable(self._text, self._fallback, scale=scale)
