from treadctl.errors import TreadctlError

"""The heart-rate protocol's own errors: the only exceptions :mod:`treadctl.hrs` raises."""


class HeartRateError(TreadctlError, ValueError):
    """Base of the heart-rate protocol's errors."""


class HeartRateDecodeError(HeartRateError):
    """Nothing useful could be read from the bytes."""


class HeartRateEncodeError(HeartRateError):
    """A value does not fit the wire format."""
