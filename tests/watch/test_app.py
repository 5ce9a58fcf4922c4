"""The dashboard through Textual's Pilot: tiles, order, the bell, confirmed commands, details."""

from __future__ import annotations

import string
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from tests.sinks.mqtt.brokers import Broker
from tests.tui.conftest import screen_text
from tests.watch.helpers import LONG_PROFILE, SignallingFleet, replays, settings_for
from tests.watch.scenes import WALL, RecordingLink, alert, classroom, feed, online, state
from treadctl.watch.fleet import SILENT_S, Alarm, Fleet
from treadctl.watch.follower import MqttFollower
from treadctl.watch.ui import WatchApp
from treadctl.watch.ui.confirm import ConfirmCommand
from treadctl.watch.ui.detail import DetailScreen
from treadctl.watch.ui.tile import Tile


class Clock:
    """The app's clocks, moved by the test."""

    def __init__(self) -> None:
        self.now_s = 1.0
        self.wall_s = WALL

    def now(self) -> float:
        return self.now_s

    def wall(self) -> float:
        return self.wall_s


class CountingBellApp(WatchApp):
    """The real app; its bell is counted instead of rung."""

    bells = 0

    def bell(self) -> None:
        self.bells += 1


def make_app(fleet: Fleet, clock: Clock, **options: Any) -> tuple[CountingBellApp, RecordingLink]:
    link = RecordingLink(fleet)
    app = CountingBellApp(link, clock=clock.now, wall=clock.wall, refresh_s=1000, **options)
    return app, link


async def settle(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, WatchApp)
    app.sync()
    await pilot.pause()


def tiles(app: WatchApp) -> list[Tile]:
    return [t for t in app.dashboard.query(Tile) if t.display]


def tile_ids(app: WatchApp) -> list[str | None]:
    return [t.device_id for t in tiles(app)]


async def test_every_treadmill_has_a_tile_that_says_what_it_does() -> None:
    fleet, clock = Fleet(), Clock()
    classroom(fleet)
    app, _ = make_app(fleet, clock)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert len(tiles(app)) == 9
        assert "⚠ 3 need you" in text
        assert "9 treadmills, 8 in use" in text
        assert "▼ BACKWARD   1.5 km/h" in text
        assert "Backward bout 2 · 0:23 left" in text
        assert "♥ 151 bpm" in text
        assert "✖ NO LINK" in text
        assert "○ treadctl offline" in text
        assert "turning to face backward" in text
        assert "waiting to start" in text
        assert "lane-9 · KS-ST-A1P" in text
        assert "⚠ H9 6 s ago: Heart rate 151 bpm" in text
        lane1 = next(t for t in tiles(app) if t.device_id == "lane-1")
        assert lane1.has_class("-backward")
        assert not lane1.has_class("-urgent")


async def test_those_needing_a_person_come_to_the_top_with_the_bell() -> None:
    fleet, clock = Fleet(), Clock()
    for n in range(1, 7):
        online(fleet, f"lane-{n}")
    fleet.link_up(0.0)
    alarms: list[Alarm] = []
    app, _ = make_app(fleet, clock, alarm=alarms.append)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        assert tile_ids(app) == [f"lane-{n}" for n in range(1, 7)]
        assert app.bells == 0
        feed(fleet, "lane-5", "state", state("lane-5", seq=2, link_connected=False))
        await settle(pilot)
        assert tile_ids(app)[0] == "lane-5"
        urgent = tiles(app)[0]
        assert urgent.has_class("-urgent")
        assert "NO LINK TO TREADMILL" in screen_text(app)
        assert app.bells == 1
        assert [(a.device_id, a.reasons) for a in alarms] == [("lane-5", ("no_link",))]
        # Still so at the next refresh: no second bell.
        await settle(pilot)
        assert app.bells == 1
        # A hold on another treadmill: it joins the top, and rings once more.
        feed(
            fleet,
            "lane-3",
            "state",
            state("lane-3", seq=2, workout_state="paused", awaiting_confirm=True),
        )
        await settle(pilot)
        assert tile_ids(app)[:2] == ["lane-3", "lane-5"]
        assert app.bells == 2
        # lane-5's link is back: it goes back to its place.
        feed(fleet, "lane-5", "state", state("lane-5", seq=3))
        await settle(pilot)
        assert tile_ids(app) == ["lane-3", "lane-1", "lane-2", "lane-4", "lane-5", "lane-6"]


