"""The workout screen: what a person on the belt needs, readable from a few steps away."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Grid, Horizontal
from textual.screen import Screen
from textual.widgets import Footer, Static

from treadctl.formatting import clock_text
from treadctl.tui.screens.help import HelpScreen
from treadctl.tui.session import WorkoutSession
from treadctl.tui.view import (
    Units,
    distance_unit,
    distance_value,
    incline_value,
    next_up,
    speed_label,
    speed_unit,
    speed_value,
    time_value,
    timeline_position,
    whole_value,
)
from treadctl.tui.widgets import (
    AlertBanner,
    BigNumber,
    ConnectionStatus,
    CuePanel,
    DigitSize,
    DirectionIndicator,
    HoldBanner,
    TimelineBar,
    TurnPrompt,
    Upcoming,
    VoiceStatus,
)
from treadctl.workout.adjust import ADJUST_INCLINE_STEP_PCT, ADJUST_SPEED_STEP_KMH
from treadctl.workout.events import (
    Advice,
    Countdown,
    CueEvent,
    SafetyAlert,
    Sample,
    SegmentEnded,
    SegmentStarted,
    Turnaround,
    UserAction,
    WorkoutEvent,
    WorkoutStarted,
)
from treadctl.workout.holds import RunState
from treadctl.workout.status import RunnerStatus
from treadctl.workout.timeline import StepKind, TurnStep

if TYPE_CHECKING:
    from treadctl.client import TreadmillClient

from treadctl.workout.turn_texts import (
    TURN_COUNTDOWN,
    after_turn_text,
    segment_after,
    turn_warning_text,
)


@dataclass
class _Widgets:
    """The screen's widgets, looked up once (the live refresh runs twice a second)."""

    speed: BigNumber
    incline: BigNumber
    left: BigNumber
    distance: BigNumber
    energy: BigNumber
    heart: BigNumber
    remaining: BigNumber
    connection: ConnectionStatus
    clock: Static
    title: Static
    direction: DirectionIndicator
    alerts: AlertBanner
    hold: HoldBanner
    prompt: TurnPrompt
    bar: TimelineBar
    cues: CuePanel
    upcoming: Upcoming


#: How the footer shows Stop's keys on this screen.
STOP_KEYS_SHOWN = "space/s"

_SPEED = Binding.Group("Speed")
_INCLINE = Binding.Group("Incline")


