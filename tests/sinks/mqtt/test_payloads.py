"""Discovery configs, the H10 command policy, the rate limit and the outbox (no broker)."""

from __future__ import annotations

import itertools
import json
import re

import pytest

from treadctl.sinks.mqtt.commands import clean_name, decide
from treadctl.sinks.mqtt.discovery import DeviceInfo, discovery_messages
from treadctl.sinks.mqtt.publisher import EVENT_QUEUE_MAX, Publisher, RateLimiter
from treadctl.sinks.mqtt.settings import parse_mqtt_url
from treadctl.sinks.mqtt.state import WORKOUT_STATES, event_payload
from treadctl.sinks.mqtt.topics import Topics
from treadctl.workout.events import Command, Countdown, Paused, Sample, SegmentStarted
from treadctl.workout.runner import RunState

TOPICS = Topics("treadctl", "lane-1", "homeassistant")
DEVICE = DeviceInfo(name="Lane 1", model="simulated treadmill")


def configs(
    topics: Topics = TOPICS, *, remote_resume: bool = False
) -> dict[str, dict[str, object]]:
    return {
        topic: json.loads(payload)
        for topic, payload in discovery_messages(topics, DEVICE, remote_resume=remote_resume)
        if payload
    }


def by_key(found: dict[str, dict[str, object]]) -> dict[str, dict[str, object]]:
    return {topic.split("/")[-2]: config for topic, config in found.items()}


def test_every_entity_names_its_device_availability_and_a_stable_unique_id() -> None:
    found = configs()
    assert len(found) == 16
    for topic, config in found.items():
        component, node, key = topic.split("/")[1:4]
        assert topic == f"homeassistant/{component}/treadctl_lane-1/{key}/config"
        assert config["unique_id"] == f"treadctl_lane-1_{key}"
        assert config["availability_topic"] == "treadctl/lane-1/availability"
        assert (config["payload_available"], config["payload_not_available"]) == (
            "online",
            "offline",
        )
        device = config["device"]
        assert isinstance(device, dict)
        assert device["identifiers"] == ["treadctl_lane-1"]
        assert device["name"] == "Lane 1"
        assert re.fullmatch(r"[a-zA-Z0-9_-]+", node)


@pytest.mark.parametrize(
    ("key", "device_class", "state_class", "unit"),
    [
        ("speed_kmh", "speed", "measurement", "km/h"),
        ("incline_pct", None, "measurement", "%"),
        ("distance_m", "distance", "total_increasing", "m"),
        ("elapsed_s", "duration", "total_increasing", "s"),
        ("segment_left_s", "duration", "measurement", "s"),
        ("energy_kcal", "energy", "total_increasing", "kcal"),
        ("heart_rate_bpm", None, "measurement", "bpm"),
        ("backward_s", "duration", "total_increasing", "s"),
        ("backward_distance_m", "distance", "total_increasing", "m"),
        ("facing", "enum", None, None),
        ("workout_state", "enum", None, None),
        ("segment", None, None, None),
    ],
)
def test_sensors_use_home_assistant_classes_and_units(
    key: str, device_class: str | None, state_class: str | None, unit: str | None
) -> None:
    config = by_key(configs())[key]
    assert config.get("device_class") == device_class
    assert config.get("state_class") == state_class
    assert config.get("unit_of_measurement") == unit
    assert config["state_topic"] == "treadctl/lane-1/state"
    assert config["value_template"] == f"{{{{ value_json.{key} }}}}"


def test_enum_sensors_list_every_value_they_can_take() -> None:
    found = by_key(configs())
    assert found["workout_state"]["options"] == list(WORKOUT_STATES)
    assert found["facing"]["options"] == ["forward", "backward"]
    assert found["heart_rate_source"]["options"] == ["strap", "treadmill", "none"]
    assert found["heart_rate_source"]["value_template"] == (
        "{{ value_json.heart_rate_source or 'none' }}"
    )


def test_the_link_is_a_connectivity_binary_sensor() -> None:
    config = by_key(configs())["link_connected"]
    assert config["device_class"] == "connectivity"
    assert "value_json.link_connected" in str(config["value_template"])
    assert (config["payload_on"], config["payload_off"]) == ("ON", "OFF")


def test_buttons_send_to_the_command_topics_and_resume_only_when_enabled() -> None:
    found = by_key(configs())
    assert found["stop"]["command_topic"] == "treadctl/lane-1/cmd/stop"
    assert found["pause"]["command_topic"] == "treadctl/lane-1/cmd/pause"
    assert "resume" not in found
    removed = dict(discovery_messages(TOPICS, DEVICE, remote_resume=False))
    assert removed["homeassistant/button/treadctl_lane-1/resume/config"] == b""
    assert by_key(configs(remote_resume=True))["resume"]["command_topic"] == (
        "treadctl/lane-1/cmd/resume"
    )


def test_two_treadmills_never_share_a_unique_id_or_a_topic() -> None:
    one = configs()
    two = configs(Topics("treadctl", "lane-2", "homeassistant"))
    assert not set(one) & set(two)
    ids_one = {c["unique_id"] for c in one.values()}
    ids_two = {c["unique_id"] for c in two.values()}
    assert len(ids_one) == len(one)
    assert not ids_one & ids_two


