"""A simulated FTMS treadmill that speaks the same bytes as a real one."""

from treadctl.sim.config import KMH_PER_MPH, Quirk, SimConfig
from treadctl.sim.treadmill import BeltState, ServerSink, SimConnection, SimTreadmill

__all__ = [
    "KMH_PER_MPH",
    "BeltState",
    "Quirk",
    "ServerSink",
    "SimConfig",
    "SimConnection",
    "SimTreadmill",
]
