"""A broker that dies, restarts, stalls or refuses never touches the workout."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.sinks.mqtt.brokers import Broker, Certificates, free_port
from tests.sinks.mqtt.helpers import (
    mqtt_for,
    run_with,
    start_workout,
    subscribed,
    write_profile,
)
from treadctl.cli import main
from treadctl.sinks.mqtt import publisher
from treadctl.sinks.mqtt.settings import parse_mqtt_url

ROOT = "treadctl/treadctl-sim"
PASSWORD = "correct-Horse-7391"
WRONG_PASSWORD = "wrong-Battery-5820"


async def test_a_killed_process_leaves_offline_through_its_last_will(
    broker: Broker, tmp_path: Path
) -> None:
    profile = write_profile(tmp_path)
    env = {
        **os.environ,
        "TREADCTL_DATA_DIR": str(tmp_path / "data"),
        "TREADCTL_CONFIG": str(tmp_path / "none.toml"),
    }
    async with subscribed(broker, f"{ROOT}/availability", f"{ROOT}/event") as sub:
        command = ["replay", str(profile), "--time-factor", "1", "--mqtt", broker.url]
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "treadctl",
            *command,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            await sub.wait_for(
                lambda: [m.text for m in sub.on(f"{ROOT}/availability")] == ["online"], "online"
            )
            process.send_signal(signal.SIGKILL)
            await process.wait()
            await sub.wait_for(
                lambda: [m.text for m in sub.on(f"{ROOT}/availability")] == ["online", "offline"],
                "offline from the last will",
            )
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
    assert not any(e["type"] == "finished" for e in sub.payloads(f"{ROOT}/event"))
    # The will is retained: whoever looks later sees the treadmill offline.
    async with subscribed(broker, f"{ROOT}/availability") as late:
        await late.wait_for(lambda: bool(late.messages), "the retained availability")
    assert late.messages[0].text == "offline"
    assert late.messages[0].retain


@pytest.fixture
def quick_reconnects(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retry after 0.2 s rather than 1 s, so a short test workout outlasts the outage."""
    monkeypatch.setattr(publisher, "BACKOFF_INITIAL_S", 0.2)


@pytest.mark.usefixtures("quick_reconnects")
async def test_a_broker_restart_mid_workout_changes_nothing_and_publishing_resumes(
    broker: Broker, tmp_path: Path
) -> None:
    # Long enough (about 4 s) to outlast the outage, amqtt's start-up included.
    workout = start_workout(tmp_path, mqtt_for(broker, state_rate_hz=10), speed=8)
    async with subscribed(broker, f"{ROOT}/state") as before:
        await before.wait_for(lambda: len(before.on(f"{ROOT}/state")) >= 2, "states")
        broker.stop()  # the subscriber loses the broker too
    last_seq_before = before.payloads(f"{ROOT}/state")[-1]["seq"]
    await asyncio.sleep(0.3)
    # The broker keeps nothing (no persistence): whatever arrives now was sent again.
    await asyncio.to_thread(broker.start)
    async with subscribed(broker, "#") as after:
        await after.wait_for(
            lambda: any(s["seq"] > last_seq_before + 1 for s in after.payloads(f"{ROOT}/state")),
            "states again",
        )
        run = await workout.finish()
        await after.wait_for(
            lambda: any(e["type"] == "finished" for e in after.payloads(f"{ROOT}/event")),
            "finished",
        )
    summary = run.result.summary
    assert summary.completed
    assert summary.reason == "completed"
    assert summary.safety_events == 0
    assert len(after.matching("homeassistant/")) >= 16
    assert after.on(f"{ROOT}/availability")[0].text == "online"
    stats = workout.sink.stats
    assert stats is not None
    assert stats.connects == 2
    assert stats.events_dropped == 0
    # The session log is whole, and says what happened to the broker.
    statuses = [line["status"] for line in run.log_of("mqtt")]
    assert statuses == ["connected", "lost", "reconnected"]
    assert run.log_of("finished")
    lost, back = (n for n in run.notices if "lost" in n or "again" in n)
    assert "the workout goes on" in lost
    assert "again" in back


