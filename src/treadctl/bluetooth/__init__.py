"""Real Bluetooth: scanning, finding a treadmill, friendly errors, and BLE logs.

The bleak link itself is :mod:`treadctl.bluetooth.link`; this package is what sits
around it: :mod:`~treadctl.bluetooth.scan` (what is in range), :mod:`~treadctl.bluetooth.device`
(the treadmill factory and the ``--device`` arguments), :mod:`~treadctl.bluetooth.errors`
and :mod:`~treadctl.bluetooth.blelog` (``--ble-log`` files and their playback).
"""
