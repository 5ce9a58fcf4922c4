"""Bluetooth SIG UUIDs of the Fitness Machine Service and its neighbours."""


def sig_uuid(short: int) -> str:
    """The full 128-bit form of a 16-bit SIG UUID, lower case as bleak reports it."""
    return f"0000{short:04x}-0000-1000-8000-00805f9b34fb"


FITNESS_MACHINE_SERVICE = sig_uuid(0x1826)
FITNESS_MACHINE_FEATURE = sig_uuid(0x2ACC)
TREADMILL_DATA = sig_uuid(0x2ACD)
TRAINING_STATUS = sig_uuid(0x2AD3)
SUPPORTED_SPEED_RANGE = sig_uuid(0x2AD4)
SUPPORTED_INCLINATION_RANGE = sig_uuid(0x2AD5)
CONTROL_POINT = sig_uuid(0x2AD9)
MACHINE_STATUS = sig_uuid(0x2ADA)
CCCD = sig_uuid(0x2902)

DEVICE_INFORMATION_SERVICE = sig_uuid(0x180A)
MANUFACTURER_NAME = sig_uuid(0x2A29)
MODEL_NUMBER = sig_uuid(0x2A24)
SERIAL_NUMBER = sig_uuid(0x2A25)
HARDWARE_REVISION = sig_uuid(0x2A27)
FIRMWARE_REVISION = sig_uuid(0x2A26)
SOFTWARE_REVISION = sig_uuid(0x2A28)
