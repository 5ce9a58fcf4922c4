"""The fleet: every treadctl treadmill on a broker, followed from its topics. Pure, no I/O.

:meth:`Fleet.handle` takes each message of ``<base>/<device-id>/state``,
``/availability`` and ``/event`` (the follower feeds it; tests feed it by hand) and keeps
one :class:`Treadmill` record per device id: the latest state, whether treadctl is
online, a short history for the chart, recent events, the last safety alert and the
commands this watch sent with the treadmill's answers. Retained messages make a late
start see everyone at once. An empty retained ``state`` and ``availability`` (the way to
clear a topic) forget a treadmill.

:meth:`Fleet.check` decides which treadmills need a person now (:data:`REASONS`) and
returns the ones that just started to: the dashboard rings the bell for those, and hands
them to an alarm hook (the place for speech later). Times come from the caller: ``now_s``
is the watch's monotonic clock, ``wall_s`` Unix time (alerts carry Unix times).
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final, Literal

from treadctl.watch.status import (
    Alert,
    PayloadError,
    TreadmillStatus,
    WatchEvent,
    clean_text,
    parse_event,
    parse_state,
)

#: A workout's state not heard for this long (while treadctl says it is online) is news.
SILENT_S: Final = 10.0
#: A safety alert needs a look for this long after it was raised (unless acknowledged).
ALERT_RECENT_S: Final = 30.0
#: Alert kinds that are news but need nobody: a ceiling reached, a link or control back.
CALM_ALERT_KINDS: Final = frozenset({"ceiling", "reconnected", "control_regained"})
#: Two copies of one alert (in the state and on the event topic) differ by milliseconds.
SAME_ALERT_S: Final = 1.0
#: States kept per treadmill for the detail chart (5 minutes at 1 Hz).
HISTORY_POINTS: Final = 300
#: Events kept per treadmill for the detail view.
RECENT_EVENTS: Final = 50
#: A command the treadmill has not answered in this long is shown as unanswered.
COMMAND_ANSWER_S: Final = 10.0
#: Treadmills followed at most; beyond that new device ids are counted and ignored.
MAX_TREADMILLS: Final = 10_000

Reason = Literal["alert", "hold", "no_link", "offline", "silent"]
#: Why a treadmill needs a person, most pressing first, with the words a tile shows.
REASONS: Final[dict[Reason, str]] = {
    "no_link": "NO LINK TO TREADMILL",
    "offline": "TREADCTL OFFLINE",
    "silent": "NO NEWS",
    "hold": "HOLD: WAITING FOR THE PERSON",
    "alert": "SAFETY ALERT",
}
Availability = Literal["online", "offline"]
#: Workout states in which a treadmill is in use.
ACTIVE_STATES: Final = ("running", "turning", "paused")

_DEVICE_ID = re.compile(r"^[a-z0-9_-]{1,64}$")
_DIGITS = re.compile(r"(\d+)")


@dataclass(frozen=True)
class Point:
    """One state, for the chart."""

    ts: float
    speed_kmh: float | None
    heart_rate_bpm: int | None
    facing: str | None


@dataclass
class CommandNote:
    """A command this watch sent, and the treadmill's answer once it comes."""

    name: str
    sent_wall_s: float
    accepted: bool | None = None
    reason: str = ""


@dataclass(frozen=True)
class Alarm:
    """A treadmill that just started to need a person, or raised a new alert."""

    device_id: str
    name: str
    reasons: tuple[Reason, ...]
    text: str


@dataclass
class FleetStats:
    messages: int = 0
    states: int = 0
    events: int = 0
    availability: int = 0
    malformed: int = 0
    """Messages that could not be read (counted and skipped)."""
    ignored: int = 0
    """Messages on other topics under the base, or beyond :data:`MAX_TREADMILLS`."""
    seq_gaps: int = 0
    """States missing by their ``seq`` (states go at QoS 0: the broker may drop some)."""
    last_problem: str = ""


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sorts ``lane-2`` before ``lane-10``."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part.lower())
        for part in _DIGITS.split(text)
        if part
    )


