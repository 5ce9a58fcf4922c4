"""A simulated FTMS treadmill that speaks the same bytes as a real one."""

from typing import TYPE_CHECKING, Any

from treadctl.sim.config import KMH_PER_MPH, Quirk, SimConfig

if TYPE_CHECKING:
    from treadctl.sim.server import ServerSink
    from treadctl.sim.treadmill import BeltState, SimConnection, SimTreadmill
else:

    def __getattr__(name: str) -> Any:
        """The simulator itself loads on first use: naming a quirk (the TUI's start
        screen, the command line) does not load the treadmill."""
        if name in {"BeltState", "ServerSink", "SimConnection", "SimTreadmill"}:
            from treadctl.sim import treadmill  # noqa: PLC0415

            return getattr(treadmill, name)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "KMH_PER_MPH",
    "BeltState",
    "Quirk",
    "ServerSink",
    "SimConfig",
    "SimConnection",
    "SimTreadmill",
]
