"""A session log read back as typed values: samples, segments as run, turns, holds, alerts.

Built on :func:`treadctl.sessions.read_session`, which skips lines that are not JSON (a
``kill -9`` cuts the last one). Here a line that is JSON but lacks what its type needs
(a sample without a time, a segment with a speed of ``"fast"``) is skipped and counted
too, so one bad line never costs the rest of the session.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from treadctl.errors import TreadctlError
from treadctl.sessions import Session, read_session
from treadctl.workout.events import Summary, summary_from_dict
from treadctl.workout.profile import Direction

Kind = Literal["real", "rehearsal", "replay"]
KINDS: tuple[Kind, ...] = ("real", "rehearsal", "replay")

_STAMP = re.compile(r"(\d{8}-\d{6})")


def clock_text(seconds: float) -> str:
    """``mm:ss``, or ``h:mm:ss`` from an hour up."""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class BadEvent(TreadctlError, ValueError):
    """A JSON line whose fields do not fit its type."""


@dataclass(frozen=True)
class Point:
    """One sample: what the belt did at ``t_s`` seconds into the session."""

    t_s: float
    speed_kmh: float | None
    incline_pct: float | None
    distance_m: float | None
    facing: Direction
    heart_rate_bpm: int | None = None
    energy_kcal: float | None = None
    steps: int | None = None
    connected: bool = True


@dataclass(frozen=True)
class SegmentRun:
    """A profile segment as it ran: planned speed and length, and when it began and ended."""

    index: int
    label: str
    facing: Direction
    speed_kmh: float
    incline_pct: float
    planned_s: float
    start_s: float
    end_s: float | None = None
    """None: the session ended (or broke off) inside this segment."""

    def duration_s(self, session_end_s: float) -> float:
        end = self.end_s if self.end_s is not None else session_end_s
        return max(0.0, end - self.start_s)


@dataclass
class TurnRun:
    """A turnaround: from the slow-down (or "turn now") to the next segment's start."""

    from_facing: Direction
    to_facing: Direction
    start_s: float
    done_s: float | None = None
    waited_for_confirm: bool = False
    confirmed: bool = False
    timed_out: bool = False
    """Nobody confirmed in time: the runner held the workout for it."""

    @property
    def unconfirmed(self) -> bool:
        """It waited for the person, who did not confirm it (in time, or at all)."""
        return self.waited_for_confirm and (self.timed_out or not self.confirmed)


@dataclass(frozen=True)
class Hold:
    """The workout paused: by the person (``needs_confirm`` False) or by a safety rule."""

    start_s: float
    reason: str
    needs_confirm: bool
    end_s: float | None = None


@dataclass(frozen=True)
class Alert:
    t_s: float
    hazard: str
    kind: str
    message: str


@dataclass
class SessionLog:
    """Everything history, charts, the coach and exports read from one session."""

    path: Path
    header: dict[str, Any]
    kind: Kind
    started_at: dt.datetime
    """When the session began, timezone-aware."""
    points: list[Point] = field(default_factory=list)
    segments: list[SegmentRun] = field(default_factory=list)
    turns: list[TurnRun] = field(default_factory=list)
    holds: list[Hold] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    summary: Summary | None = None
    end_s: float = 0.0
    """The last time in the log (the finish, or the last line a crash left)."""
    damaged_lines: int = 0
    """Lines skipped: not JSON, or JSON whose fields did not fit its type."""
    damaged_at: list[int] = field(default_factory=list)

    @property
    def profile(self) -> str:
        return str(self.header.get("profile") or "")

    @property
    def title(self) -> str:
        return str(self.header.get("title") or self.profile or self.path.stem)

    @property
    def name(self) -> str:
        return self.path.stem

    @property
    def finished(self) -> bool:
        return self.summary is not None

    @property
    def completed(self) -> bool:
        return self.summary is not None and self.summary.completed

    @property
    def duration_s(self) -> float:
        return self.summary.duration_s if self.summary is not None else self.end_s

    @property
    def distance_m(self) -> float:
        if self.summary is not None:
            return self.summary.distance_m
        return max((p.distance_m for p in self.points if p.distance_m is not None), default=0.0)

    @property
    def backward_s(self) -> float:
        """Time facing backward (turns included, as the runner counts it)."""
        if self.summary is not None:
            return self.summary.backward_s
        return sum(dt_s for p, dt_s in self.intervals() if p.facing == "backward")

    @property
    def backward_distance_m(self) -> float:
        if self.summary is not None:
            return self.summary.backward_distance_m
        return sum(
            (p.speed_kmh or 0.0) / 3.6 * dt_s
            for p, dt_s in self.intervals()
            if p.facing == "backward"
        )

    @property
    def backward_bouts(self) -> list[SegmentRun]:
        return [s for s in self.segments if s.facing == "backward"]

    @property
    def has_backward(self) -> bool:
        return bool(self.backward_bouts)

    @property
    def longest_backward_s(self) -> float:
        """The longest backward segment as run (its real length, holds included)."""
        return max((s.duration_s(self.end_s) for s in self.backward_bouts), default=0.0)

    @property
    def backward_speed_kmh(self) -> float | None:
        """The backward segments' speed, weighted by their length as run."""
        bouts = [(s.speed_kmh, s.duration_s(self.end_s)) for s in self.backward_bouts]
        total = sum(d for _, d in bouts)
        if total <= 0:
            return None
        return sum(v * d for v, d in bouts) / total

    def intervals(self) -> list[tuple[Point, float]]:
        """Each sample with the time until the next one (the last: until the end)."""
        out = []
        for i, point in enumerate(self.points):
            nxt = self.points[i + 1].t_s if i + 1 < len(self.points) else self.end_s
            out.append((point, max(0.0, nxt - point.t_s)))
        return out


