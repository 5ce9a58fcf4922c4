from treadctl.errors import TreadctlError

"""The protocol layer's own errors: the only exceptions it raises."""


class FtmsError(TreadctlError, ValueError):
    """Base of the protocol layer's errors."""


class FtmsDecodeError(FtmsError):
    """Nothing useful could be read from the bytes."""


class FtmsEncodeError(FtmsError):
    """A value does not fit the wire format (out of the field's range)."""