class Treadmill:
    """What the watch knows about one treadmill. Owned and changed by its :class:`Fleet`."""

    def __init__(self, device_id: str) -> None:
        self.device_id = device_id
        self.status: TreadmillStatus | None = None
        self.availability: Availability | None = None
        self.state_at_s: float | None = None
        """When the latest state arrived (the watch's monotonic clock)."""
        self.offline_at_s: float | None = None
        self.history: deque[Point] = deque(maxlen=HISTORY_POINTS)
        self.events: deque[WatchEvent] = deque(maxlen=RECENT_EVENTS)
        self.event_alert: Alert | None = None
        self.commands: deque[CommandNote] = deque(maxlen=5)
        self.states = 0
        self.version = 0
        """Grows with every change: a view redraws only what changed."""
        self.reasons: tuple[Reason, ...] = ()
        """Why it needs a person, as of the last :meth:`Fleet.check`."""
        self.ack_alert_ts: float | None = None
        self.ack_offline_at_s: float | None = None
        self.ack_silent_at_s: float | None = None
        self._alarmed_alert_ts: float | None = None

    @property
    def name(self) -> str:
        """The treadmill's own name (its Bluetooth name), else its device id.

        The device id is what tells treadmills apart (two of one model share a name), so
        the dashboard leads with the id and sorts by it.
        """
        return (self.status.name if self.status else None) or self.device_id

    @property
    def last_alert(self) -> Alert | None:
        """The newest alert, from the state or the event topic."""
        ours = self.status.last_alert if self.status else None
        theirs = self.event_alert
        if ours is None or theirs is None:
            return ours or theirs
        return ours if (ours.ts or 0.0) >= (theirs.ts or 0.0) else theirs

    @property
    def active(self) -> bool:
        """In a workout (or about to start one) with treadctl online."""
        return self.status is not None and not self.status.ended and self.availability != "offline"

    @property
    def last_command(self) -> CommandNote | None:
        return self.commands[-1] if self.commands else None

    def sort_key(self) -> tuple[int, tuple[tuple[int, int | str], ...], str]:
        """Needing a person first, then treadmills in use, then the rest; by device id."""
        rank = 0 if self.reasons else 1 if self.active else 2
        return (rank, natural_key(self.device_id), self.device_id)

    def _changed(self) -> None:
        self.version += 1


