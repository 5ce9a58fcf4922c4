"""The fleet model on its own (no broker): who is there, who needs a person, in what order."""

from __future__ import annotations

import json
from typing import Any

import pytest

from treadctl.watch.fleet import (
    ALERT_RECENT_S,
    HISTORY_POINTS,
    SILENT_S,
    Fleet,
    Treadmill,
    natural_key,
)

WALL = 1_800_000_000.0  # Unix time "now" in these tests


def state(**fields: Any) -> bytes:
    data = {
        "ts": WALL,
        "seq": 1,
        "workout_state": "running",
        "profile": "first-steps",
        "segment": "Warm-up",
        "facing": "forward",
        "speed_kmh": 3.0,
        "incline_pct": 0.0,
        "segment_left_s": 40.0,
        "link_connected": True,
        "safety_alerts": 0,
        "awaiting_confirm": False,
        "last_alert": None,
    }
    data.update(fields)
    return json.dumps(data).encode()


def event(event_type: str, **fields: Any) -> bytes:
    return json.dumps({"type": event_type, "ts": WALL, **fields}).encode()


def fleet_with(*devices: str, **fields: Any) -> Fleet:
    fleet = Fleet()
    for device in devices:
        fleet.handle(f"treadctl/{device}/availability", b"online", now_s=0.0)
        fleet.handle(f"treadctl/{device}/state", state(**fields), now_s=0.0)
    fleet.link_up(0.0)
    return fleet


def one(fleet: Fleet, device: str = "lane-1") -> Treadmill:
    return fleet.treadmills[device]


def test_states_availability_and_events_make_a_treadmill() -> None:
    fleet = Fleet()
    assert fleet.handle("treadctl/lane-1/state", state(name="Lane 1"), now_s=1.0) is not None
    fleet.handle("treadctl/lane-1/availability", b"online", now_s=1.0)
    fleet.handle("treadctl/lane-1/event", event("cue", text="Stand tall."), now_s=1.5)
    treadmill = one(fleet)
    assert treadmill.name == "Lane 1"
    assert treadmill.active
    assert treadmill.state_at_s == 1.0
    assert [e.text for e in treadmill.events] == ["Cue: Stand tall."]
    assert fleet.stats.states == fleet.stats.events == fleet.stats.availability == 1


def test_other_topics_are_ignored_and_bad_ids_counted() -> None:
    fleet = Fleet()
    assert fleet.handle("treadctl/lane-1/cmd/stop", b"PRESS", now_s=0.0) is None
    assert fleet.handle("treadctl/lane-1/discovery", b"{}", now_s=0.0) is None
    assert fleet.handle("homeassistant/status", b"online", now_s=0.0) is None
    assert fleet.handle("treadctl/LANE 1/state", state(), now_s=0.0) is None
    assert fleet.stats.ignored == 3
    assert fleet.stats.malformed == 1
    assert not fleet.treadmills


def test_an_emptied_retained_topic_forgets_the_treadmill() -> None:
    fleet = fleet_with("lane-1", "lane-2")
    fleet.handle("treadctl/lane-1/state", b"", now_s=1.0)
    assert "lane-1" in fleet.treadmills  # availability is still there
    fleet.handle("treadctl/lane-1/availability", b"", now_s=1.0)
    assert list(fleet.treadmills) == ["lane-2"]
    assert fleet.handle("treadctl/lane-9/state", b"", now_s=1.0) is None
    assert list(fleet.treadmills) == ["lane-2"]


def test_a_gap_in_seq_is_counted_and_a_new_run_starts_a_new_chart() -> None:
    fleet = Fleet()
    for seq in (1, 2, 5, 6):
        fleet.handle("treadctl/lane-1/state", state(seq=seq, ts=WALL + seq), now_s=seq)
    assert fleet.stats.seq_gaps == 2
    assert len(one(fleet).history) == 4
    fleet.handle("treadctl/lane-1/state", state(seq=1, ts=WALL + 100), now_s=100.0)
    assert [p.ts for p in one(fleet).history] == [WALL + 100]
    assert fleet.stats.seq_gaps == 2


def test_the_chart_keeps_the_last_points_only() -> None:
    fleet = Fleet()
    for seq in range(1, HISTORY_POINTS + 11):
        fleet.handle("treadctl/lane-1/state", state(seq=seq, ts=WALL + seq), now_s=seq)
    history = one(fleet).history
    assert len(history) == HISTORY_POINTS
    assert history[0].ts == WALL + 11


