"""What the client reports besides the state: things that happened, once each."""

from __future__ import annotations

from dataclasses import dataclass

from treadctl.client.state import TreadmillState


@dataclass(frozen=True, slots=True)
class StoppedAtConsole:
    """Stopped or paused by the user at the machine (status 0x02)."""

    paused: bool


@dataclass(frozen=True, slots=True)
class StartedAtConsole:
    """Started or resumed by the user at the machine (status 0x04)."""


@dataclass(frozen=True, slots=True)
class SafetyKeyPulled:
    """Stopped by the safety key (status 0x03)."""


@dataclass(frozen=True, slots=True)
class TargetSpeedChanged:
    """A target speed reported by the machine (console, another app, or a ramping echo)."""

    speed_kmh: float


@dataclass(frozen=True, slots=True)
class TargetInclineChanged:
    incline_pct: float


@dataclass(frozen=True, slots=True)
class MachineReset:
    pass


@dataclass(frozen=True, slots=True)
class ControlLost:
    """Control permission was lost (status 0xFF); ``regained`` after one re-request."""

    regained: bool
    reason: str = ""


@dataclass(frozen=True, slots=True)
class DataRecord:
    """A complete Treadmill Data record arrived; ``state`` includes it.

    Listeners see every record in order (the state stream skips for slow readers), so a
    filter of readings can judge each against the one before it.
    """

    state: TreadmillState


@dataclass(frozen=True, slots=True)
class LinkDown:
    """The link to the treadmill dropped."""


@dataclass(frozen=True, slots=True)
class MalformedData:
    """A notification that could not be decoded: counted and skipped (hazard H12)."""

    characteristic: str
    data_hex: str
    error: str


@dataclass(frozen=True, slots=True)
class RangeAdjusted:
    """A command was brought onto the machine's range or grid (hazard H4)."""

    quantity: str
    wanted: float
    sent: float
    clamped: bool


ClientEvent = (
    StoppedAtConsole
    | StartedAtConsole
    | SafetyKeyPulled
    | TargetSpeedChanged
    | TargetInclineChanged
    | MachineReset
    | ControlLost
    | LinkDown
    | DataRecord
    | MalformedData
    | RangeAdjusted
)