async def test_the_bell_can_be_turned_off_and_the_hook_still_hears() -> None:
    fleet, clock = Fleet(), Clock()
    online(fleet, "lane-1")
    fleet.link_up(0.0)
    heard: list[str] = []
    app, _ = make_app(fleet, clock, alarm=lambda a: heard.append(a.text))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("b")
        await settle(pilot)
        assert "bell off" in screen_text(app)
        clock.now_s = SILENT_S + 5
        await settle(pilot)
        assert app.bells == 0
        assert heard == ["lane-1: no news for a while."]


async def test_stop_asks_first_and_sends_only_on_yes() -> None:
    fleet, clock = Fleet(), Clock()
    classroom(fleet)
    app, link = make_app(fleet, clock)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("right")  # from lane-3 (first) to lane-5
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmCommand)
        text = screen_text(app)
        assert "Stop lane-5?" in text
        assert "The belt stops at once and the workout ends." in text
        assert "Now: Backward bout 3 · 0:08 left" in text
        await pilot.press("n")
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmCommand)
        await pilot.press("s")
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("s")
        await pilot.press("enter")  # the focus is on No: a stray Enter sends nothing
        await pilot.pause()
        assert link.sent == []
        await pilot.press("s")
        await pilot.press("y")
        await pilot.pause()
        await pilot.pause()
        assert link.sent == [("treadctl/lane-5/cmd/stop", b"PRESS")]
        await settle(pilot)
        assert "stop sent 0 s ago, waiting…" in screen_text(app)
        # The answer comes on lane-5's event topic.
        feed(
            fleet,
            "lane-5",
            "event",
            {"type": "remote_command", "name": "stop", "accepted": True,
             "reason": "stopping the belt", "retained": False, "ts": WALL + 1},
        )  # fmt: skip
        clock.wall_s += 2
        await settle(pilot)
        assert "stop accepted (2 s ago)" in screen_text(app)


async def test_pause_is_confirmed_too() -> None:
    fleet, clock = Fleet(), Clock()
    classroom(fleet)
    app, link = make_app(fleet, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("down", "p")  # one row down: lane-8
        await pilot.pause()
        assert "Pause lane-8?" in screen_text(app)
        await pilot.press("y")
        await pilot.pause()
        await pilot.pause()
        assert link.sent == [("treadctl/lane-8/cmd/pause", b"PRESS")]


async def test_no_other_key_sends_anything() -> None:
    fleet, clock = Fleet(), Clock()
    classroom(fleet)
    app, link = make_app(fleet, clock)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        keys = [
            k for k in string.ascii_lowercase + string.digits + "+-=[]"
            if k not in "spqy"
        ]  # fmt: skip
        for key in [*keys, "up", "pageup", "space", "ctrl+r"]:
            await pilot.press(key)
            await pilot.press("y")
            if isinstance(app.screen, DetailScreen):
                await pilot.press("escape")
        await pilot.pause()
        assert link.sent == []


async def test_a_command_without_a_broker_says_it_was_not_sent() -> None:
    fleet, clock = Fleet(), Clock()
    classroom(fleet)
    app, link = make_app(fleet, clock)
    link.state = "lost"
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        assert "✖ BROKER LOST" in screen_text(app)
        await pilot.press("s", "y")
        await pilot.pause()
        await pilot.pause()
        assert link.sent == []
        assert any("not sent" in str(n.message) for n in app._notifications)


async def test_a_refused_login_is_in_the_header() -> None:
    fleet, clock = Fleet(), Clock()
    app, link = make_app(fleet, clock)
    link.state = "refused"
    link.problem = "the broker refused the login for user 'supervisor'"
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "✖ LOGIN REFUSED by mqtts://supervisor@broker.clinic:8883" in text
        assert "refused the login for user 'supervisor'" in text
        assert "No treadctl treadmill on this broker yet" in text


async def test_the_detail_view_has_a_chart_and_the_recent_events() -> None:
    fleet, clock = Fleet(), Clock()
    classroom(fleet)
    app, link = make_app(fleet, clock)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        # lane-1 is the fourth tile (after three that need a person).
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.device_id == "lane-1"
        await settle(pilot)
        text = screen_text(app)
        assert "Speed, km/h (last 2 min, top 3.0)" in text
        assert "Heart rate, bpm (last 2 min, 96 to 105)" in text
        assert "▼▼▼" in text
        assert "▲▲▲" in text
        lines = text.splitlines()
        newest = next(i for i, line in enumerate(lines) if "Segment: Backward bout 2" in line)
        oldest = next(i for i, line in enumerate(lines) if "Started Knee-friendly 10" in line)
        assert newest < oldest
        # Stop from here acts on this treadmill.
        await pilot.press("s")
        await pilot.pause()
        assert "Stop lane-1?" in screen_text(app)
        await pilot.press("y")
        await pilot.pause()
        await pilot.pause()
        assert link.sent == [("treadctl/lane-1/cmd/stop", b"PRESS")]
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, DetailScreen)


