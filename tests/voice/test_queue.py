"""The speech queue: most urgent first, stale words dropped, never piling up."""

from __future__ import annotations

from treadctl.config import VoiceKind
from treadctl.voice.queue import MAX_WAITING, DropReason, SpeechQueue
from treadctl.voice.utterance import Earcon, Priority, Utterance


def utt(
    text: str,
    priority: Priority = Priority.CUE,
    at: float = 0.0,
    fresh_s: float = 10.0,
    *,
    kind: VoiceKind = "cue",
    group: str | None = None,
    urgent: bool = False,
) -> Utterance:
    return Utterance(kind, text, priority, at, at + fresh_s, group=group, urgent=urgent)


class Drops:
    def __init__(self) -> None:
        self.seen: list[tuple[str, DropReason]] = []

    def __call__(self, utterance: Utterance, reason: DropReason) -> None:
        self.seen.append((utterance.text, reason))


def test_most_urgent_first_then_oldest_first() -> None:
    queue = SpeechQueue()
    queue.put(utt("cue 1", at=0.0), 0.0)
    queue.put(utt("segment", Priority.SEGMENT, at=0.1, kind="segment"), 0.1)
    queue.put(utt("cue 2", at=0.2), 0.2)
    queue.put(utt("alert", Priority.SAFETY, at=0.3, kind="safety"), 0.3)
    queue.put(utt("turn", Priority.BELT, at=0.4, kind="turn"), 0.4)
    order = [queue.pop(0.5) for _ in range(5)]
    assert [u.text for u in order if u] == ["alert", "turn", "segment", "cue 1", "cue 2"]
    assert queue.pop(0.5) is None


def test_a_stale_countdown_is_dropped_never_said_late() -> None:
    drops = Drops()
    queue = SpeechQueue(on_drop=drops)
    queue.put(utt("Four.", Priority.BELT, at=1.0, fresh_s=0.75, group="countdown"), 1.0)
    assert queue.pop(1.8) is None
    assert drops.seen == [("Four.", "stale")]
    assert queue.dropped == {"stale": 1}


def test_a_newer_number_replaces_the_one_still_waiting() -> None:
    drops = Drops()
    queue = SpeechQueue(on_drop=drops)
    queue.put(utt("Three.", Priority.BELT, at=2.0, fresh_s=0.75, group="countdown"), 2.0)
    queue.put(utt("Two.", Priority.BELT, at=2.5, fresh_s=0.75, group="countdown"), 2.5)
    popped = queue.pop(2.6)
    assert popped is not None
    assert popped.text == "Two."
    assert drops.seen == [("Three.", "superseded")]


def test_the_same_words_twice_wait_once() -> None:
    drops = Drops()
    queue = SpeechQueue(on_drop=drops)
    queue.put(utt("Hands on the rails."), 0.0)
    queue.put(utt("Hands on the rails.", at=0.5), 0.5)
    assert len(queue) == 1
    assert drops.seen == [("Hands on the rails.", "duplicate")]


def test_a_flood_never_piles_up_and_keeps_what_matters() -> None:
    drops = Drops()
    queue = SpeechQueue(on_drop=drops)
    queue.put(utt("Belt stopped.", Priority.SAFETY, kind="safety"), 0.0)
    for i in range(1000):
        queue.put(utt(f"cue {i}", at=i * 0.001), i * 0.001)
        assert len(queue) <= MAX_WAITING
    assert "Belt stopped." in [u.text for u in queue.waiting]
    # The oldest of the least urgent went first: the newest cues are what is left.
    cues = [u.text for u in queue.waiting if u.kind == "cue"]
    assert cues == [f"cue {i}" for i in range(1000 - (MAX_WAITING - 1), 1000)]
    assert queue.dropped["queue full"] == 1000 - (MAX_WAITING - 1)


def test_what_cuts_in() -> None:
    cue = utt("cue")
    segment = utt("segment", Priority.SEGMENT, kind="segment")
    warning = utt("Turn coming", Priority.BELT, kind="turn", group="turn")
    turn_now = utt("Turn around now", Priority.BELT, kind="turn", group="turn", urgent=True)
    alert = Utterance("safety", "Link lost", Priority.SAFETY, 0, 30, earcon=Earcon.ALERT)
    stop = Utterance("safety", "Stopping", Priority.SAFETY, 0, 30, urgent=True)
    assert alert.interrupts(cue)
    assert alert.interrupts(warning)
    assert alert.interrupts(turn_now)
    assert not alert.interrupts(alert)
    assert stop.interrupts(alert)
    assert warning.interrupts(cue)
    assert warning.interrupts(segment)
    assert not warning.interrupts(warning)
    assert turn_now.interrupts(warning)
    assert not turn_now.interrupts(turn_now)
    # A segment start waits for a form cue to end; a cue never cuts in.
    assert not segment.interrupts(cue)
    assert not cue.interrupts(cue)


def test_drop_where_drops_what_matches_with_its_reason() -> None:
    drops = Drops()
    queue = SpeechQueue(on_drop=drops)
    queue.put(utt("a"), 0.0)
    queue.put(Utterance("turn", "Turn now", Priority.BELT, 0, 9, earcon=Earcon.TURN_NOW), 0.0)
    queue.put(utt("b"), 0.0)
    queue.drop_where(lambda u: u.earcon is None, "muted")
    assert [u.text for u in queue.waiting] == ["Turn now"]
    assert drops.seen == [("a", "muted"), ("b", "muted")]
