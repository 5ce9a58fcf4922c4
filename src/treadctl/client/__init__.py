"""The async FTMS treadmill client (the collector)."""

from treadctl.client import errors, events
from treadctl.client.state import BeltStatus, TreadmillState
from treadctl.client.treadmill import TreadmillClient
from treadctl.units import SpeedUnit

__all__ = ["BeltStatus", "SpeedUnit", "TreadmillClient", "TreadmillState", "errors", "events"]