class Fleet:
    """Every treadmill under ``<base_topic>/``, from the messages :meth:`handle` is given."""

    def __init__(self, base_topic: str = "treadctl") -> None:
        self.base_topic = base_topic
        self.treadmills: dict[str, Treadmill] = {}
        self.stats = FleetStats()
        self.watching_since_s: float | None = None
        """When the follower last (re)connected; None while it is not connected."""
        self.version = 0
        """Grows when a treadmill comes or goes, or its attention changes."""
        self._prefix = f"{base_topic}/"

    # -- what to subscribe to ----------------------------------------------------------

    @property
    def subscriptions(self) -> list[str]:
        """One filter for state, availability and events (commands are a level deeper).

        One subscription brings every retained state and availability in one batch,
        ahead of live messages: a late start sees the whole fleet at once.
        """
        return [f"{self.base_topic}/+/+"]

    def command_topic(self, device_id: str, name: str) -> str:
        return f"{self.base_topic}/{device_id}/cmd/{name}"

    # -- the follower's side -----------------------------------------------------------

    def link_up(self, now_s: float) -> None:
        self.watching_since_s = now_s

    def link_down(self) -> None:
        self.watching_since_s = None

    def _problem(self, where: str, why: str) -> None:
        self.stats.malformed += 1
        self.stats.last_problem = clean_text(f"{where}: {why}", 120)

    def handle(
        self, topic: str, payload: bytes, *, now_s: float, retained: bool = False
    ) -> Treadmill | None:
        """One message from the broker; returns the treadmill it changed, if any.

        Malformed messages are counted in :attr:`stats` and skipped; nothing raises.
        """
        del retained  # a retained state is as good as a live one: both are the latest
        self.stats.messages += 1
        if not topic.startswith(self._prefix):
            self.stats.ignored += 1
            return None
        device_id, _, kind = topic[len(self._prefix) :].partition("/")
        if kind not in ("state", "availability", "event"):
            self.stats.ignored += 1
            return None
        if not _DEVICE_ID.match(device_id):
            self._problem(clean_text(topic), "not a treadctl device id")
            return None
        treadmill = self.treadmills.get(device_id)
        if treadmill is None:
            if not payload:
                return None  # clearing a topic of a treadmill we do not know
            if len(self.treadmills) >= MAX_TREADMILLS:
                self.stats.ignored += 1
                return None
            treadmill = self.treadmills[device_id] = Treadmill(device_id)
            self.version += 1
        try:
            if kind == "state":
                self._on_state(treadmill, payload, now_s)
            elif kind == "availability":
                self._on_availability(treadmill, payload, now_s)
            else:
                self._on_event(treadmill, payload)
        except PayloadError as exc:
            self._problem(f"{device_id}/{kind}", str(exc))
            return None
        if treadmill.status is None and treadmill.availability is None and not payload:
            del self.treadmills[device_id]
            self.version += 1
            return None
        treadmill._changed()
        return treadmill

    def _on_state(self, treadmill: Treadmill, payload: bytes, now_s: float) -> None:
        if not payload:
            treadmill.status = None
            treadmill.history.clear()
            return
        status = parse_state(payload)
        self.stats.states += 1
        previous = treadmill.status
        if previous is not None and previous.seq is not None and status.seq is not None:
            if status.seq < previous.seq:
                treadmill.history.clear()  # a new run of treadctl counts from 1 again
            elif status.seq > previous.seq + 1:
                self.stats.seq_gaps += status.seq - previous.seq - 1
        treadmill.status = status
        treadmill.state_at_s = now_s
        treadmill.states += 1
        if status.ts is not None:
            treadmill.history.append(
                Point(status.ts, status.speed_kmh, status.heart_rate_bpm, status.facing)
            )

    def _on_availability(self, treadmill: Treadmill, payload: bytes, now_s: float) -> None:
        self.stats.availability += 1
        if not payload:
            treadmill.availability = None
            return
        word = payload.strip().lower()
        if word == b"online":
            treadmill.availability = "online"
            treadmill.offline_at_s = None
        elif word == b"offline":
            if treadmill.availability != "offline":
                treadmill.offline_at_s = now_s
            treadmill.availability = "offline"
        else:
            raise PayloadError(f"availability is neither online nor offline: {payload!r:.40}")

    def _on_event(self, treadmill: Treadmill, payload: bytes) -> None:
        if not payload:
            return
        event = parse_event(payload)
        self.stats.events += 1
        treadmill.events.append(event)
        if event.alert is not None:
            treadmill.event_alert = event.alert
        if event.command is not None:
            for note in reversed(treadmill.commands):
                if note.name == event.command and note.accepted is None:
                    note.accepted = bool(event.accepted)
                    note.reason = event.text
                    break

    # -- the dashboard's side ----------------------------------------------------------

    def note_command(self, device_id: str, name: str, wall_s: float) -> CommandNote:
        """Remember that this watch sent ``name`` to ``device_id``, to match the answer."""
        note = CommandNote(name, wall_s)
        treadmill = self.treadmills.get(device_id)
        if treadmill is not None:
            treadmill.commands.append(note)
            treadmill._changed()
        return note

    def acknowledge(self, device_id: str) -> bool:
        """The supervisor has seen this treadmill's alert, or that it went offline or silent.

        Holds and lost links stay until treadctl says they are over. Returns whether
        there was anything to acknowledge.
        """
        treadmill = self.treadmills.get(device_id)
        if treadmill is None:
            return False
        acked = False
        alert = treadmill.last_alert
        if "alert" in treadmill.reasons and alert is not None and alert.ts is not None:
            treadmill.ack_alert_ts = alert.ts
            acked = True
        if "offline" in treadmill.reasons:
            treadmill.ack_offline_at_s = treadmill.offline_at_s
            acked = True
        if "silent" in treadmill.reasons:
            treadmill.ack_silent_at_s = treadmill.state_at_s
            acked = True
        if acked:
            treadmill._changed()
        return acked

    def reasons(self, treadmill: Treadmill, now_s: float, wall_s: float) -> tuple[Reason, ...]:
        """Why ``treadmill`` needs a person now, most pressing first (empty: it does not)."""
        status = treadmill.status
        if status is None:
            return ()
        found: list[Reason] = []
        in_use = status.workout_state in ACTIVE_STATES
        offline = treadmill.availability == "offline"
        if not offline and not status.ended and status.link_connected is False:
            found.append("no_link")
        if offline and in_use and treadmill.ack_offline_at_s != treadmill.offline_at_s:
            found.append("offline")
        if (
            not offline
            and in_use
            and self.watching_since_s is not None
            and now_s - self.watching_since_s > SILENT_S
            and treadmill.state_at_s is not None
            and now_s - treadmill.state_at_s > SILENT_S
            and treadmill.ack_silent_at_s != treadmill.state_at_s
        ):
            found.append("silent")
        if not offline and status.held:
            found.append("hold")
        alert = treadmill.last_alert
        if (
            alert is not None
            and alert.ts is not None
            and alert.kind not in CALM_ALERT_KINDS
            and wall_s - alert.ts < ALERT_RECENT_S
            and (treadmill.ack_alert_ts is None or alert.ts > treadmill.ack_alert_ts + SAME_ALERT_S)
        ):
            found.append("alert")
        return tuple(found)

    def check(self, now_s: float, wall_s: float) -> list[Alarm]:
        """Work out every treadmill's :attr:`Treadmill.reasons`; the new alarms.

        A treadmill raises an alarm when it gains a reason it did not have at the last
        check, or raises a new alert while it already had one.
        """
        alarms: list[Alarm] = []
        for treadmill in self.treadmills.values():
            before = treadmill.reasons
            now = self.reasons(treadmill, now_s, wall_s)
            if now != before:
                treadmill.reasons = now
                treadmill._changed()
                self.version += 1
            alert = treadmill.last_alert
            new_alert = (
                "alert" in now
                and alert is not None
                and alert.ts is not None
                and (
                    treadmill._alarmed_alert_ts is None
                    or alert.ts > treadmill._alarmed_alert_ts + SAME_ALERT_S
                )
            )
            if new_alert and alert is not None:
                treadmill._alarmed_alert_ts = alert.ts
            if set(now) - set(before) or new_alert:
                alarms.append(
                    Alarm(treadmill.device_id, treadmill.name, now, alarm_text(treadmill, now))
                )
        return alarms

    def ordered(self) -> list[Treadmill]:
        """Every treadmill: needing a person first, then in use, then the rest, by id."""
        return sorted(self.treadmills.values(), key=Treadmill.sort_key)

    def needing_attention(self) -> list[Treadmill]:
        return [t for t in self.treadmills.values() if t.reasons]

    def __len__(self) -> int:
        return len(self.treadmills)

    def __iter__(self) -> Iterator[Treadmill]:
        return iter(self.treadmills.values())


def alarm_text(treadmill: Treadmill, reasons: tuple[Reason, ...]) -> str:
    """One sentence for a person (or a speech engine): who, and what."""
    parts = []
    for reason in reasons:
        if reason == "alert" and treadmill.last_alert is not None:
            parts.append(f"safety alert, {treadmill.last_alert.message}")
        elif reason == "hold":
            parts.append("on hold, waiting for the person on it")
        elif reason == "no_link":
            parts.append("lost its link to the treadmill")
        elif reason == "offline":
            parts.append("treadctl went offline during the workout")
        elif reason == "silent":
            parts.append("no news for a while")
    who = treadmill.device_id
    return f"{who}: {'; '.join(parts)}." if parts else f"{who}: all well."
