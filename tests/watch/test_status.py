"""Reading state and event payloads: tolerant of old publishers, strict about types."""

from __future__ import annotations

import json
from typing import Any

import pytest

from treadctl.watch.status import (
    MAX_LABEL_CHARS,
    MAX_PAYLOAD_BYTES,
    PayloadError,
    parse_event,
    parse_state,
)

#: A state as treadctl publishes it now (docs/mqtt.md has the same).
STATE: dict[str, Any] = {
    "ts": 1795258360.967,
    "seq": 6,
    "workout_state": "running",
    "profile": "mqtt-test",
    "segment": "Backward bout",
    "facing": "backward",
    "speed_kmh": 1.0,
    "incline_pct": 0.0,
    "distance_m": 6.0,
    "elapsed_s": 19.1,
    "segment_left_s": 5.0,
    "energy_kcal": 0.0,
    "heart_rate_bpm": 112,
    "backward_s": 6.9,
    "backward_distance_m": 1.0,
    "link_connected": True,
    "paused_reason": None,
    "safety_alerts": 1,
    "data_seq": 37,
    "name": "Lane 3",
    "awaiting_confirm": False,
    "last_alert": {
        "hazard": "H2",
        "kind": "ceiling",
        "message": "3 km/h is your backward ceiling",
        "needs_ack": False,
        "ts": 1795258358.5,
    },
}


def encoded(data: object) -> bytes:
    return json.dumps(data).encode()


def test_a_full_state_is_read_with_its_units() -> None:
    status = parse_state(encoded(STATE))
    assert status.ts == 1795258360.967
    assert status.seq == 6
    assert (status.workout_state, status.facing, status.segment) == (
        "running",
        "backward",
        "Backward bout",
    )
    assert (status.speed_kmh, status.segment_left_s, status.heart_rate_bpm) == (1.0, 5.0, 112)
    assert status.link_connected is True
    assert status.name == "Lane 3"
    assert status.last_alert is not None
    assert (status.last_alert.hazard, status.last_alert.kind) == ("H2", "ceiling")
    assert status.last_alert.ts == 1795258358.5
    assert not status.held
    assert not status.ended


def test_a_state_from_an_older_treadctl_lacks_the_new_fields() -> None:
    old = {k: v for k, v in STATE.items() if k not in ("name", "awaiting_confirm", "last_alert")}
    status = parse_state(encoded(old))
    assert status.name is None
    assert status.awaiting_confirm is False
    assert status.last_alert is None
    assert status.speed_kmh == 1.0


def test_unknown_fields_are_ignored_and_unknown_states_named_so() -> None:
    status = parse_state(encoded({**STATE, "workout_state": "dancing", "future_field": [1]}))
    assert status.workout_state == "unknown"


def test_a_hold_is_paused_and_waiting_for_the_person() -> None:
    held = parse_state(encoded({**STATE, "workout_state": "paused", "awaiting_confirm": True}))
    paused = parse_state(encoded({**STATE, "workout_state": "paused"}))
    turning = parse_state(encoded({**STATE, "workout_state": "turning", "awaiting_confirm": True}))
    assert held.held
    assert not paused.held
    assert not turning.held  # a turn waiting for its confirmation is part of the workout


@pytest.mark.parametrize(
    ("payload", "why"),
    [
        (b"not json", "not JSON"),
        (b"\xff\xfe", "not JSON"),
        (b"[1, 2]", "not a JSON object"),
        (encoded({**STATE, "speed_kmh": "fast"}), "speed_kmh is not a number"),
        (encoded({**STATE, "speed_kmh": True}), "speed_kmh is not a number"),
        (b'{"ts": NaN}', "ts is not finite"),
        (b'{"ts": Infinity}', "ts is not finite"),
        (encoded({**STATE, "link_connected": "yes"}), "link_connected is not true or false"),
        (encoded({**STATE, "facing": "sideways"}), "facing is neither"),
        (encoded({**STATE, "segment": 3}), "segment is not text"),
        (encoded({**STATE, "last_alert": "H2"}), "an alert is not a JSON object"),
        (b"{" + b" " * MAX_PAYLOAD_BYTES + b"}", "too big"),
    ],
)
def test_a_payload_that_is_not_a_state_says_why(payload: bytes, why: str) -> None:
    with pytest.raises(PayloadError, match=why):
        parse_state(payload)


def test_text_loses_control_characters_and_is_cut_to_a_tile() -> None:
    status = parse_state(encoded({**STATE, "name": "Lane\x1b[2J\x07 3", "segment": "x" * 500}))
    assert status.name == "Lane [2J  3"  # each run of control characters is one space
    assert status.segment is not None
    assert len(status.segment) == MAX_LABEL_CHARS
    assert status.segment.endswith("…")


@pytest.mark.parametrize(
    ("event", "text"),
    [
        (
            {"type": "workout_started", "profile": "p", "title": "First steps", "total_s": 780,
             "backward_s": 180, "steps": 9},
            "Started First steps (13:00, 3:00 backward)",
        ),
        (
            {"type": "segment_started", "index": 1, "label": "Backward bout",
             "facing": "backward", "speed_kmh": 1.5, "incline_pct": 0, "duration_s": 30},
            "Segment: Backward bout, backward at 1.5 km/h for 0:30",
        ),
        (
            {"type": "turnaround", "phase": "turn_now", "from_facing": "forward",
             "to_facing": "backward", "speed_kmh": 0.8, "message": "Turn around now."},
            "Turn (turn now): Turn around now.",
        ),
        ({"type": "cue", "text": "Stand tall."}, "Cue: Stand tall."),
        ({"type": "paused", "reason": "paused by you"}, "Paused: paused by you"),
        ({"type": "resumed"}, "Resumed"),
        (
            {"type": "finished", "summary": {"completed": True, "reason": "completed",
                                             "distance_m": 1234.0}},
            "Finished: completed, 1.23 km",
        ),
        (
            {"type": "finished", "summary": {"completed": False, "reason": "remote stop (MQTT)",
                                             "distance_m": 10.0}},
            "Finished: ended early (remote stop (MQTT)), 0.01 km",
        ),
        ({"type": "something_new"}, "something new"),
    ],
)  # fmt: skip
def test_events_are_said_in_words(event: dict[str, Any], text: str) -> None:
    parsed = parse_event(encoded({**event, "ts": 1795258357.0}))
    assert parsed.type == event["type"]
    assert parsed.ts == 1795258357.0
    assert parsed.text == text


def test_a_safety_event_carries_its_alert() -> None:
    parsed = parse_event(
        encoded({"type": "safety", "hazard": "H6", "kind": "link_lost", "message": "Link lost.",
                 "needs_ack": True, "ts": 10.0})
    )  # fmt: skip
    assert parsed.alert is not None
    assert (parsed.alert.hazard, parsed.alert.kind, parsed.alert.needs_ack) == (
        "H6",
        "link_lost",
        True,
    )
    assert parsed.text == "⚠ H6 link lost: Link lost."


def test_a_remote_command_answer_is_read() -> None:
    parsed = parse_event(
        encoded({"type": "remote_command", "name": "stop", "accepted": True,
                 "reason": "stopping the belt", "retained": False, "ts": 3.0})
    )  # fmt: skip
    assert (parsed.command, parsed.accepted) == ("stop", True)
    assert parsed.text == "Remote stop: accepted (stopping the belt)"


@pytest.mark.parametrize("payload", [b"{}", b'{"type": ""}', b'{"type": 3}', b"null"])
def test_an_event_needs_a_type(payload: bytes) -> None:
    with pytest.raises(PayloadError):
        parse_event(payload)
