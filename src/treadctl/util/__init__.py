"""Small things every layer uses, written once: listener lists, task sets, the JSON-lines
appender, reconnect backoff. Nothing here knows about treadmills."""