# -- reading ------------------------------------------------------------------------------


#: How the recorder writes a sample's type; summary reads pass over these lines.
SAMPLE_MARK = '"type": "sample"'


def load_session_log(path: Path, *, samples: bool = True) -> SessionLog:
    """Read and interpret one session log.

    With ``samples=False`` the samples (nine lines in ten) are not read: enough for the
    history and the coach when the session finished (its summary has the totals); a
    session without a finish is read whole all the same.

    Raises:
        SessionFileError: nothing usable in the file (the message names it and the line).
    """
    if not samples:
        log = interpret(read_session(path, skip=SAMPLE_MARK))
        if log.summary is not None:
            return log
    return interpret(read_session(path))


def classify(header: dict[str, Any]) -> Kind:
    """The header's ``kind``; for logs from before it existed, from what the header says."""
    kind = header.get("kind")
    if kind in KINDS:
        return kind  # type: ignore[no-any-return]
    if header.get("replay_of") is not None:
        return "replay"
    treadmill = header.get("treadmill")
    on_bluetooth = isinstance(treadmill, dict) and treadmill.get("kind") == "bluetooth"
    if on_bluetooth and header.get("clock") == "x1":
        return "real"
    return "rehearsal"


def start_time(header: dict[str, Any], path: Path, duration_s: float) -> dt.datetime:
    """``started_at`` in the header; else the stamp in the file name; else the file's
    modification time less the session's length."""
    text = header.get("started_at")
    if isinstance(text, str):
        try:
            when = dt.datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            return when if when.tzinfo is not None else when.astimezone()
    stamp = _STAMP.search(path.name)
    if stamp is not None:
        try:
            return dt.datetime.strptime(stamp.group(1), "%Y%m%d-%H%M%S").astimezone()
        except ValueError:
            pass
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = 0.0
    return dt.datetime.fromtimestamp(mtime - duration_s).astimezone()


def interpret(session: Session) -> SessionLog:
    log = SessionLog(
        path=session.path,
        header=session.header,
        kind=classify(session.header),
        started_at=dt.datetime.fromtimestamp(0, dt.UTC),
        damaged_lines=session.damaged_lines,
        damaged_at=list(session.damaged_at),
    )
    builder = _Builder(log)
    # Events are in file order; their line numbers follow the header's, less the skips.
    for event in session.events:
        try:
            builder.add(event)
        except (BadEvent, KeyError, TypeError, ValueError):
            log.damaged_lines += 1
    builder.close()
    log.started_at = start_time(session.header, session.path, log.duration_s)
    return log


def _number(event: dict[str, Any], key: str, *, optional: bool = False) -> float | None:
    value = event.get(key)
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise BadEvent(f"{key}={value!r}")
    return float(value)


def _required(event: dict[str, Any], key: str) -> float:
    value = _number(event, key)
    assert value is not None
    return value


def _facing(value: Any) -> Direction:
    if value not in ("forward", "backward"):
        raise BadEvent(f"facing={value!r}")
    return value  # type: ignore[no-any-return]


