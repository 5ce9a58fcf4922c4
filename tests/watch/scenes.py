"""A made-up class on a fixed clock, for the dashboard's tests and snapshots.

The fleet is fed the very payloads treadctl publishes (state, availability, events);
a :class:`RecordingLink` stands in for the broker and notes what would be sent.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from treadctl.watch.fleet import Fleet
from treadctl.watch.follower import FleetLink

#: Unix time "now" in the scenes: 2026-11-20 09:14:10 UTC.
WALL = 1_795_252_450.0


class RecordingLink(FleetLink):
    """A broker that is always there and notes every publish (nothing leaves the test)."""

    def __init__(self, fleet: Fleet, *, wall: float = WALL) -> None:
        super().__init__(fleet, "mqtts://supervisor@broker.clinic:8883", wall=lambda: wall)
        self.state = "connected"
        self.sent: list[tuple[str, bytes]] = []
        self._forever = asyncio.Event()

    async def run(self) -> None:
        await self._forever.wait()

    async def _publish(self, topic: str, payload: bytes) -> None:
        self.sent.append((topic, payload))


def state(device: str, seq: int = 1, ts: float = WALL, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "ts": ts,
        "seq": seq,
        "workout_state": "running",
        "profile": "knee-friendly-10",
        "segment": "Forward walk",
        "facing": "forward",
        "speed_kmh": 3.0,
        "incline_pct": 0.0,
        "distance_m": 412.0,
        "elapsed_s": 301.0,
        "segment_left_s": 74.0,
        "energy_kcal": 21.0,
        "heart_rate_bpm": None,
        "backward_s": 120.0,
        "backward_distance_m": 60.0,
        "link_connected": True,
        "paused_reason": None,
        "safety_alerts": 0,
        "data_seq": 600,
        "name": device,
        "awaiting_confirm": False,
        "last_alert": None,
    }
    data.update(fields)
    return data


def feed(fleet: Fleet, device: str, kind: str, payload: object, now_s: float = 0.0) -> None:
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    fleet.handle(f"treadctl/{device}/{kind}", data, now_s=now_s)


def online(fleet: Fleet, device: str, **fields: Any) -> None:
    feed(fleet, device, "availability", b"online")
    feed(fleet, device, "state", state(device, **fields))


def alert(
    hazard: str, kind: str, message: str, ago_s: float, needs_ack: bool = False
) -> dict[str, Any]:
    return {
        "hazard": hazard,
        "kind": kind,
        "message": message,
        "needs_ack": needs_ack,
        "ts": WALL - ago_s,
    }


def classroom(fleet: Fleet) -> None:
    """Nine treadmills of a morning class, three of which need the supervisor."""
    # lane-1's last two minutes of states, for the detail view's chart (the last one now).
    feed(fleet, "lane-1", "availability", b"online")
    for n in range(121):
        backward = n < 25 or n > 80
        feed(fleet, "lane-1", "state", state(
            "lane-1", seq=n + 1, ts=WALL - 120 + n, facing="backward" if backward else "forward",
            speed_kmh=1.5 if backward else (3.0 if 30 < n < 76 else 0.8),
            heart_rate_bpm=96 + (n % 30) // 3, segment="Backward bout 2", segment_left_s=23.0,
        ))  # fmt: skip
    online(fleet, "lane-2", heart_rate_bpm=97)
    online(
        fleet,
        "lane-3",
        workout_state="paused",
        awaiting_confirm=True,
        speed_kmh=0.0,
        facing="backward",
        segment="Backward bout 1",
        segment_left_s=None,
        paused_reason="link lost: confirm on the treadmill to go on",
        safety_alerts=1,
        last_alert=alert("H6", "link_lost", "Lost the treadmill: belt stopped", 42, True),
    )
    online(
        fleet,
        "lane-4",
        workout_state="turning",
        facing="forward",
        speed_kmh=0.8,
        segment_left_s=None,
        segment="Backward bout 1",
    )
    online(
        fleet,
        "lane-5",
        facing="backward",
        speed_kmh=2.0,
        heart_rate_bpm=151,
        segment="Backward bout 3",
        segment_left_s=8.0,
        safety_alerts=1,
        last_alert=alert("H9", "heart_rate", "Heart rate 151 bpm: slowing down", 6),
    )
    online(
        fleet,
        "lane-6",
        workout_state="finished",
        speed_kmh=0.0,
        segment="Cool-down",
        segment_left_s=None,
        distance_m=1630.0,
    )
    feed(fleet, "lane-6", "availability", b"offline")
    online(
        fleet,
        "lane-7",
        workout_state="idle",
        speed_kmh=0.0,
        segment=None,
        segment_left_s=None,
        elapsed_s=0.0,
        profile="first-steps",
    )
    online(
        fleet,
        "lane-8",
        link_connected=False,
        speed_kmh=None,
        facing="backward",
        segment="Backward bout 1",
        segment_left_s=12.0,
    )
    online(
        fleet,
        "lane-9",
        name="KS-ST-A1P",
        profile="first-steps",
        speed_kmh=1.2,
        facing="backward",
        segment="Backward bout 1",
        segment_left_s=15.0,
        last_alert=alert("H2", "ceiling", "3 km/h is your backward ceiling", 70),
    )
    fleet.link_up(0.0)
    # lane-1's events, for the detail view.
    events: list[tuple[int, dict[str, Any]]] = [
        (
            -300,
            {
                "type": "workout_started",
                "profile": "knee-friendly-10",
                "title": "Knee-friendly 10",
                "total_s": 900,
                "backward_s": 240,
                "steps": 17,
            },
        ),
        (
            -295,
            {
                "type": "segment_started",
                "index": 0,
                "label": "Forward warm-up",
                "facing": "forward",
                "speed_kmh": 3.0,
                "incline_pct": 0,
                "duration_s": 120,
            },
        ),
        (
            -180,
            {
                "type": "turnaround",
                "phase": "warning",
                "from_facing": "forward",
                "to_facing": "backward",
                "speed_kmh": 0.8,
                "message": "Turn coming: the belt slows down in 5 s. Hands on the rails.",
            },
        ),
        (
            -172,
            {
                "type": "turnaround",
                "phase": "turn_now",
                "from_facing": "forward",
                "to_facing": "backward",
                "speed_kmh": 0.8,
                "message": "Turn around now to face backward.",
            },
        ),
        (
            -165,
            {
                "type": "segment_started",
                "index": 1,
                "label": "Backward bout 1",
                "facing": "backward",
                "speed_kmh": 1.5,
                "incline_pct": 0,
                "duration_s": 60,
            },
        ),
        (-150, {"type": "cue", "text": "Short steps, land on the balls of your feet."}),
        (
            -40,
            {
                "type": "segment_started",
                "index": 3,
                "label": "Backward bout 2",
                "facing": "backward",
                "speed_kmh": 1.5,
                "incline_pct": 0,
                "duration_s": 60,
            },
        ),
    ]
    for ago, event in events:
        feed(fleet, "lane-1", "event", {**event, "ts": WALL + ago})