class WorkoutScreen(Screen[None]):
    """Big numbers, direction, timeline, cues, alerts and the turnaround prompt.

    It follows the session's events and the treadmill's live state (about 2 Hz); it
    redraws only what changed. Keys act on the runner; Stop is the app's, so it is live
    here and in every dialog.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        # Stop's other keys here (space is the app's, live everywhere): s, as headless,
        # and escape, which in a dialog closes the dialog instead.
        Binding(
            "s,escape",
            "app.emergency_stop",
            "STOP",
            show=False,
            priority=True,
            id="stop_keys",
        ),
        Binding("enter,c", "confirm", "Confirm", key_display="enter", id="confirm"),
        Binding("p", "pause", "Pause", id="pause"),
        Binding("r", "resume", "Resume", id="resume"),
        Binding(
            "plus,equals_sign,up", "faster", "faster", key_display="+", id="faster", group=_SPEED
        ),
        Binding("minus,down", "slower", "slower", key_display="-", id="slower", group=_SPEED),
        Binding(
            "right_square_bracket,pageup",
            "incline_up",
            "steeper",
            key_display="]",
            id="incline_up",
            group=_INCLINE,
        ),
        Binding(
            "left_square_bracket,pagedown",
            "incline_down",
            "flatter",
            key_display="[",
            id="incline_down",
            group=_INCLINE,
        ),
        Binding("a", "acknowledge", "Ack alert", id="acknowledge"),
        Binding("question_mark", "help", "Keys", key_display="?", id="help"),
        Binding("q", "app.quit", "Quit", id="quit"),
    ]

    def __init__(self, session: WorkoutSession, *, units: Units = "kmh", bell: bool = False):
        super().__init__()
        self.session = session
        self.units: Units = units
        self.bell = bell
        self._remove_listener: Any = None
        self._following = False
        self._connected_once = False
        self._binding_state: tuple[object, ...] = ()
        self._segment_numbers: dict[int, int] = {}
        self._segment_count = 0
        self.stopping = False
        self._widgets: _Widgets | None = None
        self._clock_text = ""
        self._step_seen = (-1, 0.0)
        """The step last seen, and the workout time when it was first seen."""
        self._warning_on_show = False
        """The CUE line is a turn warning (it counts down with SOON)."""

    # -- layout ------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="topbar"):
            yield Static("treadctl", id="title")
            yield ConnectionStatus(id="connection")
            yield VoiceStatus(id="voice")
            yield Static("", id="clock")
        yield DirectionIndicator(id="direction")
        yield AlertBanner(id="alerts")
        yield HoldBanner(id="hold")
        yield TurnPrompt(id="turn")
        with Horizontal(id="body"):
            with Grid(id="numbers"):
                # One digit size for all (the widest value each expects decides it).
                size = DigitSize()
                yield BigNumber(
                    "SPEED",
                    speed_unit(self.units),
                    "-.-",
                    widest="88.8",
                    digit_size=size,
                    id="speed",
                )
                yield BigNumber("INCLINE", "%", "-.-", widest="88.8", digit_size=size, id="incline")
                yield BigNumber(
                    "SEGMENT LEFT", "", "--:--", widest="88:88", digit_size=size, id="left"
                )
                # The second row: while turning on a tall screen, the turn prompt has it.
                yield BigNumber(
                    "DISTANCE",
                    distance_unit(self.units),
                    "-.--",
                    widest="88.88",
                    digit_size=size,
                    id="distance",
                    classes="-second",
                )
                yield BigNumber(
                    "ENERGY",
                    "kcal",
                    "--",
                    widest="888",
                    digit_size=size,
                    id="energy",
                    classes="-second",
                )
                yield BigNumber(
                    "HEART RATE",
                    "bpm",
                    "--",
                    widest="888",
                    digit_size=size,
                    id="heart",
                    classes="-second",
                )
                yield BigNumber(
                    "WORKOUT LEFT",
                    "",
                    "--:--",
                    widest="88:88",
                    digit_size=size,
                    id="remaining",
                    classes="-second",
                )
            yield Upcoming(units=self.units, id="upcoming")
        yield TimelineBar(id="timeline")
        yield CuePanel(id="cues")
        yield Footer()

    def on_mount(self) -> None:
        self._widgets = _Widgets(
            speed=self.query_one("#speed", BigNumber),
            incline=self.query_one("#incline", BigNumber),
            left=self.query_one("#left", BigNumber),
            distance=self.query_one("#distance", BigNumber),
            energy=self.query_one("#energy", BigNumber),
            heart=self.query_one("#heart", BigNumber),
            remaining=self.query_one("#remaining", BigNumber),
            connection=self.query_one(ConnectionStatus),
            clock=self.query_one("#clock", Static),
            title=self.query_one("#title", Static),
            direction=self.query_one(DirectionIndicator),
            alerts=self.query_one(AlertBanner),
            hold=self.query_one(HoldBanner),
            prompt=self.query_one(TurnPrompt),
            bar=self.query_one(TimelineBar),
            cues=self.query_one(CuePanel),
            upcoming=self.query_one(Upcoming),
        )
        self._widgets.heart.display = False
        self._remove_listener = self.session.add_listener(self.on_workout_event)
        self.refresh_live()

    def on_unmount(self) -> None:
        if self._remove_listener is not None:
            self._remove_listener()

    # -- what happens ------------------------------------------------------------------

    def ring(self) -> None:
        if self.bell:
            self.app.bell()

    def on_workout_event(self, event: WorkoutEvent) -> None:
        """Called by the session for every event, on the app's event loop."""
        w = self._widgets
        if w is None:
            return
        cues = w.cues
        match event:
            case WorkoutStarted():
                self._start_following()
            case SegmentStarted():
                cues.set_countdown("")
            case SegmentEnded():
                cues.set_countdown("")
            case CueEvent():
                cues.set_cue(event.text)
                self._warning_on_show = False
                self.ring()
            case Advice():
                cues.set_cue(f"AT THE CONSOLE: {event.text}")
                self.ring()
            case Countdown():
                cues.set_countdown(f"{event.what} in {event.seconds_left} s")
                if event.what == TURN_COUNTDOWN and self._warning_on_show:
                    # The warning counts down with SOON: one number, never two.
                    cues.set_cue(turn_warning_text(event.seconds_left))
            case Turnaround():
                self._on_turnaround(event)
            case SafetyAlert():
                w.alerts.add(event)
                if event.needs_ack:
                    self.ring()
            case Sample():
                w.distance.set_value(distance_value(event.distance_m, self.units))
                w.energy.set_value(whole_value(event.energy_kcal))
            case UserAction(action="stop"):
                self.stopping = True
            case _:
                pass
        self.refresh_live()

    def _on_turnaround(self, event: Turnaround) -> None:
        assert self._widgets is not None
        cues = self._widgets.cues
        prompt = self._widgets.prompt
        runner = self.session.runner
        step = runner.current_step if runner is not None else None
        confirm = isinstance(step, TurnStep) and step.confirm
        after = self._after_turn(step) if isinstance(step, TurnStep) else ""
        left_s = self._turn_left_s(step) if isinstance(step, TurnStep) else None
        self._warning_on_show = event.phase == "warning"
        match event.phase:
            case "warning":
                cues.set_cue(event.message)
                self.ring()
            case "slowing":
                cues.set_countdown("")
                cues.set_cue(event.message)
            case "turn_now":
                prompt.show_turn(
                    event.to_facing,
                    event.speed_kmh,
                    confirm=confirm,
                    units=self.units,
                    after=after,
                    left_s=left_s,
                )
                self.add_class("-turning")
                self.ring()
            case "waiting_for_confirm":
                prompt.show_turn(
                    event.to_facing,
                    event.speed_kmh,
                    confirm=True,
                    waiting=True,
                    units=self.units,
                    after=after,
                )
                self.add_class("-turning")
                self.ring()
            case "speeding_up" | "done":
                self.remove_class("-turning")
                if event.message:
                    cues.set_cue(event.message)

    def _show_heart(self, status: RunnerStatus) -> None:
        """The heart rate acted on, marked with its source; ``--`` while it is unknown
        (no skin contact, a 0): shown once a strap or the treadmill reports one."""
        w = self._widgets
        assert w is not None
        source = status.heart_rate_source
        if source is not None and not w.heart.display:
            w.heart.display = True
            w.remaining.display = False
        w.heart.set_unit(f"bpm · {source}" if source is not None else "bpm · none")
        w.heart.set_value(whole_value(status.heart_rate_bpm))

    def _after_turn(self, turn: TurnStep) -> str:
        """What the belt does once ``turn`` is over, from the compiled timeline."""
        runner = self.session.runner
        if runner is None:
            return ""
        segment = segment_after(runner.timeline, turn)
        if segment is None:
            return ""  # a turn of the engine's own (backward off): a hold follows
        return after_turn_text(turn, segment, lambda kmh: speed_label(kmh, self.units))

    def _turn_left_s(self, turn: TurnStep) -> float | None:
        """Seconds of ``turn`` (the current step) still to go on the workout clock."""
        runner = self.session.runner
        if runner is None:
            return None
        status = runner.status()
        if status.step is not turn:
            return None
        seen_index, seen_at = self._step_seen
        if seen_index != status.step_index:
            return turn.duration_s
        return max(0.0, turn.duration_s - (status.workout_s - seen_at))

    def _start_following(self) -> None:
        treadmill = self.session.treadmill
        if self._following or treadmill is None:
            return
        self._following = True
        self.run_worker(self._follow(treadmill.client), group="live", exclusive=True)

    async def _follow(self, client: TreadmillClient) -> None:
        """Redraw from the treadmill's state as it comes (latest only, about 2 Hz)."""
        async for _state in client.states():
            self.refresh_live()

    # -- drawing -----------------------------------------------------------------------

    def refresh_live(self) -> None:
        """Bring every number and line up to date; unchanged ones are not redrawn."""
        w = self._widgets
        if w is None:
            return
        session = self.session
        treadmill = session.treadmill
        if treadmill is not None:
            client = treadmill.client
            state = client.state
            w.speed.set_value(speed_value(state.speed_kmh, self.units))
            w.incline.set_value(incline_value(state.incline_pct))
            if client.is_connected:
                self._connected_once = True
                w.connection.set_state("connected", treadmill.name)
            elif session.done:
                w.connection.set_state("closed")
            else:
                w.connection.set_state("lost" if self._connected_once else "connecting")
        runner = session.runner
        if runner is None:
            return
        timeline = runner.timeline
        if w.bar.timeline is not timeline:
            # First sight of the runner (its events may have begun before this screen
            # was mounted): what does not change during the workout is set up once.
            self._number_segments()
            w.bar.set_timeline(timeline)
            w.title.update(f"[b]{escape(runner.title)}[/b]")
            self._start_following()
        status = runner.status()
        self._show_heart(status)
        w.direction.facing = status.facing
        w.cues.set_facing(status.facing)
        w.left.set_value(time_value(status.segment_left_s))
        if status.step_index != self._step_seen[0]:
            self._step_seen = (status.step_index, status.workout_s)
        if isinstance(status.step, TurnStep) and self.has_class("-turning"):
            w.prompt.set_left(self._turn_left_s(status.step))
        position = timeline_position(status, timeline, status.workout_s - self._step_seen[1])
        w.remaining.set_value(time_value(max(0.0, timeline.total_s - position)))
        w.cues.set_next(next_up(status, timeline, self.units))
        w.upcoming.set_position(timeline, status.step_index)
        w.bar.set_progress(position, self._caption(status))
        clock = f"{clock_text(status.workout_s)} of {clock_text(round(timeline.total_s))}"
        if clock != self._clock_text:
            self._clock_text = clock
            w.clock.update(clock)
        if self.stopping:
            w.hold.show_stopping(advisory=status.advisory)
        elif status.paused:
            w.hold.show_hold(status.pause_reason, needs_confirm=status.hold_needs_confirm)
        elif status.state is RunState.RESUMING:
            w.hold.show_hold(status.pause_reason, needs_confirm=False, resuming=True)
        else:
            w.hold.clear()
        key = (
            status.state,
            status.awaiting_confirm,
            status.hold_needs_confirm,
            bool(w.alerts.pending),
            status.step.kind,
        )
        if key != self._binding_state:
            self._binding_state = key
            self.refresh_bindings()

    def _number_segments(self) -> None:
        runner = self.session.runner
        assert runner is not None
        count = 0
        for index, step in enumerate(runner.timeline.steps):
            if step.kind is StepKind.SEGMENT:
                count += 1
                self._segment_numbers[index] = count
        self._segment_count = count

    def _caption(self, status: RunnerStatus) -> str:
        step = status.step
        index = status.step_index
        if step.kind is StepKind.SEGMENT:
            number = self._segment_numbers.get(index, 0)
            return f"segment {number} of {self._segment_count} · {step.label}"
        if step.kind is StepKind.TURN:
            return "turnaround"
        if step.kind is StepKind.RAMP:
            return "changing speed"
        if step.kind is StepKind.START:
            return "starting"
        return "finishing"

    @property
    def cue_text(self) -> str:
        """The cue panel's lines as plain text (what a screen reader would get)."""
        return "\n".join(f"{label} {text}" for label, text, _ in self.query_one(CuePanel).rows())

    # -- keys --------------------------------------------------------------------------

    def _status_now(self) -> RunnerStatus | None:
        runner = self.session.runner
        return None if runner is None else runner.status()

    @property
    def turn_waiting(self) -> bool:
        """A turn waits for the person to confirm it."""
        status = self._status_now()
        return status is not None and status.turn_waiting

    @property
    def awaiting_confirm(self) -> bool:
        """A turn or a hold waits for the person's Enter."""
        status = self._status_now()
        return status is not None and status.awaiting_confirm

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        status = self._status_now()
        live = status is not None and status.live
        match action:
            case "confirm":
                return live and status is not None and status.awaiting_confirm
            case "pause":
                return live and status is not None and status.can_pause
            case "resume":
                return live and status is not None and status.can_resume
            case "faster" | "slower" | "incline_up" | "incline_down":
                return True if status is not None and status.adjustable else None
            case "acknowledge":
                return bool(self.query_one(AlertBanner).pending)
            case _:
                return True

    def action_confirm(self) -> None:
        if self.session.runner is not None:
            self.session.runner.confirm()
            self.refresh_live()

    def action_pause(self) -> None:
        if self.session.runner is not None:
            self.session.runner.pause()
            self.refresh_live()

    def action_resume(self) -> None:
        if self.session.runner is not None:
            self.session.runner.resume()
            self.refresh_live()

    def action_faster(self) -> None:
        if self.session.runner is not None:
            self.session.runner.adjuster.speed(+ADJUST_SPEED_STEP_KMH)

    def action_slower(self) -> None:
        if self.session.runner is not None:
            self.session.runner.adjuster.speed(-ADJUST_SPEED_STEP_KMH)

    def action_incline_up(self) -> None:
        if self.session.runner is not None:
            self.session.runner.adjuster.incline(+ADJUST_INCLINE_STEP_PCT)

    def action_incline_down(self) -> None:
        if self.session.runner is not None:
            self.session.runner.adjuster.incline(-ADJUST_INCLINE_STEP_PCT)

    def action_acknowledge(self) -> None:
        self.query_one(AlertBanner).acknowledge()
        self.refresh_live()

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen())
