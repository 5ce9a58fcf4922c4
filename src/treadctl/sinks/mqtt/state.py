"""What goes out on ``state`` and ``event``: built from the runner, the client and events.

The state is built when it is published, from what the runner and the client hold then,
so a subscriber always gets the newest values. Distance, energy and backward time and
distance come from the runner's running totals, the one counter every sink reads (the
final state takes the summary's).
"""

from __future__ import annotations

import time
from typing import Any, Final

from treadctl.client.state import TreadmillState
from treadctl.workout.events import (
    Advice,
    CueEvent,
    Finished,
    Paused,
    Resumed,
    SafetyAlert,
    SegmentStarted,
    Summary,
    Turnaround,
    WorkoutEvent,
    WorkoutStarted,
    event_to_dict,
)
from treadctl.workout.holds import RunState
from treadctl.workout.runner import Runner
from treadctl.workout.status import RunnerStatus

#: The values of ``workout_state`` (and the Home Assistant enum sensor's options).
WORKOUT_STATES: Final = ("idle", "running", "turning", "paused", "finished", "aborted")
#: The values of ``facing``.
DIRECTIONS: Final = ("forward", "backward")
#: The values of ``heart_rate_source`` (null: nothing reports a heart rate).
HEART_RATE_SOURCES: Final = ("strap", "treadmill")

#: Events that go out on the event topic. Samples, countdowns and commands do not: the
#: state carries what they say, at a rate a dashboard can take.
PUBLISHED_EVENTS: Final = (
    WorkoutStarted,
    SegmentStarted,
    Turnaround,
    Advice,
    CueEvent,
    SafetyAlert,
    Paused,
    Resumed,
    Finished,
)


#: Events that change what the state says (beyond what the treadmill's data changes).
STATE_EVENTS: Final = (
    WorkoutStarted,
    SegmentStarted,
    Turnaround,
    SafetyAlert,
    Paused,
    Resumed,
    Finished,
)


def event_payload(event: WorkoutEvent) -> dict[str, Any] | None:
    """The event topic's JSON for ``event`` (the session log's form, plus ``ts``), or None."""
    if not isinstance(event, PUBLISHED_EVENTS):
        return None
    return {**event_to_dict(event), "ts": round(time.time(), 3)}


class StateTracker:
    """Follows one workout and builds the ``state`` payload on demand."""

    def __init__(self, runner: Runner, profile: str, name: str | None = None) -> None:
        self.runner = runner
        self.profile = profile
        self.name = name
        self.last_alert: dict[str, Any] | None = None
        self.started = False
        self.summary: Summary | None = None
        self.segment: str | None = None
        self.turning = False
        self.seq = 0
        self._published: dict[str, float] = {}

    # -- following ---------------------------------------------------------------------

    def observe_event(self, event: WorkoutEvent) -> None:
        match event:
            case WorkoutStarted():
                self.started = True
            case SegmentStarted(label=label):
                self.segment = label
                self.turning = False
            case Turnaround(phase=phase):
                if phase != "warning":
                    self.turning = True
            case Finished(summary=summary):
                self.summary = summary
                self.turning = False
            case SafetyAlert(hazard=hazard, kind=kind, message=message, needs_ack=needs_ack):
                self.last_alert = {
                    "hazard": hazard,
                    "kind": kind,
                    "message": message,
                    "needs_ack": needs_ack,
                    "ts": round(time.time(), 3),
                }
            case _:
                pass

    # -- the payload -------------------------------------------------------------------

    def workout_state(self, status: RunnerStatus) -> str:
        if self.summary is not None:
            return "finished" if self.summary.completed else "aborted"
        if not self.started or status.state is RunState.READY:
            return "idle"
        if status.paused:
            return "paused"
        if self.turning:
            return "turning"
        return "running"

    def payload(self, treadmill: TreadmillState, data_seq: int) -> dict[str, Any]:
        """The ``state`` JSON now. Every key is always there; unknowns are null."""
        self.seq += 1
        status = self.runner.status()
        summary = self.summary
        if summary is not None:
            elapsed_s = summary.workout_s
            distance_m = summary.distance_m
            energy = summary.energy_kcal
            backward_s = summary.backward_s
            backward_m = summary.backward_distance_m
            left_s: float | None = None
        else:
            running = status.totals  # the runner's one counter (H12)
            elapsed_s = status.workout_s if self.started else 0.0
            distance_m = running.distance_m
            energy = running.energy_kcal
            backward_s = running.backward_s
            backward_m = running.backward_distance_m
            left_s = status.segment_left_s if self.started else None
        # Home Assistant reads a drop in a total_increasing sensor as a new meter: these
        # never go down within a workout (the summary's figures can differ from the
        # running count by a tenth).
        totals = {
            "distance_m": round(distance_m, 1),
            "elapsed_s": round(elapsed_s, 1),
            "energy_kcal": None if energy is None else round(energy, 1),
            "backward_s": round(backward_s, 1),
            "backward_distance_m": round(backward_m, 1),
        }
        for key, value in totals.items():
            if value is None:
                continue
            highest = max(value, self._published.get(key, value))
            totals[key] = self._published[key] = highest
        return {
            "ts": round(time.time(), 3),
            "seq": self.seq,
            "workout_state": self.workout_state(status),
            "profile": self.profile,
            "segment": self.segment,
            "facing": status.facing,
            "speed_kmh": treadmill.speed_kmh,
            "incline_pct": treadmill.incline_pct,
            "distance_m": totals["distance_m"],
            "elapsed_s": totals["elapsed_s"],
            "segment_left_s": None if left_s is None else round(left_s, 1),
            "energy_kcal": totals["energy_kcal"],
            # The strap's rate before the treadmill's; null while unknown (no contact).
            "heart_rate_bpm": status.heart_rate_bpm,
            "heart_rate_source": status.heart_rate_source,
            "backward_s": totals["backward_s"],
            "backward_distance_m": totals["backward_distance_m"],
            "link_connected": treadmill.connected,
            "paused_reason": status.pause_reason if status.paused else None,
            "safety_alerts": status.alerts,
            "data_seq": data_seq,
            # Added for `treadctl watch` (a supervisor's dashboard); additive, so older
            # subscribers are not affected.
            "name": self.name,
            "awaiting_confirm": summary is None and self.started and status.awaiting_confirm,
            "last_alert": self.last_alert,
            # Advisory mode: treadctl only advises; the console's stop is the stop.
            "advisory": status.advisory,
        }
