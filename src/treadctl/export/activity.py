"""A session as an activity: one point a second, laps, totals; what FIT and TCX both write.

Laps tile the session: a lap per segment and one per turnaround. A segment's lap runs
from its start (the first one from the session's start) to the next lap; a turn's lap
from the slow-down to the next segment's start, so the ramps belong to the turn.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from dataclasses import dataclass
from typing import Literal

from treadctl.history.energy import Body, EnergyEstimate, Interval, estimate
from treadctl.history.log import SessionLog, clock_text
from treadctl.workout.profile import Direction

Sport = Literal["walking", "running"]

#: Forward, people switch from walking to running at about 2 m/s.
FORWARD_RUNNING_FROM_KMH = 7.2
#: Backward, at about 5.9 km/h (1.63 m/s, 'Preferred and energetically optimal transition
#: speeds during backward human locomotion', 2005).
BACKWARD_RUNNING_FROM_KMH = 5.9


@dataclass(frozen=True)
class TrackPoint:
    """The session at one whole second."""

    t_s: float
    speed_kmh: float
    distance_m: float
    incline_pct: float
    facing: Direction
    heart_rate_bpm: int | None
    cadence_spm: float | None
    """Steps a minute, where the treadmill counts steps."""
    moving: bool
    """The workout clock ran (not held or paused)."""


@dataclass(frozen=True)
class Lap:
    name: str
    kind: Literal["segment", "turn"]
    facing: Direction
    """The segment's direction; for a turn, the direction turned to."""
    start_s: float
    end_s: float
    distance_m: float
    timer_s: float
    avg_speed_kmh: float
    max_speed_kmh: float
    avg_heart_rate_bpm: int | None
    max_heart_rate_bpm: int | None
    avg_cadence_spm: float | None
    kcal: float

    @property
    def elapsed_s(self) -> float:
        return self.end_s - self.start_s


@dataclass(frozen=True)
class Activity:
    log: SessionLog
    start: dt.datetime
    track: list[TrackPoint]
    laps: list[Lap]
    sport: Sport
    duration_s: float
    timer_s: float
    distance_m: float
    backward_s: float
    backward_distance_m: float
    energy: EnergyEstimate
    pauses: list[tuple[float, float]]
    """(start, end) of every hold or pause, in session seconds."""

    @property
    def title(self) -> str:
        return self.log.title

    @property
    def max_speed_kmh(self) -> float:
        return max((p.speed_kmh for p in self.track), default=0.0)

    @property
    def heart_rates(self) -> list[int]:
        return [p.heart_rate_bpm for p in self.track if p.heart_rate_bpm is not None]

    @property
    def description(self) -> str:
        """A short line for the session's notes (FIT description field, TCX Notes)."""
        return (
            f"{self.title}: backward {clock_text(self.backward_s)} and "
            f"{self.backward_distance_m:.0f} m of {clock_text(self.duration_s)} and "
            f"{self.distance_m:.0f} m. Energy {self.energy.kcal:.0f} kcal, "
            f"{self.energy.basis}. Recorded by treadctl ({self.log.kind})."
        )


def sport_of(log: SessionLog) -> Sport:
    """Running when more of the segments' time was at a running pace than at a walk."""
    running_s = walking_s = 0.0
    for seg in log.segments:
        limit = BACKWARD_RUNNING_FROM_KMH if seg.facing == "backward" else FORWARD_RUNNING_FROM_KMH
        length = seg.duration_s(log.end_s)
        if seg.speed_kmh >= limit:
            running_s += length
        else:
            walking_s += length
    return "running" if running_s > walking_s else "walking"


class DistanceCurve:
    """Distance at any time: linear between the samples, never going back."""

    def __init__(self, log: SessionLog, total_m: float) -> None:
        times = [0.0]
        values = [0.0]
        for point in log.points:
            if point.distance_m is None or point.t_s <= times[-1]:
                continue
            times.append(point.t_s)
            values.append(max(values[-1], point.distance_m))
        end_s = max(log.end_s, times[-1])
        if end_s > times[-1]:
            times.append(end_s)
            values.append(max(values[-1], total_m))
        elif total_m > values[-1]:
            values[-1] = total_m
        self.times = times
        self.values = values

    def __call__(self, t_s: float) -> float:
        i = bisect.bisect_right(self.times, t_s)
        if i <= 0:
            return self.values[0]
        if i >= len(self.times):
            return self.values[-1]
        t0, t1 = self.times[i - 1], self.times[i]
        v0, v1 = self.values[i - 1], self.values[i]
        return v0 + (v1 - v0) * (t_s - t0) / (t1 - t0) if t1 > t0 else v1


def _pauses(log: SessionLog) -> list[tuple[float, float]]:
    return [(h.start_s, h.end_s if h.end_s is not None else log.end_s) for h in log.holds]


