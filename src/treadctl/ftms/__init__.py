"""The FTMS protocol for treadmills, sans I/O: typed values in and out of bytes.

Both directions are here: the client encodes control point requests and decodes data;
the simulator decodes requests and encodes data. Nothing here does I/O, and the only
exceptions raised are :class:`FtmsDecodeError` and :class:`FtmsEncodeError`.
"""

from treadctl.ftms.advertisement import (
    FtmsServiceData,
    MachineType,
    decode_service_data,
    encode_service_data,
)
from treadctl.ftms.control_point import (
    REQUEST_TYPES,
    AnyRequest,
    ControlOp,
    ControlPointResponse,
    ControlRequest,
    RequestControl,
    Reset,
    ResultCode,
    SetTargetedDistance,
    SetTargetedTrainingTime,
    SetTargetInclination,
    SetTargetSpeed,
    StartOrResume,
    StopOrPause,
    UnknownRequest,
    decode_control_point,
    decode_request,
    decode_response,
    encode_request,
    encode_response,
)
from treadctl.ftms.deviations import Deviation
from treadctl.ftms.errors import FtmsDecodeError, FtmsEncodeError, FtmsError
from treadctl.ftms.feature import (
    Features,
    MachineFeature,
    TargetFeature,
    decode_features,
    encode_features,
)
from treadctl.ftms.machine_status import (
    MachineStatus,
    StatusOp,
    StopControl,
    decode_machine_status,
    encode_machine_status,
)
from treadctl.ftms.ranges import (
    Snapped,
    SupportedRange,
    decode_incline_range,
    decode_speed_range,
    encode_incline_range,
    encode_speed_range,
)
from treadctl.ftms.training_status import (
    TrainingStatus,
    TrainingStatusValue,
    decode_training_status,
    encode_training_status,
)
from treadctl.ftms.treadmill_data import (
    TreadmillData,
    TreadmillDataAssembler,
    decode_treadmill_data,
    encode_treadmill_data,
    merge_records,
)

__all__ = [
    "REQUEST_TYPES",
    "AnyRequest",
    "ControlOp",
    "ControlPointResponse",
    "ControlRequest",
    "Deviation",
    "Features",
    "FtmsDecodeError",
    "FtmsEncodeError",
    "FtmsError",
    "FtmsServiceData",
    "MachineFeature",
    "MachineStatus",
    "MachineType",
    "RequestControl",
    "Reset",
    "ResultCode",
    "SetTargetInclination",
    "SetTargetSpeed",
    "SetTargetedDistance",
    "SetTargetedTrainingTime",
    "Snapped",
    "StartOrResume",
    "StatusOp",
    "StopControl",
    "StopOrPause",
    "SupportedRange",
    "TargetFeature",
    "TrainingStatus",
    "TrainingStatusValue",
    "TreadmillData",
    "TreadmillDataAssembler",
    "UnknownRequest",
    "decode_control_point",
    "decode_features",
    "decode_incline_range",
    "decode_machine_status",
    "decode_request",
    "decode_response",
    "decode_service_data",
    "decode_speed_range",
    "decode_training_status",
    "decode_treadmill_data",
    "encode_features",
    "encode_incline_range",
    "encode_machine_status",
    "encode_request",
    "encode_response",
    "encode_service_data",
    "encode_speed_range",
    "encode_training_status",
    "encode_treadmill_data",
    "merge_records",
]