def test_the_discovery_prefix_is_configurable() -> None:
    found = configs(Topics("gym", "lane-1", "ha"))
    assert all(topic.startswith("ha/") for topic in found)
    assert all(c["availability_topic"] == "gym/lane-1/availability" for c in found.values())


# -- H10 -----------------------------------------------------------------------------------


def running(name: str, **kw: object) -> tuple[bool, str]:
    options: dict[str, object] = {
        "retained": False,
        "remote_resume": False,
        "run_state": RunState.RUNNING,
        "needs_confirm": False,
        **kw,
    }
    d = decide(name, **options)  # type: ignore[arg-type]
    return d.accepted, d.reason


def test_stop_and_pause_are_accepted() -> None:
    assert running("stop")[0]
    assert running("pause")[0]
    assert running("STOP")[0]


@pytest.mark.parametrize(
    "name", ["start", "speed_up", "speed", "incline", "confirm", "adjust_speed", "resume"]
)
def test_nothing_that_starts_the_belt_or_raises_speed_is_accepted_by_default(name: str) -> None:
    accepted, reason = running(name)
    assert not accepted
    assert reason


def test_retained_commands_are_ignored_even_stop() -> None:
    accepted, reason = running("stop", retained=True)
    assert not accepted
    assert "retained" in reason


def test_resume_needs_the_setting_a_paused_workout_and_no_pending_confirmation() -> None:
    assert running("resume", remote_resume=True, run_state=RunState.PAUSED)[0]
    assert not running("resume", remote_resume=True, run_state=RunState.RUNNING)[0]
    accepted, reason = running(
        "resume", remote_resume=True, run_state=RunState.PAUSED, needs_confirm=True
    )
    assert not accepted
    assert "confirm" in reason


def test_nothing_is_accepted_without_a_running_workout() -> None:
    assert not running("pause", run_state=None)[0]
    assert not running("stop", run_state=RunState.FINISHED)[0]
    assert not running("pause", run_state=RunState.READY)[0]


def test_command_names_are_cleaned_before_they_are_logged() -> None:
    assert clean_name(" Stop\n") == "stop"
    assert clean_name("a\x00b c") == "a?b?c"
    assert len(clean_name("x" * 500)) == 40


# -- events, rate, outbox ---------------------------------------------------------------


def test_events_keep_their_session_log_form_and_chatty_ones_stay_off_the_topic() -> None:
    payload = event_payload(SegmentStarted(2, "Backward bout", "backward", 1.0, 0.0, 60.0))
    assert payload is not None
    assert payload["type"] == "segment_started"
    assert payload["label"] == "Backward bout"
    assert isinstance(payload["ts"], float)
    assert event_payload(Paused("paused by you"))
    assert event_payload(Sample(1.0, 0.0, 3.0, "forward", 1.0, 5.0)) is None
    assert event_payload(Countdown("turn", 3)) is None
    assert event_payload(Command("speed", 2.0)) is None


def test_the_rate_limiter_allows_the_rate_on_average_and_no_more() -> None:
    limiter = RateLimiter(1.0)
    sent = []
    t = 0.0
    while t < 100.0:  # data at 10 Hz
        if limiter.ready(t):
            limiter.take(t)
            sent.append(t)
        t = round(t + 0.1, 3)
    assert 99 <= len(sent) <= 101
    gaps = [b - a for a, b in itertools.pairwise(sent)]
    assert min(gaps) >= 0.75 - 1e-9


def test_data_at_the_state_rate_goes_out_on_every_tick_despite_jitter() -> None:
    limiter = RateLimiter(1.0)
    ticks = [k + (0.004 if k % 2 else -0.004) for k in range(1, 50)]
    sent = 0
    for t in ticks:
        if limiter.ready(t):
            limiter.take(t)
            sent += 1
    assert sent == len(ticks)


def test_ready_at_says_when_the_next_send_is_allowed() -> None:
    limiter = RateLimiter(2.0)
    limiter.take(0.0)
    limiter.take(0.0)
    assert not limiter.ready(0.1)
    assert limiter.ready_at(0.1) == pytest.approx(0.5)


def test_a_full_outbox_drops_its_oldest_events_and_counts_them() -> None:
    publisher = Publisher(
        parse_mqtt_url("mqtt://127.0.0.1"),
        TOPICS,
        build_state=dict,
        discovery=list,
        on_message=lambda *_: None,
        on_status=lambda *_: None,
        client_id="t",
    )
    for n in range(EVENT_QUEUE_MAX + 10):
        publisher.put_event({"type": "cue", "n": n})
    pending = publisher.pending_events
    assert len(pending) == EVENT_QUEUE_MAX
    assert pending[0]["n"] == 10
    assert pending[-1]["n"] == EVENT_QUEUE_MAX + 9
    assert publisher.stats.events_dropped == 10


def test_state_updates_replace_each_other_until_one_goes_out() -> None:
    publisher = Publisher(
        parse_mqtt_url("mqtt://127.0.0.1"),
        TOPICS,
        build_state=dict,
        discovery=list,
        on_message=lambda *_: None,
        on_status=lambda *_: None,
        client_id="t",
    )
    for _ in range(5):
        publisher.state_changed()
    assert publisher.stats.state_updates == 5
    assert publisher.stats.states_replaced == 4