def _in_pause(t_s: float, pauses: list[tuple[float, float]]) -> bool:
    return any(start <= t_s < end for start, end in pauses)


def _track(
    log: SessionLog, curve: DistanceCurve, pauses: list[tuple[float, float]]
) -> list[TrackPoint]:
    points = log.points
    times = [p.t_s for p in points]
    out = []
    last_cadence: float | None = None
    for second in range(math.floor(log.end_s) + 1):
        t_s = float(second)
        i = bisect.bisect_right(times, t_s) - 1
        point = points[i] if i >= 0 else None
        cadence: float | None = None
        if point is not None and point.steps is not None and i >= 1:
            prev = points[i - 1]
            if prev.steps is not None and point.t_s > prev.t_s and point.steps >= prev.steps:
                cadence = (point.steps - prev.steps) / (point.t_s - prev.t_s) * 60
                last_cadence = cadence
            else:
                cadence = last_cadence
        out.append(
            TrackPoint(
                t_s=t_s,
                speed_kmh=(point.speed_kmh or 0.0) if point is not None else 0.0,
                distance_m=curve(t_s),
                incline_pct=(point.incline_pct or 0.0) if point is not None else 0.0,
                facing=point.facing if point is not None else "forward",
                heart_rate_bpm=point.heart_rate_bpm if point is not None else None,
                cadence_spm=cadence,
                moving=not _in_pause(t_s, pauses),
            )
        )
    return out


def _interval(p: TrackPoint) -> Interval:
    return Interval(1.0, p.speed_kmh, p.incline_pct, p.facing, p.heart_rate_bpm)


def _laps(
    log: SessionLog,
    track: list[TrackPoint],
    curve: DistanceCurve,
    pauses: list[tuple[float, float]],
    body: Body,
) -> list[Lap]:
    marks: list[tuple[float, str, Literal["segment", "turn"], Direction]] = []
    for seg in log.segments:
        label = seg.label or f"Segment {seg.index + 1}"
        marks.append((seg.start_s, f"{seg.facing.capitalize()} · {label}", "segment", seg.facing))
    for turn in log.turns:
        marks.append((turn.start_s, f"Turn to {turn.to_facing}", "turn", turn.to_facing))
    marks.sort(key=lambda m: (m[0], m[2] == "segment"))
    laps = []
    for i, (start_s, name, kind, facing) in enumerate(marks):
        lap_start = 0.0 if i == 0 else start_s
        lap_end = marks[i + 1][0] if i + 1 < len(marks) else log.end_s
        inside = [p for p in track if lap_start <= p.t_s < lap_end] or [
            min(track, key=lambda p: abs(p.t_s - lap_start))
        ]
        paused_s = sum(max(0.0, min(end, lap_end) - max(start, lap_start)) for start, end in pauses)
        elapsed_s = max(0.0, lap_end - lap_start)
        distance_m = curve(lap_end) - curve(lap_start)
        hrs = [p.heart_rate_bpm for p in inside if p.heart_rate_bpm is not None]
        cadences = [p.cadence_spm for p in inside if p.cadence_spm is not None]
        laps.append(
            Lap(
                name=name,
                kind=kind,
                facing=facing,
                start_s=lap_start,
                end_s=lap_end,
                distance_m=distance_m,
                timer_s=max(0.0, elapsed_s - paused_s),
                avg_speed_kmh=distance_m / elapsed_s * 3.6 if elapsed_s > 0 else 0.0,
                max_speed_kmh=max(p.speed_kmh for p in inside),
                avg_heart_rate_bpm=round(sum(hrs) / len(hrs)) if hrs else None,
                max_heart_rate_bpm=max(hrs) if hrs else None,
                avg_cadence_spm=sum(cadences) / len(cadences) if cadences else None,
                kcal=estimate(map(_interval, inside), body).kcal,
            )
        )
    return laps


def build_activity(log: SessionLog, body: Body | None = None) -> Activity:
    """Everything an export needs from ``log``."""
    body = body or Body()
    total_m = log.distance_m
    curve = DistanceCurve(log, total_m)
    pauses = _pauses(log)
    track = _track(log, curve, pauses)
    paused_s = sum(end - start for start, end in pauses)
    summary = log.summary
    return Activity(
        log=log,
        start=log.started_at,
        track=track,
        laps=_laps(log, track, curve, pauses, body),
        sport=sport_of(log),
        duration_s=log.duration_s,
        timer_s=summary.workout_s if summary is not None else max(0.0, log.end_s - paused_s),
        distance_m=curve(log.end_s),
        backward_s=log.backward_s,
        backward_distance_m=log.backward_distance_m,
        energy=estimate(map(_interval, track), body),
        pauses=pauses,
    )
