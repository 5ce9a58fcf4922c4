"""`treadctl watch`: supervise every treadctl treadmill on a broker at once (docs/watch.md).

The layers, lightest first: :mod:`.status` reads state and event payloads defensively,
:mod:`.fleet` is the sans-IO model of every treadmill (what each says, which need a
person), :mod:`.follower` feeds it from a broker with aiomqtt and sends the two H10
commands, and :mod:`.ui` is the Textual dashboard. Importing this package loads neither
aiomqtt nor Textual.
"""

from treadctl.watch.fleet import (
    REASONS,
    Alarm,
    CommandNote,
    Fleet,
    FleetStats,
    Reason,
    Treadmill,
)
from treadctl.watch.status import Alert, PayloadError, TreadmillStatus, WatchEvent

__all__ = [
    "REASONS",
    "Alarm",
    "Alert",
    "CommandNote",
    "Fleet",
    "FleetStats",
    "PayloadError",
    "Reason",
    "Treadmill",
    "TreadmillStatus",
    "WatchEvent",
]
