"""The dashboard: a tile per treadmill, those that need a person first.

Only as many tiles exist as fit on the screen (a fleet of a thousand costs no more to
draw than a fleet of twelve); paging and the selection move through the fleet's order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid
from textual.screen import Screen
from textual.widgets import Footer, Static

from treadctl.watch.fleet import Fleet, Treadmill
from treadctl.watch.follower import FleetLink
from treadctl.watch.ui.tile import Tile
from treadctl.watch.ui.view import URGENT_STYLE

#: A tile's size in cells, borders included; the grid fits as many as it can.
TILE_WIDTH = 40
TILE_HEIGHT = 7
#: Rows the header, the pager line and the footer take.
CHROME_ROWS = 3

_LINK_TEXT = {
    "connecting": ("… connecting to", "bold"),
    "connected": ("● connected to", ""),
    "lost": ("✖ BROKER LOST, reconnecting to", URGENT_STYLE),
    "refused": ("✖ LOGIN REFUSED by", URGENT_STYLE),
}


def header_text(fleet: Fleet, link: FleetLink, *, bell: bool) -> Text:
    """Who needs you first (it must fit in 80 columns), then the fleet, then the broker."""
    words, style = _LINK_TEXT[link.state]
    broker = Text(f"{words} {link.display_url}", style=style)
    if link.problem and link.state != "connected":
        broker.append(f" ({link.problem})", style="dim")
    text = Text()
    if link.state != "connected":
        text.append_text(broker)
        text.append("  ")
    urgent = len(fleet.needing_attention())
    if urgent:
        text.append(f" ⚠ {urgent} need{'s' if urgent == 1 else ''} you ", style=URGENT_STYLE)
        text.append("  ")
    in_use = sum(1 for t in fleet if t.active)
    text.append(f"{len(fleet)} treadmills, {in_use} in use", style="bold")
    text.append("   bell on" if bell else "   bell off", style="dim")
    if link.state == "connected":
        text.append("   ")
        text.append_text(broker)
    return text


def pager_text(fleet: Fleet, first: int, shown: int) -> Text:
    total = len(fleet)
    if not total:
        return Text(
            f"No treadctl treadmill on this broker yet (listening under {fleet.base_topic}/).",
            style="dim",
        )
    text = Text(f"{first + 1}–{first + shown} of {total}")
    if shown < total:
        text.append("  (PgUp/PgDn for more)", style="dim")
    stats = fleet.stats
    if stats.malformed:
        text.append(f"   {stats.malformed} unreadable messages skipped", style="bold")
        text.append(f" (last: {stats.last_problem})", style="dim")
    text.no_wrap = True
    text.overflow = "ellipsis"
    return text


class DashboardScreen(Screen[None]):
    """The grid of tiles, the broker and fleet in the header, paging below."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("left", "move(-1)", "", show=False, id="left"),
        Binding("right", "move(1)", "", show=False, id="right"),
        Binding("up", "move_rows(-1)", "", show=False, id="up"),
        Binding("down", "move_rows(1)", "", show=False, id="down"),
        Binding("pageup", "move_pages(-1)", "", show=False, id="page_up"),
        Binding("pagedown", "move_pages(1)", "", show=False, id="page_down"),
        Binding("home", "move_to(0)", "", show=False, id="top"),
        Binding("end", "move_to(-1)", "", show=False, id="bottom"),
        Binding("enter", "app.open_detail", "Details", id="details"),
    ]

    def __init__(self, fleet: Fleet, link: FleetLink, wall: Callable[[], float]) -> None:
        super().__init__()
        self.fleet = fleet
        self.link = link
        self.wall = wall
        self.bell_on = True
        self.columns = 1
        self.rows = 1
        self.order: list[Treadmill] = []
        self.selected_id: str | None = None
        self.first = 0
        self._ready = False

    def compose(self) -> ComposeResult:
        yield Static(id="header")
        yield Grid(id="tiles")
        yield Static(id="pager")
        yield Footer()

    def on_mount(self) -> None:
        self._ready = True
        self.fit()

    def on_resize(self) -> None:
        self.fit()

    @property
    def capacity(self) -> int:
        return self.columns * self.rows

    def fit(self) -> None:
        """As many tiles as the screen holds."""
        width, height = self.size
        if not width or not height:
            return
        self.columns = max(1, width // TILE_WIDTH)
        self.rows = max(1, (height - CHROME_ROWS) // TILE_HEIGHT)
        grid = self.query_one("#tiles", Grid)
        grid.styles.grid_size_columns = self.columns
        grid.styles.grid_size_rows = self.rows
        tiles = list(grid.query(Tile))
        if len(tiles) < self.capacity:
            grid.mount_all(Tile() for _ in range(self.capacity - len(tiles)))
        for tile in tiles[self.capacity :]:
            tile.remove()
        self.sync(self.wall())

    # -- what is shown -----------------------------------------------------------------

    def selected_index(self) -> int:
        for index, treadmill in enumerate(self.order):
            if treadmill.device_id == self.selected_id:
                return index
        return 0

    def sync(self, wall_s: float, order: list[Treadmill] | None = None) -> None:
        if order is not None:
            self.order = order
        if not self._ready:
            return
        index = self.selected_index()
        if self.order:
            self.selected_id = self.order[index].device_id
        capacity = self.capacity
        self.first = (index // capacity) * capacity
        page = self.order[self.first : self.first + capacity]
        tiles = list(self.query_one("#tiles", Grid).query(Tile))[:capacity]
        for position, tile in enumerate(tiles):
            treadmill = page[position] if position < len(page) else None
            selected = treadmill is not None and treadmill.device_id == self.selected_id
            tile.show(treadmill, wall_s=wall_s, selected=selected)
        self.query_one("#header", Static).update(
            header_text(self.fleet, self.link, bell=self.bell_on)
        )
        self.query_one("#pager", Static).update(pager_text(self.fleet, self.first, len(page)))

    # -- moving ------------------------------------------------------------------------

    def _select(self, index: int) -> None:
        if not self.order:
            return
        index = max(0, min(index, len(self.order) - 1))
        self.selected_id = self.order[index].device_id
        self.sync(self.wall())

    def action_move(self, step: int) -> None:
        self._select(self.selected_index() + step)

    def action_move_rows(self, rows: int) -> None:
        self._select(self.selected_index() + rows * self.columns)

    def action_move_pages(self, pages: int) -> None:
        self._select(self.selected_index() + pages * self.capacity)

    def action_move_to(self, index: int) -> None:
        self._select(index if index >= 0 else len(self.order) - 1)

    async def on_tile_chosen(self, message: Tile.Chosen) -> None:
        self.selected_id = message.device_id
        self.sync(self.wall())
        if message.open_detail:
            await self.app.run_action("open_detail")