@pytest.mark.usefixtures("quick_reconnects")
async def test_events_from_while_the_broker_was_away_arrive_after_it_is_back(
    broker: Broker, tmp_path: Path
) -> None:
    workout = start_workout(tmp_path, mqtt_for(broker), speed=12)
    async with subscribed(broker, f"{ROOT}/event") as before:
        await before.wait_for(lambda: bool(before.payloads(f"{ROOT}/event")), "an event")
        # Held (as by the pause key) while the broker is away, so the workout is still
        # on when the subscriber is back; its pause and resume are events too.
        workout.runner.pause()
        broker.stop()
    await asyncio.sleep(0.4)
    await asyncio.to_thread(broker.start)
    async with subscribed(broker, f"{ROOT}/event") as after:
        workout.runner.resume()
        run = await workout.finish()
        await after.wait_for(
            lambda: any(e["type"] == "finished" for e in after.payloads(f"{ROOT}/event")),
            "finished",
        )
    seen = before.payloads(f"{ROOT}/event") + after.payloads(f"{ROOT}/event")
    labels = [e["label"] for e in seen if e["type"] == "segment_started"]
    assert labels == ["Warm-up", "Backward bout", "Cool-down"]
    assert "paused" in [e["type"] for e in after.payloads(f"{ROOT}/event")]
    assert run.result.summary.completed


async def test_no_broker_at_all_the_workout_runs_and_one_line_says_so(tmp_path: Path) -> None:
    mqtt = parse_mqtt_url(f"mqtt://127.0.0.1:{free_port()}")
    run = await run_with(tmp_path, mqtt, speed=20)
    assert run.result.summary.completed
    assert len(run.notices) == 1
    assert "cannot reach the broker" in run.notices[0]
    assert "the workout goes on" in run.notices[0]
    assert [line["status"] for line in run.log_of("mqtt")] == ["unreachable"]


