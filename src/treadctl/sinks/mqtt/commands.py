"""H10: what a command from the broker may do. Pure policy, no I/O.

Only ``stop`` and ``pause`` are accepted by default: both make the belt slower, never
faster. ``resume`` starts the belt, so it needs ``mqtt_remote_resume``, and even then
not while the treadmill waits for the person on it to confirm (after a link loss, a
missed speed target or a heart-rate hold: someone must look at them first). Nothing
remote starts a workout or raises the speed. Retained messages are old news (they were
published before this workout began) and are never acted on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from treadctl.workout.runner import RunState

ALWAYS_ALLOWED = ("stop", "pause")
#: Names longer than this are cut before they go into a log line or an answer.
MAX_NAME_LEN = 40
_PRINTABLE = re.compile(r"[^\x21-\x7e]")


@dataclass(frozen=True)
class Decision:
    name: str
    accepted: bool
    reason: str


def clean_name(raw: str) -> str:
    """A command name safe to log: printable ASCII, cut to :data:`MAX_NAME_LEN`."""
    return _PRINTABLE.sub("?", raw.strip().lower())[:MAX_NAME_LEN] or "?"


def decide(
    name: str,
    *,
    retained: bool,
    remote_resume: bool,
    run_state: RunState | None,
    needs_confirm: bool,
) -> Decision:
    """Whether to carry out command ``name``; ``run_state`` None: no workout attached."""
    name = clean_name(name)

    def no(reason: str) -> Decision:
        return Decision(name, False, reason)

    if retained:
        return no("retained command ignored: it was sent before this workout")
    if name not in (*ALWAYS_ALLOWED, "resume"):
        return no(
            f"{name!r} is not accepted remotely: only stop and pause "
            "(and resume when enabled); nothing remote starts the belt or raises the speed"
        )
    if run_state is None or run_state is RunState.FINISHED:
        return no("no workout is running")
    if name == "stop":
        return Decision(name, True, "stopping the belt")
    if name == "pause":
        if run_state is RunState.READY:
            return no("the workout has not started")
        if run_state is RunState.PAUSED:
            return Decision(name, True, "already paused")
        return Decision(name, True, "pausing the workout")
    if not remote_resume:
        return no("remote resume is off (set mqtt_remote_resume = true to allow it)")
    if run_state is not RunState.PAUSED:
        return no("the workout is not paused")
    if needs_confirm:
        return no("the treadmill waits for the person on it to confirm")
    return Decision(name, True, "resuming")
