"""The Textual app of ``treadctl watch``: the dashboard, the detail view, two commands."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

from textual.app import App
from textual.binding import Binding, BindingType

from treadctl.watch.fleet import Alarm, Treadmill
from treadctl.watch.follower import CommandError, FleetLink
from treadctl.watch.ui.confirm import ConfirmCommand
from treadctl.watch.ui.dashboard import DashboardScreen
from treadctl.watch.ui.detail import DetailScreen
from treadctl.watch.ui.view import progress_text

log = logging.getLogger(__name__)

#: How often the screen catches up with the fleet (the fleet itself follows every message).
REFRESH_S = 0.5
#: Alarms kept in memory for a look back (the app runs for hours).
ALARMS_KEPT = 1000

AlarmHook = Callable[[Alarm], None]


class WatchApp(App[int]):
    """Every treadmill on ``link``'s broker, with stop and pause for each (confirmed).

    Args:
        link: the broker side; the app runs ``link.run()`` while it is open (unless
            ``follow`` is false: a test that feeds the fleet itself).
        bell: ring the terminal bell when a treadmill starts to need a person.
        alarm: called with each :class:`Alarm` as well (for speech, or a log).
        clock, wall: monotonic and Unix time (tests inject fixed ones).
    """

    # Absolute, so that a subclass elsewhere (a test, a kiosk) finds it too.
    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "treadctl watch"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "command('stop')", "Stop…", id="stop"),
        Binding("p", "command('pause')", "Pause…", id="pause"),
        Binding("a", "acknowledge", "Ack alert", id="acknowledge"),
        Binding("b", "toggle_bell", "Bell", id="bell"),
        Binding("q", "quit", "Quit", id="quit"),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True, id="quit_app"),
    ]

    def __init__(
        self,
        link: FleetLink,
        *,
        bell: bool = True,
        alarm: AlarmHook | None = None,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        refresh_s: float = REFRESH_S,
        follow: bool = True,
    ) -> None:
        super().__init__()
        self.link = link
        self.fleet = link.fleet
        self.bell_on = bell
        self.alarm = alarm
        self.clock = clock
        self.wall = wall
        self.refresh_s = refresh_s
        self.follow = follow
        self.alarms: deque[Alarm] = deque(maxlen=ALARMS_KEPT)
        """The alarms raised while the app ran, oldest first (the last ALARMS_KEPT)."""
        self.dashboard = DashboardScreen(self.fleet, link, wall)
        self.dashboard.bell_on = bell
        self._follower: asyncio.Task[None] | None = None

    def on_mount(self) -> None:
        self.push_screen(self.dashboard)
        if self.follow and self._follower is None:
            self._follower = asyncio.create_task(self.link.run(), name="watch-follower")
        self.set_interval(self.refresh_s, self.sync)
        self.sync()

    async def on_unmount(self) -> None:
        if self._follower is not None:
            self._follower.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._follower

    # -- catching up ---------------------------------------------------------------------

    def sync(self) -> None:
        """Attention, order and every screen on the stack, from the fleet as it is now."""
        wall = self.wall()
        alarms = self.fleet.check(self.clock(), wall)
        if alarms:
            self.ring(alarms)
        self.dashboard.sync(wall, self.fleet.ordered())
        for screen in self.screen_stack:
            if isinstance(screen, DetailScreen):
                screen.sync(wall)

    def ring(self, alarms: list[Alarm]) -> None:
        self.alarms.extend(alarms)
        if self.bell_on:
            self.bell()
        if self.alarm is not None:
            for alarm in alarms:
                try:
                    self.alarm(alarm)
                except Exception:  # a hook's bug must not stop the dashboard
                    log.exception("the watch's alarm hook failed")

    # -- which treadmill the keys act on ----------------------------------------------------

    def selected(self) -> Treadmill | None:
        """The treadmill of the detail view on show, else the one selected on the grid."""
        for screen in reversed(self.screen_stack):
            if isinstance(screen, DetailScreen):
                return screen.treadmill
        if self.dashboard.selected_id is None:
            return None
        return self.fleet.treadmills.get(self.dashboard.selected_id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        in_dialog = isinstance(self.screen, ConfirmCommand)
        return not (in_dialog and action in ("command", "acknowledge", "open_detail"))

    # -- actions -----------------------------------------------------------------------------

    def action_open_detail(self) -> None:
        treadmill = self.selected()
        if treadmill is None or isinstance(self.screen, DetailScreen):
            return
        screen = DetailScreen(self.fleet, treadmill.device_id)
        self.push_screen(screen)
        self.call_after_refresh(screen.sync, self.wall())

    def action_command(self, command: str) -> None:
        """Ask, then send ``stop`` or ``pause`` to the selected treadmill."""
        treadmill = self.selected()
        if treadmill is None:
            self.notify("No treadmill selected.", severity="warning")
            return
        device_id = name = treadmill.device_id
        detail = ""
        if treadmill.status is not None:
            detail = f"Now: {progress_text(treadmill.status).plain}"

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_worker(self.send(device_id, name, command), group="commands")

        self.push_screen(ConfirmCommand(command, name, detail), answered)

    async def send(self, device_id: str, name: str, command: str) -> None:
        try:
            await self.link.send(device_id, command)
        except CommandError as exc:
            self.notify(f"{command} for {name}: {exc}", severity="error", timeout=10)
        else:
            self.notify(f"{command.capitalize()} sent to {name}; waiting for its answer.")
        self.sync()

    def action_acknowledge(self) -> None:
        treadmill = self.selected()
        if treadmill is not None and self.fleet.acknowledge(treadmill.device_id):
            self.sync()

    def action_toggle_bell(self) -> None:
        self.bell_on = self.dashboard.bell_on = not self.bell_on
        self.sync()
