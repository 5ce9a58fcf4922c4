"""The ports a workout needs from the world around it: a treadmill, and what follows it.

The runtime plugs real things in (the simulator or a Bluetooth treadmill, the session
log, MQTT, the voice); the engine and the sinks depend only on these.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from treadctl.clock import Clock

if TYPE_CHECKING:  # types only: a front end names these without loading the client
    from treadctl.client import TreadmillClient
    from treadctl.sim import SimTreadmill
    from treadctl.workout.events import WorkoutEvent
    from treadctl.workout.runner import Runner


@dataclass
class Treadmill:
    """A connected treadmill as a workout sees it, whatever is behind the client."""

    client: TreadmillClient
    kind: Literal["simulator", "bluetooth"]
    name: str
    address: str
    sim: SimTreadmill | None = None
    """The simulator, when it is one (tests and rehearsals reach the console through it)."""

    @property
    def device_id(self) -> str:
        """A stable id for topics and file names: the address without separators."""
        return "".join(c for c in self.address.lower() if c.isalnum()) or self.name


#: Opens a treadmill on a clock; the runtime connects it and requests control.
TreadmillFactory = Callable[[Clock], contextlib.AbstractAsyncContextManager[Treadmill]]


class SessionLog(Protocol):
    """Where a sink writes what it did (the session recorder)."""

    def record(self, kind: str, /, **fields: Any) -> None: ...


class WorkoutSink(Protocol):
    """Something that follows a workout besides the session log (MQTT, the voice).

    It is entered before the workout and left after it; ``attach`` hands it the runner
    (for remote commands), the treadmill and the session log (to log what it did). Its
    ``__call__`` gets every event and must never block: the control path does not wait.
    """

    async def __aenter__(self) -> object: ...

    async def __aexit__(self, *exc: object) -> bool | None: ...

    def attach(self, runner: Runner, treadmill: Treadmill, recorder: SessionLog) -> None: ...

    def __call__(self, event: WorkoutEvent) -> None: ...
