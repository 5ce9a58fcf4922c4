"""The merged, latest state of a treadmill, and a latest-only broadcast of it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, fields
from enum import Enum
from typing import Generic, TypeVar

T = TypeVar("T")


class BeltStatus(Enum):
    UNKNOWN = "unknown"
    STOPPED = "stopped"
    PAUSED = "paused"
    RUNNING = "running"


@dataclass(frozen=True)
class TreadmillState:
    """Everything known about the machine now. Speeds km/h, inclines %, times s."""

    connected: bool = False
    has_control: bool = False
    belt: BeltStatus = BeltStatus.UNKNOWN
    speed_kmh: float | None = None
    incline_pct: float | None = None
    distance_m: int | None = None
    energy_kcal: int | None = None
    heart_rate_bpm: int | None = None
    elapsed_s: int | None = None
    steps: int | None = None
    target_speed_kmh: float | None = None
    target_incline_pct: float | None = None
    training_status: int | None = None
    updated_s: float | None = None
    """Clock time of the last Treadmill Data record."""
    records: int = 0
    malformed: int = 0

    def with_changes(self, changes: dict[str, object]) -> TreadmillState:
        """A copy with ``changes`` (as :func:`dataclasses.replace`, several times faster:
        the client makes one for every record, thousands in a fast replay)."""
        unknown = changes.keys() - _STATE_FIELDS
        if unknown:
            raise TypeError(f"TreadmillState has no field {sorted(unknown)[0]!r}")
        state: TreadmillState = object.__new__(TreadmillState)
        object.__setattr__(state, "__dict__", {**self.__dict__, **changes})
        return state


_STATE_FIELDS = frozenset(f.name for f in fields(TreadmillState))


class Latest(Generic[T]):
    """Holds the newest value; readers iterate and skip values they were too slow for."""

    def __init__(self, value: T) -> None:
        self._value = value
        self._version = 0
        # Made when someone waits: most values are set many times between two reads.
        self._changed: asyncio.Event | None = None

    @property
    def value(self) -> T:
        return self._value

    @property
    def version(self) -> int:
        return self._version

    def set(self, value: T) -> None:
        self._value = value
        self._version += 1
        if self._changed is not None:
            self._changed.set()
            self._changed = None

    async def wait_next(self, after_version: int) -> tuple[int, T]:
        while self._version <= after_version:
            if self._changed is None:
                self._changed = asyncio.Event()
            await self._changed.wait()
        return self._version, self._value

    async def stream(self) -> AsyncIterator[T]:
        seen = self._version
        yield self._value
        while True:
            seen, value = await self.wait_next(seen)
            yield value
