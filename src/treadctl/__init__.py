"""treadctl: guided backward walking and running on Bluetooth FTMS treadmills."""

__version__ = "0.1.0"
