"""Typed errors of the treadmill client, each saying what to do about it."""

from __future__ import annotations

from treadctl.errors import TreadctlError
from treadctl.ftms.control_point import ControlOp, ResultCode


class TreadmillError(TreadctlError):
    """Base of the client's errors."""


class NotConnected(TreadmillError):
    """No link to the treadmill."""


class MissingCharacteristic(TreadmillError):
    """The treadmill lacks a characteristic this needs.

    ``device``: the treadmill's name; ``what``: ``"service"`` (no Fitness Machine
    Service at all) or ``"control point"`` (read-only: stats without control).
    """

    def __init__(self, device: str, what: str, message: str) -> None:
        super().__init__(message)
        self.device = device
        self.what = what

    @property
    def read_only(self) -> bool:
        return self.what == "control point"


class ProcedureError(TreadmillError):
    """A control point procedure did not succeed."""

    def __init__(self, op: int, message: str) -> None:
        self.op = op
        super().__init__(f"{_op_name(op)}: {message}")


class ProcedureRejected(ProcedureError):
    """The treadmill answered with a result code other than Success."""

    def __init__(self, op: int, result_code: int) -> None:
        self.result_code = result_code
        try:
            name = ResultCode(result_code).name.lower().replace("_", " ")
        except ValueError:
            name = f"result code 0x{result_code:02X}"
        super().__init__(op, name)


class OpCodeNotSupported(ProcedureRejected):
    pass


class InvalidParameter(ProcedureRejected):
    pass


class OperationFailed(ProcedureRejected):
    pass


class ControlNotPermitted(ProcedureRejected):
    pass


class ControlPointTimeout(ProcedureError):
    """No answer within the timeout. FTMP §4.4.14.3: reconnect before the next procedure."""


class ProcedureBusy(ProcedureError):
    """The treadmill refused the write: another procedure is in progress (ATT 0xFE)."""


class ProcedureCancelled(ProcedureError):
    """Dropped before it went out: a stop or pause took its place, or it was no longer allowed."""


class ControlPointUnusable(ProcedureError):
    """A procedure timed out on this link; reconnect before sending more."""


_REJECTIONS: dict[int, type[ProcedureRejected]] = {
    ResultCode.OP_CODE_NOT_SUPPORTED: OpCodeNotSupported,
    ResultCode.INVALID_PARAMETER: InvalidParameter,
    ResultCode.OPERATION_FAILED: OperationFailed,
    ResultCode.CONTROL_NOT_PERMITTED: ControlNotPermitted,
}


def rejection(op: int, result_code: int) -> ProcedureRejected:
    return _REJECTIONS.get(result_code, ProcedureRejected)(op, result_code)


def _op_name(op: int) -> str:
    try:
        return ControlOp(op).name.lower().replace("_", " ")
    except ValueError:
        return f"op 0x{op:02X}"
