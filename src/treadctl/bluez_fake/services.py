"""Which GATT services a simulated device shows, built from its characteristics.

A simulated server lists characteristics only; the fake BlueZ groups them into services
as a real device would (the Fitness Machine Service for a treadmill, the Heart Rate
Service for a strap, Device Information for both), and advertises the primary ones.
"""

from __future__ import annotations

from collections.abc import Mapping

from treadctl.ftms import uuids
from treadctl.hrs import uuids as hrs_uuids
from treadctl.link.base import CharProperty

FTMS_CHARACTERISTICS = frozenset(
    {
        uuids.FITNESS_MACHINE_FEATURE,
        uuids.TREADMILL_DATA,
        uuids.TRAINING_STATUS,
        uuids.SUPPORTED_SPEED_RANGE,
        uuids.SUPPORTED_INCLINATION_RANGE,
        uuids.CONTROL_POINT,
        uuids.MACHINE_STATUS,
    }
)
HRS_CHARACTERISTICS = frozenset(
    {
        hrs_uuids.HEART_RATE_MEASUREMENT,
        hrs_uuids.BODY_SENSOR_LOCATION,
        hrs_uuids.HEART_RATE_CONTROL_POINT,
    }
)
DIS_CHARACTERISTICS = frozenset(
    {
        uuids.MANUFACTURER_NAME,
        uuids.MODEL_NUMBER,
        uuids.SERIAL_NUMBER,
        uuids.HARDWARE_REVISION,
        uuids.FIRMWARE_REVISION,
        uuids.SOFTWARE_REVISION,
    }
)
#: Service UUID, its characteristics, and whether a device advertises it.
SERVICE_GROUPS: tuple[tuple[str, frozenset[str], bool], ...] = (
    (uuids.FITNESS_MACHINE_SERVICE, FTMS_CHARACTERISTICS, True),
    (hrs_uuids.HEART_RATE_SERVICE, HRS_CHARACTERISTICS, True),
    (uuids.DEVICE_INFORMATION_SERVICE, DIS_CHARACTERISTICS, False),
)

Services = list[tuple[str, list[tuple[str, CharProperty]]]]


def group_services(chars: Mapping[str, CharProperty]) -> Services:
    """The services the characteristics make, each with its characteristics, in order."""
    out: Services = []
    for service_uuid, members, _advertised in SERVICE_GROUPS:
        present = [(u, p) for u, p in chars.items() if u in members]
        if present:
            out.append((service_uuid, present))
    return out


def advertised_services(chars: Mapping[str, CharProperty]) -> list[str]:
    """The primary services a device with these characteristics advertises."""
    return [
        service
        for service, members, advertised in SERVICE_GROUPS
        if advertised and members & set(chars)
    ]
