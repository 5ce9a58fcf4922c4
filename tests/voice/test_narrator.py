"""What is said when: the runner's events turned into utterances."""

from __future__ import annotations

import math

from treadctl.config import load_settings
from treadctl.voice.narrator import (
    FRESH_COUNTDOWN_S,
    HALFWAY_TEXT,
    LAST_TEN_TEXT,
    Narrator,
    turn_now_text,
    turn_warning_text,
)
from treadctl.voice.utterance import Earcon, Priority, Utterance
from treadctl.workout.builtin import load_profile
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
)
from treadctl.workout.plan import plan


def said(narrator: Narrator, event: WorkoutEvent, now: float = 0.0) -> list[Utterance]:
    return narrator.utterances(event, now)


def one(narrator: Narrator, event: WorkoutEvent, now: float = 0.0) -> Utterance:
    out = said(narrator, event, now)
    assert len(out) == 1, out
    return out[0]


def sample(left_s: float | None) -> Sample:
    return Sample(1.0, 0.0, 10.0, "backward", 100.0, left_s)


def test_segment_start_says_direction_speed_and_length() -> None:
    kmh = Narrator("kmh")
    start = SegmentStarted(1, "Bout", "backward", 1.5, 0.0, 30.0)
    utterance = one(kmh, start)
    assert utterance.text == "Backward, one point five kilometres an hour, for thirty seconds."
    assert utterance.kind == "segment"
    assert utterance.priority is Priority.SEGMENT
    mph = one(Narrator("mph"), SegmentStarted(2, "Climb", "backward", 6.4, 8.0, 120.0))
    assert mph.text == "Backward, four miles an hour, incline eight percent, for two minutes."


def test_turn_warning_counts_the_runners_lead() -> None:
    narrator = Narrator(turn_warning_s=5.0)
    said(narrator, SegmentStarted(0, "Warm", "forward", 3.0, 0.0, 180.0))
    warning = one(narrator, Turnaround("warning", "forward", "backward", 0.8, "..."), 175.0)
    assert warning.text == "Turn coming in five seconds, hands on the rails."
    assert warning.priority is Priority.BELT
    # A segment shorter than the warning setting: the runner warns at its start.
    said(narrator, SegmentStarted(1, "Short", "backward", 0.8, 0.0, 3.0))
    short = one(narrator, Turnaround("warning", "backward", "forward", 0.8, "..."), 200.0)
    assert (
        short.text == turn_warning_text(3) == ("Turn coming in three seconds, hands on the rails.")
    )


def test_countdown_numbers_are_short_and_go_stale_before_the_next() -> None:
    narrator = Narrator()
    four = one(narrator, Countdown("slowing for the turn", 4), 10.0)
    assert four.text == "Four."
    assert four.kind == "countdown"
    assert four.group == "countdown"
    assert four.expires_at == 10.0 + FRESH_COUNTDOWN_S < 11.0
    other = one(Narrator(), Countdown("segment ends", 3), 0.0)
    assert other.text == "Segment ends in three seconds."


def test_turn_now_comes_with_its_tone_and_cuts_in() -> None:
    narrator = Narrator()
    turn_now = one(narrator, Turnaround("turn_now", "forward", "backward", 0.8, "..."), 50.0)
    assert turn_now.text == turn_now_text("backward") == "Turn around now, face backward."
    assert turn_now.earcon is Earcon.TURN_NOW
    assert turn_now.urgent
    # The runner's own "Turn around now" cue right after it is not said twice...
    assert (
        said(narrator, CueEvent("Turn around now: face backward, hands on the rails."), 50.0) == []
    )
    # ...but a cue of the profile's later on is.
    later = one(narrator, CueEvent("Turn around now and smile.", 3), 80.0)
    assert later.kind == "cue"


def test_every_turn_phase_is_said_except_done() -> None:
    narrator = Narrator()
    texts = {
        phase: [u.text for u in said(narrator, Turnaround(phase, "forward", "backward", 0.8))]
        for phase in ("slowing", "waiting_for_confirm", "speeding_up", "done")
    }
    assert texts == {
        "slowing": ["Slowing down for the turn."],
        "waiting_for_confirm": ["Press Enter when you have turned."],
        "speeding_up": ["Speeding up, gently."],
        "done": [],
    }


def test_halfway_and_last_ten_seconds_come_from_the_samples() -> None:
    narrator = Narrator()
    said(narrator, SegmentStarted(0, "Long", "backward", 1.0, 0.0, 120.0))
    assert said(narrator, sample(61.0)) == []
    assert [u.text for u in said(narrator, sample(59.6))] == [HALFWAY_TEXT]
    assert said(narrator, sample(58.6)) == []  # once
    assert said(narrator, sample(10.4)) == []
    assert [u.text for u in said(narrator, sample(9.4))] == [LAST_TEN_TEXT]
    assert said(narrator, sample(8.4)) == []