def test_names_sort_the_way_people_count() -> None:
    names = ["lane-10", "lane-2", "Lane-1", "desk", "lane-1b"]
    assert sorted(names, key=natural_key) == ["desk", "Lane-1", "lane-1b", "lane-2", "lane-10"]


def test_those_needing_a_person_come_first_then_in_use_then_the_rest() -> None:
    fleet = fleet_with("lane-1", "lane-2", "lane-3", "lane-10")
    fleet.handle("treadctl/lane-1/state", state(workout_state="finished"), now_s=1.0)
    fleet.handle("treadctl/lane-1/availability", b"offline", now_s=1.0)
    fleet.handle(
        "treadctl/lane-10/state",
        state(workout_state="paused", awaiting_confirm=True, paused_reason="link lost"),
        now_s=1.0,
    )
    fleet.check(now_s=1.0, wall_s=WALL)
    order = [t.device_id for t in fleet.ordered()]
    assert order == ["lane-10", "lane-2", "lane-3", "lane-1"]
    assert one(fleet, "lane-10").reasons == ("hold",)


def test_a_lost_link_to_the_treadmill_needs_a_person() -> None:
    fleet = fleet_with("lane-1", link_connected=False)
    fleet.check(now_s=1.0, wall_s=WALL)
    assert one(fleet).reasons == ("no_link",)


def test_treadctl_going_offline_mid_workout_needs_a_person_but_after_the_end_not() -> None:
    fleet = fleet_with("lane-1", "lane-2")
    # lane-1's treadctl vanished (the broker sent its last will) in the middle of a workout.
    fleet.handle("treadctl/lane-1/availability", b"offline", now_s=2.0)
    # lane-2 finished, then said offline itself.
    fleet.handle("treadctl/lane-2/state", state(workout_state="finished", seq=2), now_s=2.0)
    fleet.handle("treadctl/lane-2/availability", b"offline", now_s=2.0)
    fleet.check(now_s=2.0, wall_s=WALL)
    assert one(fleet, "lane-1").reasons == ("offline",)
    assert one(fleet, "lane-2").reasons == ()
    assert not one(fleet, "lane-1").active


def test_silence_needs_a_person_only_while_the_watch_itself_is_connected() -> None:
    fleet = fleet_with("lane-1")
    fleet.check(now_s=SILENT_S - 1, wall_s=WALL)
    assert one(fleet).reasons == ()
    fleet.check(now_s=SILENT_S + 1, wall_s=WALL)
    assert one(fleet).reasons == ("silent",)
    # The watch lost the broker itself: that is the header's news, not every tile's.
    fleet.link_down()
    fleet.check(now_s=SILENT_S + 2, wall_s=WALL)
    assert one(fleet).reasons == ()
    fleet.link_up(SILENT_S + 3)
    fleet.check(now_s=SILENT_S + 4, wall_s=WALL)
    assert one(fleet).reasons == ()
    # A state arrives: not silent any more.
    fleet.handle("treadctl/lane-1/state", state(seq=2), now_s=2 * SILENT_S + 5)
    fleet.check(now_s=2 * SILENT_S + 6, wall_s=WALL)
    assert one(fleet).reasons == ()


def test_a_recent_alert_needs_a_person_until_acknowledged_or_old() -> None:
    alert = {"hazard": "H9", "kind": "heart_rate", "message": "Heart rate high", "ts": WALL}
    fleet = fleet_with("lane-1", last_alert=alert)
    fleet.check(now_s=1.0, wall_s=WALL + 1)
    assert one(fleet).reasons == ("alert",)
    fleet.check(now_s=1.0, wall_s=WALL + ALERT_RECENT_S + 1)
    assert one(fleet).reasons == ()
    fleet.check(now_s=1.0, wall_s=WALL + 2)
    assert fleet.acknowledge("lane-1")
    fleet.check(now_s=1.0, wall_s=WALL + 3)
    assert one(fleet).reasons == ()
    # The same alert again on the event topic (a few ms apart) stays acknowledged ...
    fleet.handle(
        "treadctl/lane-1/event",
        event("safety", hazard="H9", kind="heart_rate", message="Heart rate high", ts=WALL + 0.01),
        now_s=1.0,
    )
    fleet.check(now_s=1.0, wall_s=WALL + 3)
    assert one(fleet).reasons == ()
    # ... a new one does not.
    fleet.handle(
        "treadctl/lane-1/event",
        event("safety", hazard="H7", kind="safety_key", message="Safety key", ts=WALL + 5),
        now_s=6.0,
    )
    alarms = fleet.check(now_s=6.0, wall_s=WALL + 6)
    assert one(fleet).reasons == ("alert",)
    assert [a.device_id for a in alarms] == ["lane-1"]
    assert "Safety key" in alarms[0].text


