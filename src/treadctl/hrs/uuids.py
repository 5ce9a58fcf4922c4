"""Bluetooth SIG UUIDs of the Heart Rate Service (HRS 1.0) and its characteristics."""

from treadctl.ftms.uuids import sig_uuid

HEART_RATE_SERVICE = sig_uuid(0x180D)
HEART_RATE_MEASUREMENT = sig_uuid(0x2A37)
BODY_SENSOR_LOCATION = sig_uuid(0x2A38)
HEART_RATE_CONTROL_POINT = sig_uuid(0x2A39)
