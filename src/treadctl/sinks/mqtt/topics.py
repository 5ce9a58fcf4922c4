"""The topic map for one treadmill (docs/mqtt.md has it with example payloads)."""

from __future__ import annotations

from dataclasses import dataclass

#: Payloads on the availability topic (also the last will's).
ONLINE = "online"
OFFLINE = "offline"


@dataclass(frozen=True)
class Topics:
    """Every topic a treadmill's publisher uses, under ``<base>/<device_id>/``."""

    base: str
    device_id: str
    discovery_prefix: str

    @property
    def root(self) -> str:
        return f"{self.base}/{self.device_id}"

    @property
    def availability(self) -> str:
        """``online``/``offline``, retained; the last will says ``offline``."""
        return f"{self.root}/availability"

    @property
    def state(self) -> str:
        """One JSON object, retained, at most ``state_rate_hz`` a second."""
        return f"{self.root}/state"

    @property
    def event(self) -> str:
        """One JSON object per event, QoS 1, not retained."""
        return f"{self.root}/event"

    @property
    def command_prefix(self) -> str:
        return f"{self.root}/cmd/"

    def command(self, name: str) -> str:
        return f"{self.command_prefix}{name}"

    @property
    def command_filter(self) -> str:
        return f"{self.command_prefix}+"

    @property
    def ha_status(self) -> str:
        """Home Assistant says ``online`` here when it (re)starts: discovery goes out again."""
        return f"{self.discovery_prefix}/status"

    @property
    def node_id(self) -> str:
        """The Home Assistant discovery node: one per treadmill."""
        return f"treadctl_{self.device_id}"

    def discovery(self, component: str, object_id: str) -> str:
        return f"{self.discovery_prefix}/{component}/{self.node_id}/{object_id}/config"

    def command_name(self, topic: str) -> str | None:
        """The ``<name>`` of a ``cmd/<name>`` topic, or None for any other topic."""
        if topic.startswith(self.command_prefix):
            name = topic[len(self.command_prefix) :]
            if name and "/" not in name:
                return name
        return None