def test_calm_alerts_need_nobody() -> None:
    alert = {"hazard": "H2", "kind": "ceiling", "message": "3 km/h is your ceiling", "ts": WALL}
    fleet = fleet_with("lane-1", last_alert=alert)
    fleet.check(now_s=1.0, wall_s=WALL + 1)
    assert one(fleet).reasons == ()
    assert one(fleet).last_alert is not None


def test_holds_and_lost_links_are_not_acknowledged_away() -> None:
    fleet = fleet_with("lane-1", workout_state="paused", awaiting_confirm=True)
    fleet.check(now_s=1.0, wall_s=WALL)
    assert not fleet.acknowledge("lane-1")
    fleet.check(now_s=2.0, wall_s=WALL)
    assert one(fleet).reasons == ("hold",)
    # The person confirmed at the treadmill: the hold is over.
    fleet.handle("treadctl/lane-1/state", state(seq=2), now_s=3.0)
    fleet.check(now_s=3.0, wall_s=WALL)
    assert one(fleet).reasons == ()


def test_an_offline_treadmill_can_be_acknowledged_until_it_comes_back() -> None:
    fleet = fleet_with("lane-1")
    fleet.handle("treadctl/lane-1/availability", b"offline", now_s=1.0)
    fleet.check(now_s=1.0, wall_s=WALL)
    assert fleet.acknowledge("lane-1")
    fleet.check(now_s=2.0, wall_s=WALL)
    assert one(fleet).reasons == ()
    fleet.handle("treadctl/lane-1/availability", b"online", now_s=3.0)
    fleet.handle("treadctl/lane-1/availability", b"offline", now_s=4.0)
    fleet.check(now_s=4.0, wall_s=WALL)
    assert one(fleet).reasons == ("offline",)


def test_alarms_come_once_per_new_reason() -> None:
    fleet = fleet_with("lane-1", "lane-2")
    assert fleet.check(now_s=1.0, wall_s=WALL) == []
    fleet.handle("treadctl/lane-2/state", state(link_connected=False, seq=2), now_s=2.0)
    (alarm,) = fleet.check(now_s=2.0, wall_s=WALL)
    assert (alarm.device_id, alarm.reasons) == ("lane-2", ("no_link",))
    assert alarm.text == "lane-2: lost its link to the treadmill."
    assert fleet.check(now_s=3.0, wall_s=WALL) == []
    fleet.handle(
        "treadctl/lane-2/state",
        state(link_connected=False, workout_state="paused", awaiting_confirm=True, seq=3),
        now_s=4.0,
    )
    (again,) = fleet.check(now_s=4.0, wall_s=WALL)
    assert again.reasons == ("no_link", "hold")


def test_a_command_is_matched_with_its_answer() -> None:
    fleet = fleet_with("lane-1")
    note = fleet.note_command("lane-1", "stop", WALL)
    assert one(fleet).last_command is note
    assert note.accepted is None
    fleet.handle(
        "treadctl/lane-1/event",
        event("remote_command", name="pause", accepted=True, reason="pausing", retained=False),
        now_s=1.0,
    )
    assert note.accepted is None  # an answer to another command
    fleet.handle(
        "treadctl/lane-1/event",
        event("remote_command", name="stop", accepted=True, reason="stopping the belt"),
        now_s=1.0,
    )
    assert note.accepted is True
    assert "stopping the belt" in note.reason


@pytest.mark.parametrize("payload", [b"maybe", b"ONLINE!"])
def test_availability_is_online_or_offline(payload: bytes) -> None:
    fleet = Fleet()
    assert fleet.handle("treadctl/lane-1/availability", payload, now_s=0.0) is None
    assert fleet.stats.malformed == 1
    assert "availability" in fleet.stats.last_problem


def test_a_version_grows_with_every_change() -> None:
    fleet = fleet_with("lane-1")
    before = one(fleet).version
    fleet.handle("treadctl/lane-1/state", state(seq=2), now_s=1.0)
    assert one(fleet).version > before
    fleet.handle("treadctl/lane-1/state", b"not json", now_s=1.0)
    assert fleet.stats.malformed == 1
