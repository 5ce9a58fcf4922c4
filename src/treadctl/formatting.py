"""How numbers read for people: clock times, speeds and distances in the user's units,
and a workout's summary. One place, for every front end (the lines, the TUI, the voice's
texts are its own words)."""

from __future__ import annotations

from treadctl.units import KMH_PER_MPH
from treadctl.workout.events import Summary

__all__ = ["clock_text", "speed_text", "summary_lines"]


def clock_text(seconds: float) -> str:
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def speed_text(speed_kmh: float | None, units: str = "kmh") -> str:
    if speed_kmh is None:
        return "--"
    if units == "mph":
        return f"{speed_kmh / KMH_PER_MPH:.1f} mph"
    return f"{speed_kmh:.1f} km/h"


def summary_lines(summary: Summary, units: str = "kmh") -> list[str]:
    energy = f"{summary.energy_kcal:.0f} kcal" if summary.energy_kcal is not None else "--"
    distance_km = summary.distance_m / 1000
    back_km = summary.backward_distance_m / 1000
    if units == "mph":
        dist = f"{distance_km / KMH_PER_MPH:.2f} mi"
        back = f"{back_km / KMH_PER_MPH:.2f} mi"
    else:
        dist = f"{distance_km:.2f} km"
        back = f"{back_km:.2f} km"
    state = "completed" if summary.completed else f"ended: {summary.reason}"
    moving = clock_text(summary.workout_s)
    return [
        f"workout {state}",
        f"  duration       {clock_text(summary.duration_s)} ({moving} moving)",
        f"  distance       {dist}",
        f"  backward       {clock_text(summary.backward_s)}, {back}",
        f"  energy         {energy}",
        f"  safety events  {summary.safety_events}",
    ]