def test_short_bouts_get_neither_and_late_marks_are_skipped() -> None:
    narrator = Narrator()
    said(narrator, SegmentStarted(0, "Bout", "backward", 0.8, 0.0, 20.0))
    assert said(narrator, sample(9.5)) == []  # 20 s: "last ten" would be its halfway
    said(narrator, SegmentStarted(1, "Walk", "forward", 3.0, 0.0, 60.0))
    assert said(narrator, sample(25.0)) == []  # halfway seen 5 s late: not said
    assert said(narrator, sample(5.0)) == []  # last ten seen 5 s late: not said


def test_safety_alerts_stop_and_holds() -> None:
    narrator = Narrator("mph")
    alert = one(narrator, SafetyAlert("H2", "ceiling", "3 km/h is your backward ceiling"))
    assert alert.text == "one point nine miles an hour is your backward ceiling"
    assert (alert.kind, alert.priority, alert.earcon) == ("safety", Priority.SAFETY, Earcon.ALERT)
    stop = one(narrator, UserAction("stop"))
    assert (stop.text, stop.earcon, stop.urgent) == ("Stopping the belt.", Earcon.STOP, True)
    paused = one(narrator, Paused("paused by you"))
    assert paused.text == "Paused. Press r to go on."
    assert paused.earcon is Earcon.STOP
    held = one(narrator, Paused("link lost", needs_confirm=True))
    assert held.text == "Paused. Press Enter when you are ready to go on."
    assert one(narrator, Resumed()).text == "Going on."
    assert said(narrator, UserAction("confirm")) == []


def test_the_summary() -> None:
    done = Summary(1230.0, 1200.0, 1234.0, 300.0, 80.0, 60.0, 0, True, "completed")
    completed = one(Narrator(), Finished(done))
    assert completed.text == (
        "In all: twenty minutes, one point two kilometres, five minutes of it backward."
    )
    assert completed.earcon is None  # it follows the runner's "Workout done" cue
    ended = Summary(95.0, 90.0, 40.0, 0.0, 0.0, None, 1, False, "safety key")
    early = one(Narrator(), Finished(ended))
    assert (
        early.text == "Workout ended: safety key. In all: one minute thirty seconds, forty metres."
    )
    assert early.earcon is Earcon.STOP
    assert early.priority < completed.priority


def test_kinds_choose_what_is_said_but_safety_and_turns_always_are() -> None:
    narrator = Narrator(kinds=("segment",))
    assert said(narrator, CueEvent("Stand tall.", 0)) == []
    assert said(narrator, Countdown("slowing for the turn", 3)) == []
    assert said(narrator, Paused("paused by you")) == []
    assert len(said(narrator, SegmentStarted(0, "A", "forward", 3.0, 0.0, 60.0))) == 1
    assert len(said(narrator, SafetyAlert("H6", "link_lost", "Lost the link."))) == 1
    assert len(said(narrator, Turnaround("turn_now", "forward", "backward", 0.8))) == 1


def test_expected_phrases_cover_the_turns_and_segments_of_a_profile() -> None:
    settings = load_settings("/nonexistent/config.toml")
    timeline = plan(load_profile("balance-confirm"), settings)
    narrator = Narrator(turn_warning_s=timeline.limits.turn_warning_s)
    expected = narrator.expected(timeline)
    texts = [text for _, text in expected]
    assert len(texts) == len(set(texts))
    lead_s = math.ceil(timeline.limits.turn_warning_s)
    assert lead_s == 8  # this profile warns earlier than the default 5 s
    assert texts[0] == turn_warning_text(lead_s)  # the most time-critical first
    for phrase in ("Eight.", "One.", "Press Enter when you have turned."):
        assert phrase in texts
    assert (Earcon.TURN_NOW, "Turn around now, face backward.") in expected
    assert (Earcon.TURN_NOW, "Turn around now, face forward.") in expected
    for step in timeline.segments():
        assert (
            narrator.utterances(
                SegmentStarted(
                    0, step.label, step.facing, step.speed_kmh, step.incline_pct, step.duration_s
                ),
                0.0,
            )[0].text
            in texts
        )


def test_advice_is_said_like_a_turn_and_a_stop_is_never_claimed_in_advisory_mode() -> None:
    narrator = Narrator("mph", kinds=("segment",))  # turns and safety are always said
    stopping = one(narrator, UserAction("stop"))
    assert stopping.text == "Stopping the belt."  # treadctl stops it: it may say so
    intro = SafetyAlert("H5", "advisory_mode", "Advisory mode: ...", needs_ack=True)
    assert one(narrator, intro).earcon is Earcon.ALERT
    advice = one(narrator, Advice("Set 3.2 km/h at the console.", 3.2), 5.0)
    assert advice.text == "Set two miles an hour at the console."
    assert advice.priority is Priority.BELT
    assert advice.group == "advice"
    stop = one(narrator, UserAction("stop"), 6.0)
    assert stop.text == "Stop the belt at the console, or pull the safety key."
    assert stop.priority is Priority.SAFETY