class _Builder:
    def __init__(self, log: SessionLog) -> None:
        self.log = log
        self.open_turn: TurnRun | None = None
        self.open_hold: int | None = None

    def add(self, event: dict[str, Any]) -> None:
        t_s = _required(event, "t")
        self.log.end_s = max(self.log.end_s, t_s)
        match event["type"]:
            case "sample":
                self._sample(t_s, event)
            case "segment_started":
                self._close_turn()
                self.log.segments.append(
                    SegmentRun(
                        index=int(_required(event, "index")),
                        label=str(event.get("label") or ""),
                        facing=_facing(event.get("facing")),
                        speed_kmh=_required(event, "speed_kmh"),
                        incline_pct=_number(event, "incline_pct", optional=True) or 0.0,
                        planned_s=_required(event, "duration_s"),
                        start_s=t_s,
                    )
                )
            case "segment_ended":
                index = int(_required(event, "index"))
                for i in range(len(self.log.segments) - 1, -1, -1):
                    seg = self.log.segments[i]
                    if seg.index == index and seg.end_s is None:
                        self.log.segments[i] = _ended(seg, t_s)
                        break
            case "turnaround":
                self._turn(t_s, event)
            case "user" if event.get("action") == "confirm" and self.open_turn is not None:
                if self.open_turn.waited_for_confirm:
                    self.open_turn.confirmed = True
            case "paused":
                turn = self.open_turn
                if turn is not None and turn.waited_for_confirm and turn.done_s is None:
                    turn.timed_out = turn.timed_out or bool(event.get("needs_confirm"))
                self._close_hold(t_s)
                self.log.holds.append(
                    Hold(t_s, str(event.get("reason") or ""), bool(event.get("needs_confirm")))
                )
                self.open_hold = len(self.log.holds) - 1
            case "resumed":
                self._close_hold(t_s)
            case "safety":
                self.log.alerts.append(
                    Alert(
                        t_s,
                        str(event.get("hazard") or ""),
                        str(event.get("kind") or ""),
                        str(event.get("message") or ""),
                    )
                )
            case "finished":
                self.log.summary = summary_from_dict(event["summary"])
            case _:
                pass

    def _sample(self, t_s: float, event: dict[str, Any]) -> None:
        hr = _number(event, "heart_rate_bpm", optional=True)
        steps = _number(event, "steps", optional=True)
        self.log.points.append(
            Point(
                t_s=t_s,
                speed_kmh=_number(event, "speed_kmh", optional=True),
                incline_pct=_number(event, "incline_pct", optional=True),
                distance_m=_number(event, "distance_m", optional=True),
                facing=_facing(event.get("facing")),
                heart_rate_bpm=None if hr is None or hr <= 0 else round(hr),
                energy_kcal=_number(event, "energy_kcal", optional=True),
                steps=None if steps is None else round(steps),
                connected=event.get("connected") is not False,
            )
        )

    def _turn(self, t_s: float, event: dict[str, Any]) -> None:
        phase = event.get("phase")
        if phase == "warning":
            return
        if self.open_turn is None:
            if phase not in ("slowing", "turn_now", "waiting_for_confirm"):
                return
            self.open_turn = TurnRun(
                _facing(event.get("from_facing")), _facing(event.get("to_facing")), t_s
            )
            self.log.turns.append(self.open_turn)
        if phase == "waiting_for_confirm":
            self.open_turn.waited_for_confirm = True
        elif phase == "done":
            self.open_turn.done_s = t_s
            if self.open_turn.waited_for_confirm:
                self.open_turn.confirmed = True

    def _close_turn(self) -> None:
        self.open_turn = None

    def _close_hold(self, t_s: float) -> None:
        if self.open_hold is not None:
            hold = self.log.holds[self.open_hold]
            self.log.holds[self.open_hold] = Hold(
                hold.start_s, hold.reason, hold.needs_confirm, t_s
            )
            self.open_hold = None

    def close(self) -> None:
        self.log.points.sort(key=lambda p: p.t_s)


def _ended(seg: SegmentRun, t_s: float) -> SegmentRun:
    return SegmentRun(
        seg.index,
        seg.label,
        seg.facing,
        seg.speed_kmh,
        seg.incline_pct,
        seg.planned_s,
        seg.start_s,
        t_s,
    )
