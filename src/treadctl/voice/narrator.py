"""What is said when: the workout's events turned into utterances.

Only the runner's events go in. Halfway and "last ten seconds" come from the samples'
``segment_left_s``; the turn warning's lead comes from the segment's length and the
turn warning setting, exactly as the runner computes it. Nothing here waits or plays.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from treadctl.config import VOICE_KINDS, DisplayUnits, VoiceKind
from treadctl.voice.utterance import Earcon, Priority, Utterance
from treadctl.voice.words import (
    distance_words,
    duration_words,
    integer_words,
    number_words,
    speakable,
    speed_words,
)
from treadctl.workout.coaching import BACKWARD_TIPS
from treadctl.workout.events import (
    Advice,
    Countdown,
    CueEvent,
    Finished,
    Paused,
    Resumed,
    SafetyAlert,
    Sample,
    SegmentStarted,
    Summary,
    Turnaround,
    UserAction,
    WorkoutEvent,
    WorkoutStarted,
)
from treadctl.workout.profile import Direction
from treadctl.workout.timeline import SegmentStep, Timeline, TurnStep
from treadctl.workout.turn_texts import TURN_COUNTDOWN

#: How long each kind of utterance stays worth saying after its event (clock seconds).
#: A countdown number is only worth saying before the next one is due.
FRESH_COUNTDOWN_S = 0.75
FRESH_TURN_WARNING_S = 2.0
FRESH_TURN_S = 3.0
FRESH_TURN_NOW_S = 4.0
FRESH_CONFIRM_S = 10.0
FRESH_SEGMENT_S = 6.0
FRESH_PROGRESS_S = 3.0
FRESH_STATUS_S = 8.0
FRESH_CUE_S = 15.0
FRESH_ADVICE_S = 10.0
FRESH_SAFETY_S = 30.0
FRESH_SUMMARY_S = 30.0

#: Segments at least this long get "halfway"; at least this long get "last ten seconds".
HALFWAY_MIN_S = 60.0
LAST_TEN_MIN_S = 30.0
LAST_TEN_S = 10.0
#: A mark seen this much later than due (samples are about 1 s apart) is not said.
PROGRESS_LATE_S = 3.0
#: The runner's own "Turn around now" cue, within this of the turn_now event, is not
#: said twice.
TURN_CUE_ECHO_S = 1.0

ALWAYS_SPOKEN: frozenset[VoiceKind] = frozenset({"safety", "turn"})

TURN_NOW_PREFIX = "turn around now"


def turn_warning_text(seconds: int) -> str:
    unit = "second" if seconds == 1 else "seconds"
    return f"Turn coming in {integer_words(seconds)} {unit}, hands on the rails."


def turn_now_text(to_facing: Direction) -> str:
    return f"Turn around now, face {to_facing}."


SLOWING_TEXT = "Slowing down for the turn."
SPEEDING_UP_TEXT = "Speeding up, gently."
CONFIRM_TEXT = "Press Enter when you have turned."
HALFWAY_TEXT = "Halfway."
LAST_TEN_TEXT = "Last ten seconds."
PAUSED_TEXT = "Paused. Press r to go on."
HELD_TEXT = "Paused. Press Enter when you are ready to go on."
RESUMED_TEXT = "Going on."
STOPPING_TEXT = "Stopping the belt."
#: Advisory mode: treadctl cannot stop the belt, and never says it does.
STOP_AT_CONSOLE_TEXT = "Stop the belt at the console, or pull the safety key."


def segment_text(
    facing: Direction, speed_kmh: float, incline_pct: float, duration_s: float, units: DisplayUnits
) -> str:
    parts = [facing.capitalize(), speed_words(speed_kmh, units)]
    if incline_pct > 0:
        parts.append(f"incline {number_words(incline_pct)} percent")
    parts.append(f"for {duration_words(duration_s)}")
    return ", ".join(parts) + "."


def summary_text(summary: Summary, units: DisplayUnits) -> str:
    numbers = [duration_words(summary.workout_s), distance_words(summary.distance_m, units)]
    if summary.backward_s >= 1:
        numbers.append(f"{duration_words(summary.backward_s)} of it backward")
    said = "In all: " + ", ".join(numbers) + "."
    if summary.completed:
        return said
    return f"Workout ended: {speakable(summary.reason, units)}. {said}"


def countdown_words(seconds: int) -> str:
    return integer_words(seconds).capitalize() + "."


def turn_warning_seconds(turn_warning_s: float, segment_s: float) -> int:
    """The lead the runner gives a turn warning, in whole seconds (as it says it)."""
    return math.ceil(min(turn_warning_s, segment_s))


@dataclass
class _Segment:
    duration_s: float
    halfway_done: bool
    last_ten_done: bool


class Narrator:
    """Turns each event into zero or more utterances, in the user's units.

    Args:
        units: km/h or mph, as the user reads them.
        kinds: what to say; safety alerts and turns are always said.
        turn_warning_s: the turn warning setting (the runner's limits).
    """

    def __init__(
        self,
        units: DisplayUnits = "kmh",
        kinds: Iterable[VoiceKind] = VOICE_KINDS,
        turn_warning_s: float = 5.0,
    ) -> None:
        self.units: DisplayUnits = units
        self.kinds = frozenset(kinds) | ALWAYS_SPOKEN
        self.turn_warning_s = turn_warning_s
        self._segment: _Segment | None = None
        self._turn_now_at: float | None = None
        self._countdown_what: str | None = None
        self._advisory = False

    def _make(
        self,
        kind: VoiceKind,
        text: str,
        priority: Priority,
        now: float,
        fresh_s: float,
        *,
        earcon: Earcon | None = None,
        group: str | None = None,
        urgent: bool = False,
    ) -> list[Utterance]:
        if kind not in self.kinds or not text:
            return []
        return [
            Utterance(
                kind,
                text,
                priority,
                queued_at=now,
                expires_at=now + fresh_s,
                earcon=earcon,
                group=group,
                urgent=urgent,
            )
        ]

    def utterances(self, event: WorkoutEvent, now: float) -> list[Utterance]:
        """What to say for ``event``, which happened at ``now`` on the workout's clock."""
        match event:
            case WorkoutStarted(title=title):
                return self._make(
                    "status", f"Starting {title}.", Priority.SEGMENT, now, FRESH_STATUS_S
                )
            case SegmentStarted():
                return self._segment_started(event, now)
            case Sample():
                return self._progress(event, now)
            case CueEvent(text=text):
                echo = self._turn_now_at is not None and now - self._turn_now_at <= TURN_CUE_ECHO_S
                if echo and text.lower().startswith(TURN_NOW_PREFIX):
                    return []
                return self._make(
                    "cue", speakable(text, self.units), Priority.CUE, now, FRESH_CUE_S
                )
            case Countdown():
                return self._countdown(event, now)
            case Turnaround():
                return self._turnaround(event, now)
            case Advice(text=text):
                # What to set at the console: the workout waits on it, so it is said like
                # a turn (always, ahead of segment news).
                return self._make(
                    "turn",
                    speakable(text, self.units),
                    Priority.BELT,
                    now,
                    FRESH_ADVICE_S,
                    group="advice",
                )
            case SafetyAlert(message=message, kind=kind):
                if kind == "advisory_mode":
                    self._advisory = True
                return self._make(
                    "safety",
                    speakable(message, self.units),
                    Priority.SAFETY,
                    now,
                    FRESH_SAFETY_S,
                    earcon=Earcon.ALERT,
                )
            case Paused(needs_confirm=needs_confirm):
                text = HELD_TEXT if needs_confirm else PAUSED_TEXT
                return self._make(
                    "status",
                    text,
                    Priority.BELT,
                    now,
                    FRESH_STATUS_S,
                    earcon=Earcon.STOP,
                    group="hold",
                )
            case Resumed():
                return self._make(
                    "status", RESUMED_TEXT, Priority.BELT, now, FRESH_STATUS_S, group="hold"
                )
            case UserAction(action="stop"):
                return self._make(
                    "safety",
                    STOP_AT_CONSOLE_TEXT if self._advisory else STOPPING_TEXT,
                    Priority.SAFETY,
                    now,
                    FRESH_SAFETY_S,
                    earcon=Earcon.STOP,
                    urgent=True,
                )
            case Finished(summary=summary):
                # Completed, it follows the runner's "Workout done" cue (same priority,
                # so in order); ended early, it comes first, with the stop tone.
                self._segment = None
                early = not summary.completed
                return self._make(
                    "status",
                    summary_text(summary, self.units),
                    Priority.SEGMENT if early else Priority.CUE,
                    now,
                    FRESH_SUMMARY_S,
                    earcon=Earcon.STOP if early else None,
                )
            case _:
                return []

    def _segment_started(self, event: SegmentStarted, now: float) -> list[Utterance]:
        self._segment = _Segment(
            event.duration_s,
            halfway_done=event.duration_s < HALFWAY_MIN_S,
            last_ten_done=event.duration_s < LAST_TEN_MIN_S,
        )
        text = segment_text(
            event.facing, event.speed_kmh, event.incline_pct, event.duration_s, self.units
        )
        return self._make("segment", text, Priority.SEGMENT, now, FRESH_SEGMENT_S, group="segment")

    def _progress(self, sample: Sample, now: float) -> list[Utterance]:
        segment = self._segment
        left_s = sample.segment_left_s
        if segment is None or left_s is None:
            return []
        out: list[Utterance] = []
        half_s = segment.duration_s / 2
        if not segment.halfway_done and left_s <= half_s:
            segment.halfway_done = True
            if half_s - left_s <= PROGRESS_LATE_S:
                out += self._make("progress", HALFWAY_TEXT, Priority.SEGMENT, now, FRESH_PROGRESS_S)
        if not segment.last_ten_done and left_s <= LAST_TEN_S:
            segment.last_ten_done = True
            if LAST_TEN_S - left_s <= PROGRESS_LATE_S:
                out += self._make(
                    "progress", LAST_TEN_TEXT, Priority.SEGMENT, now, FRESH_PROGRESS_S
                )
        return out

    def _countdown(self, event: Countdown, now: float) -> list[Utterance]:
        same = event.what == self._countdown_what
        self._countdown_what = event.what
        if event.what == TURN_COUNTDOWN or same:
            text = countdown_words(event.seconds_left)
        else:
            unit = "second" if event.seconds_left == 1 else "seconds"
            text = f"{event.what.capitalize()} in {integer_words(event.seconds_left)} {unit}."
        return self._make(
            "countdown", text, Priority.BELT, now, FRESH_COUNTDOWN_S, group="countdown"
        )

    def _turnaround(self, event: Turnaround, now: float) -> list[Utterance]:
        match event.phase:
            case "warning":
                segment_s = self._segment.duration_s if self._segment else self.turn_warning_s
                seconds = turn_warning_seconds(self.turn_warning_s, segment_s)
                return self._make(
                    "turn",
                    turn_warning_text(seconds),
                    Priority.BELT,
                    now,
                    FRESH_TURN_WARNING_S,
                    group="turn",
                )
            case "slowing":
                self._segment = None
                return self._make(
                    "turn", SLOWING_TEXT, Priority.BELT, now, FRESH_TURN_S, group="turn"
                )
            case "turn_now":
                self._segment = None
                self._turn_now_at = now
                return self._make(
                    "turn",
                    turn_now_text(event.to_facing),
                    Priority.BELT,
                    now,
                    FRESH_TURN_NOW_S,
                    earcon=Earcon.TURN_NOW,
                    group="turn",
                    urgent=True,
                )
            case "waiting_for_confirm":
                return self._make(
                    "turn", CONFIRM_TEXT, Priority.BELT, now, FRESH_CONFIRM_S, group="turn"
                )
            case "speeding_up":
                return self._make(
                    "turn", SPEEDING_UP_TEXT, Priority.BELT, now, FRESH_TURN_S, group="turn"
                )
            case _:
                return []

    # -- what can be rendered before the workout starts ------------------------------

    def expected(self, timeline: Timeline) -> list[tuple[Earcon | None, str]]:
        """The (tone, words) this workout will say, most time-critical first.

        The voice renders them at the start so they are ready when due.
        """
        turn: list[tuple[Earcon | None, str]] = []
        later: list[tuple[Earcon | None, str]] = []
        steps = timeline.steps
        for index, step in enumerate(steps):
            if isinstance(step, SegmentStep):
                turn_after = timeline.next_turn_after(index)
                if turn_after is not None:
                    seconds = turn_warning_seconds(self.turn_warning_s, step.duration_s)
                    turn.append((None, turn_warning_text(seconds)))
                    turn += [(None, countdown_words(k)) for k in range(seconds, 0, -1)]
                later.append(
                    (
                        None,
                        segment_text(
                            step.facing,
                            step.speed_kmh,
                            step.incline_pct,
                            step.duration_s,
                            self.units,
                        ),
                    )
                )
                later += [(None, speakable(c.text, self.units)) for c in step.segment.cues]
            elif isinstance(step, TurnStep):
                turn.append((Earcon.TURN_NOW, turn_now_text(step.to_facing)))
                if step.confirm:
                    turn.append((None, CONFIRM_TEXT))
        fixed: list[tuple[Earcon | None, str]] = [
            (None, SLOWING_TEXT),
            (None, SPEEDING_UP_TEXT),
            (Earcon.STOP, STOPPING_TEXT),
            (Earcon.STOP, STOP_AT_CONSOLE_TEXT),
            (Earcon.STOP, PAUSED_TEXT),
            (Earcon.STOP, HELD_TEXT),
            (None, RESUMED_TEXT),
            (None, HALFWAY_TEXT),
            (None, LAST_TEN_TEXT),
        ]
        if timeline.has_backward:
            later += [(None, speakable(tip.spoken, self.units)) for tip in BACKWARD_TIPS]
        ordered: list[tuple[Earcon | None, str]] = []
        for item in [*turn, *fixed, *later]:
            if item not in ordered:
                ordered.append(item)
        return ordered