async def test_a_click_selects_and_a_double_click_opens() -> None:
    fleet, clock = Fleet(), Clock()
    classroom(fleet)
    app, _ = make_app(fleet, clock)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        target = tiles(app)[4]
        assert target.device_id is not None
        await pilot.click(target)
        await pilot.pause()
        assert app.dashboard.selected_id == target.device_id
        await pilot.click(target, times=2)
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        assert app.screen.device_id == target.device_id


async def test_acknowledging_an_alert_lets_the_tile_go_back() -> None:
    fleet, clock = Fleet(), Clock()
    online(fleet, "lane-1")
    online(fleet, "lane-2", last_alert=alert("H7", "safety_key", "Safety key pulled", 3))
    fleet.link_up(0.0)
    app, _ = make_app(fleet, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert tile_ids(app) == ["lane-2", "lane-1"]
        assert "⚠ 1 needs you" in screen_text(app)
        await pilot.press("a")
        await settle(pilot)
        assert tile_ids(app) == ["lane-1", "lane-2"]
        assert "needs you" not in screen_text(app)


async def test_a_big_fleet_is_paged_and_only_what_fits_is_drawn() -> None:
    fleet, clock = Fleet(), Clock()
    for n in range(1, 31):
        online(fleet, f"lane-{n}")
    app, _ = make_app(fleet, clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert len(app.dashboard.query(Tile)) == 6
        assert "1–6 of 30" in screen_text(app)
        await pilot.press("pagedown")
        await settle(pilot)
        assert tile_ids(app)[0] == "lane-7"
        assert "7–12 of 30" in screen_text(app)
        await pilot.press("end")
        await settle(pilot)
        assert "25–30 of 30" in screen_text(app)
        await pilot.resize_terminal(120, 35)
        await settle(pilot)
        assert len(app.dashboard.query(Tile)) == 12


async def test_unreadable_messages_are_counted_on_screen() -> None:
    fleet, clock = Fleet(), Clock()
    online(fleet, "lane-1")
    feed(fleet, "lane-1", "state", b"not json")
    app, _ = make_app(fleet, clock)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        assert "1 unreadable messages skipped" in screen_text(app)
        assert "lane-1/state: not JSON" in screen_text(app)


@pytest.mark.usefixtures("config_path")
async def test_the_dashboard_follows_a_real_class_and_its_stop_reaches_the_treadmill(
    broker: Broker, tmp_path: Path
) -> None:
    fleet = SignallingFleet()
    follower = MqttFollower(settings_for(broker), fleet)
    app = CountingBellApp(follower, refresh_s=0.2)
    with replays(tmp_path, broker.url, count=3, speed=2, profile=LONG_PROFILE) as replay:
        async with app.run_test(size=(120, 35)) as pilot:

            def running() -> bool:
                return len(fleet) == 3 and all(
                    t.status is not None and t.status.workout_state == "running" for t in fleet
                )

            await fleet.wait_for(running, "three running")
            await settle(pilot)
            assert tile_ids(app) == replay.device_ids
            assert "● connected to mqtt://127.0.0.1" in screen_text(app)
            # home first: the selection stays with the treadmill it was on, and the first
            # to announce itself (so the first selected) depends on which replay started
            # first (on a loaded machine, not always treadctl-sim-1).
            await pilot.press("home", "right", "s")
            await pilot.pause()
            assert "Stop treadctl-sim-2?" in screen_text(app)
            await pilot.press("y")
            stopped = fleet.treadmills["treadctl-sim-2"]
            await fleet.wait_for(
                lambda: stopped.status is not None and stopped.status.workout_state == "aborted",
                "aborted",
            )
            await fleet.wait_for(lambda: stopped.last_command is not None
                                 and stopped.last_command.accepted is True, "accepted")  # fmt: skip
            await settle(pilot)
            assert "stop accepted" in screen_text(app)
            assert "ended early" in screen_text(app)
        replay.interrupt()
        (answer,) = [line for line in replay.log(2) if line["type"] == "remote_command"]
        assert (answer["name"], answer["accepted"]) == ("stop", True)
