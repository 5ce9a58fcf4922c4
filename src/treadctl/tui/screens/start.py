"""The start screen: pick a profile and a treadmill, then start."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import ClassVar

from rich.console import Group
from rich.markup import escape
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from treadctl.config import Settings
from treadctl.formatting import clock_text
from treadctl.link.base import LinkError
from treadctl.tui.choices import (
    ProfileChoice,
    TreadmillChoice,
    profile_choice,
)
from treadctl.tui.coach import CoachPick
from treadctl.tui.view import Units
from treadctl.tui.widgets import ProfileDetails
from treadctl.workout.risks import BEGINNER_PROFILE

Scanner = Callable[[], Awaitable[Sequence[TreadmillChoice]]]
StartHandler = Callable[[ProfileChoice, TreadmillChoice], None]
#: Works out the coach's pick (reads the history; run in a thread).
Coach = Callable[[], CoachPick]


def _option(index: int, choice: ProfileChoice) -> Option:
    """Two lines: the title, then its times (or why it cannot start)."""
    title = Text(choice.title, style="bold", no_wrap=True, overflow="ellipsis")
    if choice.error:
        title = Text.assemble(("✖ ", "bold red"), title)
    if choice.total_s is not None:
        times = f"  {clock_text(round(choice.total_s))}"
        if choice.backward_s:
            times += f" · {clock_text(choice.backward_s)} back"
    else:
        times = "  cannot be read"
    second = Text(times, style="dim", no_wrap=True, overflow="ellipsis")
    return Option(Group(title, second), id=str(index))


class StartScreen(Screen[None]):
    """Profiles on the left with the highlighted one's details; treadmill and Start below."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "start", "Start", id="start"),
        Binding("t", "focus_treadmill", "Treadmill", id="pick_treadmill"),
        Binding("o", "open_file", "Open file", id="open_file"),
        Binding("c", "coach_pick", "Coach's pick", id="coach_pick"),
        Binding("h", "app.history", "History", id="history"),
        Binding("q", "app.quit", "Quit", id="quit"),
    ]

    def __init__(
        self,
        settings: Settings,
        profiles: Sequence[ProfileChoice],
        treadmills: Sequence[TreadmillChoice],
        on_start: StartHandler,
        *,
        scan: Scanner | None = None,
        units: Units = "kmh",
        coach: Coach | None = None,
    ) -> None:
        super().__init__()
        self.coach = coach
        self.pick: CoachPick | None = None
        """The coach's recommendation, once worked out."""
        self.settings = settings
        self.profiles = list(profiles)
        self.treadmills = list(treadmills)
        self.on_start = on_start
        self.scan = scan
        self.units: Units = units
        self._preselected = 0
        """The entry highlighted when the screen opened: the beginner profile."""

    def compose(self) -> ComposeResult:
        yield Static(
            "[b]treadctl[/b] · guided backward walking · pick a workout and a treadmill",
            id="start-title",
        )
        yield Static("", id="coach-note")
        with Horizontal(id="start-body"):
            with Vertical(id="profiles-pane"):
                yield OptionList(
                    *(_option(i, c) for i, c in enumerate(self.profiles)), id="profiles"
                )
            with VerticalScroll(id="details-pane"):
                yield ProfileDetails(units=self.units, id="details")
        with Horizontal(id="start-controls"):
            yield Static("Treadmill", id="treadmill-label")
            yield Select(self._treadmill_options(), value=0, allow_blank=False, id="treadmill")
            if self.scan is not None:
                yield Button("Scan", id="scan")
            yield Button("Start ▶", id="start", variant="success")
        yield Input(
            placeholder="Open a profile file: type a .toml path, then Enter", id="open-file"
        )
        yield Footer()

    def _treadmill_options(self) -> list[tuple[str, int]]:
        return [
            (f"{t.label} · {t.detail}" if t.detail else t.label, i)
            for i, t in enumerate(self.treadmills)
        ]

    def on_mount(self) -> None:
        profiles = self.query_one("#profiles", OptionList)
        profiles.border_title = "Profile"
        self.query_one("#details-pane").border_title = "About it"
        profiles.focus()
        if self.profiles:
            self._preselected = self._beginner_index()
            profiles.highlighted = self._preselected
            self.query_one(ProfileDetails).show(self.profiles[self._preselected])
        if self.coach is not None:
            self.run_worker(self._ask_coach, thread=True, group="coach", exit_on_error=False)

    def _beginner_index(self) -> int:
        """Where the beginner profile is listed (the first entry if it is not)."""
        keys = [c.key for c in self.profiles]
        return keys.index(BEGINNER_PROFILE) if BEGINNER_PROFILE in keys else 0

    # -- the coach's pick ----------------------------------------------------------------

    def _ask_coach(self) -> None:
        assert self.coach is not None
        try:
            pick = self.coach()
        except Exception as exc:  # a broken history must not cost the start screen
            self.app.call_from_thread(self._coach_failed, str(exc))
            return
        self.app.call_from_thread(self.show_pick, pick)

    def _coach_failed(self, problem: str) -> None:
        note = self.query_one("#coach-note", Static)
        note.update(f"[dim]No coach's pick: {escape(problem)}[/dim]")
        note.add_class("-shown")

    def show_pick(self, pick: CoachPick) -> None:
        """List the coach's pick first (once), highlight it, and say why."""
        self.pick = pick
        option_list = self.query_one("#profiles", OptionList)
        moved = option_list.highlighted not in (None, self._preselected)
        current = self.highlighted
        keys = [c.key for c in self.profiles]
        if pick.choice.key in keys:
            index = keys.index(pick.choice.key)
        else:
            self.profiles.insert(0, pick.choice)
            option_list.clear_options()
            option_list.add_options([_option(i, c) for i, c in enumerate(self.profiles)])
            index = 0
        if moved and current is not None:
            option_list.highlighted = self.profiles.index(current)
        else:
            option_list.highlighted = index
        note = self.query_one("#coach-note", Static)
        note.update(
            f"[b]Coach's pick[/b] ([b]c[/b]): {escape(pick.recommendation.headline)}. "
            f"[dim]{escape(pick.recommendation.reason)}[/dim]"
        )
        note.add_class("-shown")

    def action_coach_pick(self) -> None:
        if self.pick is None:
            return
        keys = [c.key for c in self.profiles]
        if self.pick.choice.key in keys:
            profiles = self.query_one("#profiles", OptionList)
            profiles.highlighted = keys.index(self.pick.choice.key)
            profiles.focus()

    # -- picking -----------------------------------------------------------------------

    @property
    def highlighted(self) -> ProfileChoice | None:
        index = self.query_one("#profiles", OptionList).highlighted
        if index is None or not 0 <= index < len(self.profiles):
            return None
        return self.profiles[index]

    @property
    def treadmill(self) -> TreadmillChoice:
        value = self.query_one("#treadmill", Select).value
        index = value if isinstance(value, int) else 0
        return self.treadmills[index]

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        choice = self.highlighted
        if choice is not None:
            self.query_one(ProfileDetails).show(choice)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.action_start()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "start":
            self.action_start()
        elif event.button.id == "scan":
            self.run_worker(self._scan(), exclusive=True, group="scan")

    async def _scan(self) -> None:
        if self.scan is None:
            return
        self.notify("Scanning for treadmills…")
        try:
            found = await self.scan()
        except LinkError as exc:  # no adapter, adapter off, no BlueZ: say what to do
            self.notify(str(exc), title="Scan failed", severity="error", timeout=15)
            return
        known = {t.label for t in self.treadmills}
        self.treadmills += [t for t in found if t.label not in known]
        self.query_one("#treadmill", Select).set_options(self._treadmill_options())
        self.notify(f"{len(found)} treadmill(s) found")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if not text:
            return
        choice = profile_choice(Path(text).expanduser(), self.settings)
        self.profiles.append(choice)
        profiles = self.query_one("#profiles", OptionList)
        profiles.add_option(_option(len(self.profiles) - 1, choice))
        profiles.highlighted = len(self.profiles) - 1
        profiles.focus()
        event.input.value = ""

    # -- keys --------------------------------------------------------------------------

    def action_start(self) -> None:
        choice = self.highlighted
        if choice is None:
            return
        if choice.error:
            self.notify(choice.error, title="Cannot start this profile", severity="error")
            return
        self.on_start(choice, self.treadmill)

    def action_focus_treadmill(self) -> None:
        self.query_one("#treadmill", Select).focus()

    def action_open_file(self) -> None:
        self.query_one("#open-file", Input).focus()
