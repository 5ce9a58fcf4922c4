"""The Heart Rate Service (0x180D) for chest straps, sans I/O: bytes in and out.

Both directions are here: the client decodes Heart Rate Measurement and Body Sensor
Location; the simulated strap encodes them. Nothing here does I/O, and the only
exceptions raised are :class:`HeartRateDecodeError` and :class:`HeartRateEncodeError`.
:class:`HeartRateReading` is the rate as the workout sees it, with the rules for
"heart rate unknown".
"""

from treadctl.hrs.deviations import HrsDeviation
from treadctl.hrs.errors import HeartRateDecodeError, HeartRateEncodeError, HeartRateError
from treadctl.hrs.location import (
    BodySensorLocation,
    SensorLocationValue,
    decode_body_sensor_location,
    encode_body_sensor_location,
)
from treadctl.hrs.measurement import (
    HeartRateMeasurement,
    SensorContact,
    decode_heart_rate_measurement,
    encode_heart_rate_measurement,
    rr_from_seconds,
    rr_room,
)
from treadctl.hrs.reading import (
    MAX_PLAUSIBLE_BPM,
    HeartRateReading,
    preferred_reading,
    strap_reading,
    treadmill_reading,
    unknown_reason,
)

__all__ = [
    "MAX_PLAUSIBLE_BPM",
    "BodySensorLocation",
    "HeartRateDecodeError",
    "HeartRateEncodeError",
    "HeartRateError",
    "HeartRateMeasurement",
    "HeartRateReading",
    "HrsDeviation",
    "SensorContact",
    "SensorLocationValue",
    "decode_body_sensor_location",
    "decode_heart_rate_measurement",
    "encode_body_sensor_location",
    "encode_heart_rate_measurement",
    "preferred_reading",
    "rr_from_seconds",
    "rr_room",
    "strap_reading",
    "treadmill_reading",
    "unknown_reason",
]
