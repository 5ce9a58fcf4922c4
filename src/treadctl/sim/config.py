"""Settings of the simulated treadmill, and the real-world quirks it can imitate."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from treadctl.units import KMH_PER_MPH

__all__ = ["COMMANDABLE_QUIRKS", "KMH_PER_MPH", "Quirk", "SimConfig"]


class Quirk(StrEnum):
    """Deviations from the spec seen on real machines (ftms.md, "How real machines deviate")."""

    CP_WRITE_WITHOUT_RESPONSE = "cp-write-without-response"
    """Control point is Write Without Response + Indicate, answered by notification (UREVO)."""
    CONTROL_NOT_ENFORCED = "control-not-enforced"
    """Procedures work without Request Control, and two in a row are both answered (UREVO)."""
    STEP_COUNT_BIT13 = "step-count-bit13"
    """Treadmill Data carries a step count under the non-standard flag bit 13."""
    TRAILING_BYTES = "trailing-bytes"
    """Two extra bytes after every Treadmill Data and Machine Status value."""
    START_TOGGLES = "start-toggles"
    """Start/Resume (0x07) sent to a running belt stops it (Vitalwalk)."""
    SPEED_LOCKED = "speed-locked"
    """Speed writes answered with Success and ignored (Sole F85, BH, Xterra)."""
    MPH_FIELDS = "mph-fields"
    """Speeds in mph numbers inside the km/h fields (Bowflex T9, some FitShow modules)."""
    TARGET_SPEED_ECHO = "target-speed-echo"
    """Target Speed Changed (0x05) notified on every tick while the belt ramps (UREVO)."""
    TRAINING_STATUS_RFU = "training-status-rfu"
    """Training Status codes from the reserved range (0x10 running, 0x11 paused)."""
    STATUS_ECHO = "status-echo"
    """Fitness Machine Status for a client's own commands goes back to that client too."""
    NO_CONTROL_POINT = "no-control-point"
    """No Fitness Machine Control Point: the machine reports and takes no commands
    (Vitalwalk and other read-only decks; treadctl runs an advisory workout)."""
    COMMANDS_IGNORED = "commands-ignored"
    """Every control point request answered with Success and ignored: only the console
    moves the belt (locked firmware, some gym machines)."""


#: The quirks a machine can still be commanded with (the campaign draws from these).
COMMANDABLE_QUIRKS: tuple[Quirk, ...] = tuple(
    q for q in Quirk if q not in (Quirk.NO_CONTROL_POINT, Quirk.COMMANDS_IGNORED)
)


@dataclass(frozen=True, slots=True)
class SimConfig:
    """What the simulated machine is. Speeds in km/h, inclines in %, rates per second."""

    name: str = "treadctl-sim"
    address: str = "AA:BB:CC:DD:EE:01"
    min_speed_kmh: float = 0.5
    max_speed_kmh: float = 16.0
    speed_increment_kmh: float = 0.1
    min_incline_pct: float = 0.0
    max_incline_pct: float = 15.0
    incline_increment_pct: float = 0.5
    accel_kmh_per_s: float = 0.5
    decel_kmh_per_s: float = 0.5
    #: Deceleration when the safety key is pulled: as fast as the motor brakes.
    emergency_decel_kmh_per_s: float = 4.0
    incline_pct_per_s: float = 0.5
    #: Speed the belt goes to on Start when no target was set.
    start_speed_kmh: float = 1.0
    data_rate_hz: float = 2.0
    #: Time from a control point write to its 0x80 answer.
    cp_response_delay_s: float = 0.02
    #: Notification payload limit (ATT MTU 23 -> 20 bytes); larger records are split.
    max_packet_len: int | None = 20
    user_weight_kg: float = 70.0
    quirks: frozenset[Quirk] = field(default_factory=frozenset)

    def has(self, quirk: Quirk) -> bool:
        return quirk in self.quirks