@pytest.mark.skipif(sys.platform == "win32", reason="SIGSTOP")
async def test_a_stalled_broker_does_not_hold_up_the_workout(
    broker: Broker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(publisher, "CLOSE_TIMEOUT_S", 0.5)
    workout = start_workout(tmp_path, mqtt_for(broker, state_rate_hz=10), speed=20)
    async with subscribed(broker, f"{ROOT}/state") as sub:
        await sub.wait_for(lambda: bool(sub.on(f"{ROOT}/state")), "a state")
    assert broker.process is not None
    broker.process.send_signal(signal.SIGSTOP)
    try:
        run = await workout.finish()
    finally:
        broker.process.send_signal(signal.SIGCONT)
    assert run.result.summary.completed
    assert run.log_of("finished")
    samples = run.log_of("sample")
    assert samples
    assert samples[-1]["workout_s"] >= run.result.timeline.total_s - 2


def _secret_free(text: str) -> bool:
    return PASSWORD not in text and WRONG_PASSWORD not in text


async def test_a_wrong_password_gives_one_clear_message_and_the_workout_goes_on(
    make_broker_for: Callable[..., Broker],
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    broker = make_broker_for(users={"coach": PASSWORD})
    broker.start()
    caplog.set_level(logging.DEBUG)
    mqtt = mqtt_for(broker, username="coach", password=WRONG_PASSWORD)
    run = await run_with(tmp_path, mqtt, speed=20)
    assert run.result.summary.completed
    assert len(run.notices) == 1
    assert "refused the login" in run.notices[0]
    assert "check the user and password" in run.notices[0]
    # It stopped trying: one attempt, not one per backoff step.
    assert [line["status"] for line in run.log_of("mqtt")] == ["auth_refused"]
    out, err = capsys.readouterr()
    for text in (caplog.text, out, err, run.result.log_path.read_text(), *run.notices):
        assert _secret_free(text)


async def test_the_right_password_publishes(
    make_broker_for: Callable[..., Broker], tmp_path: Path
) -> None:
    broker = make_broker_for(users={"coach": PASSWORD})
    broker.start()
    mqtt = mqtt_for(broker, username="coach", password=PASSWORD)
    async with subscribed(broker, f"{ROOT}/event", username="coach", password=PASSWORD) as sub:
        run = await run_with(tmp_path, mqtt, speed=20)
        await sub.wait_for(
            lambda: any(e["type"] == "finished" for e in sub.payloads(f"{ROOT}/event")),
            "finished",
        )
    assert run.result.summary.completed
    assert [line["status"] for line in run.log_of("mqtt")] == ["connected"]


def test_the_cli_takes_the_password_from_the_environment_and_never_prints_it(
    make_broker_for: Callable[..., Broker],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    broker = make_broker_for(users={"coach": PASSWORD})
    broker.start()
    profile = write_profile(tmp_path)
    url = f"mqtt://coach@{broker.host}:{broker.port}"
    monkeypatch.setenv("TREADCTL_MQTT_PASSWORD", WRONG_PASSWORD)
    log = tmp_path / "wrong.jsonl"
    assert (
        main(["replay", str(profile), "--time-factor", "20", "--mqtt", url, "--log", str(log)]) == 0
    )
    out, err = capsys.readouterr()
    assert "workout completed" in out
    assert err.count("refused the login") == 1
    assert len(err.strip().splitlines()) == 1
    assert _secret_free(out + err + log.read_text())
    monkeypatch.setenv("TREADCTL_MQTT_PASSWORD", PASSWORD)
    log = tmp_path / "right.jsonl"
    assert (
        main(["replay", str(profile), "--time-factor", "20", "--mqtt", url, "--log", str(log)]) == 0
    )
    out, err = capsys.readouterr()
    assert "publishing to mqtt://coach@" in err
    assert _secret_free(out + err + log.read_text())
    statuses = [
        json.loads(line)["status"]
        for line in log.read_text().splitlines()
        if json.loads(line)["type"] == "mqtt"
    ]
    assert statuses == ["connected"]


@pytest.mark.parametrize("client_cert", [False, True], ids=["server-cert", "mutual"])
async def test_tls_with_a_certificate_authority_made_by_the_test(
    make_broker_for: Callable[..., Broker],
    certificates: Certificates,
    tmp_path: Path,
    client_cert: bool,
) -> None:
    broker = make_broker_for(certs=certificates, require_client_cert=client_cert)
    broker.start()
    fields: dict[str, object] = {"ca_file": certificates.ca_file}
    if client_cert:
        fields |= {"cert_file": certificates.client_cert, "key_file": certificates.client_key}
    mqtt = parse_mqtt_url(broker.url, **fields)
    assert mqtt.tls
    async with subscribed(broker, f"{ROOT}/event", "homeassistant/#") as sub:
        run = await run_with(tmp_path, mqtt, speed=20)
        await sub.wait_for(
            lambda: any(e["type"] == "finished" for e in sub.payloads(f"{ROOT}/event")),
            "finished over TLS",
        )
    assert run.result.summary.completed
    assert len(sub.matching("homeassistant/")) >= 16
    assert [line["status"] for line in run.log_of("mqtt")] == ["connected"]


async def test_tls_without_the_right_ca_is_refused_and_the_workout_goes_on(
    make_broker_for: Callable[..., Broker], certificates: Certificates, tmp_path: Path
) -> None:
    broker = make_broker_for(certs=certificates)
    broker.start()
    # Trust only the server's own certificate as a CA: not the CA that signed it.
    mqtt = parse_mqtt_url(broker.url, ca_file=certificates.client_cert)
    run = await run_with(tmp_path, mqtt, speed=20)
    assert run.result.summary.completed
    assert len(run.notices) == 1
    assert "cannot reach the broker" in run.notices[0]
    assert "certificate" in run.notices[0].lower()
