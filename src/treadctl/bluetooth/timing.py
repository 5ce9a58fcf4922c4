"""How long treadctl looks for a device and how often it tries to connect.

Apart from :mod:`~treadctl.bluetooth.link` and :mod:`~treadctl.bluetooth.scan` (which
import bleak) so that the command line can show them as defaults without loading bleak.
"""

#: Connection attempts per connect() (bleak-retry-connector backs off between them).
CONNECT_ATTEMPTS = 3
#: How long finding one device may take before giving up.
FIND_TIMEOUT_S = 10.0
