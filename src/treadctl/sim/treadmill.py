"""The simulated treadmill: an FTMS server over belt physics, on an injected clock.

It speaks bytes, exactly like a real machine: connections (from the loopback link or the
fake BlueZ) read, write and subscribe by characteristic UUID, and get notifications
through a :class:`ServerSink`. Tests reach in through the console methods (stop, pause,
safety key, revoke control) the way a person at the console would.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum

from treadctl.clock import Clock, Timer
from treadctl.ftms import uuids
from treadctl.ftms.control_point import (
    AnyRequest,
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
    decode_request,
    encode_response,
)
from treadctl.ftms.errors import FtmsDecodeError
from treadctl.ftms.feature import Features, MachineFeature, TargetFeature, encode_features
from treadctl.ftms.machine_status import (
    MachineStatus,
    StatusOp,
    StopControl,
    encode_machine_status,
)
from treadctl.ftms.ranges import SupportedRange, encode_incline_range, encode_speed_range
from treadctl.ftms.training_status import (
    TrainingStatus,
    TrainingStatusValue,
    encode_training_status,
)
from treadctl.ftms.treadmill_data import TreadmillData, encode_treadmill_data
from treadctl.link.base import (
    ATT_ATTRIBUTE_NOT_FOUND,
    ATT_CCCD_IMPROPERLY_CONFIGURED,
    ATT_PROCEDURE_ALREADY_IN_PROGRESS,
    ATT_READ_NOT_PERMITTED,
    ATT_WRITE_NOT_PERMITTED,
    AttError,
    CharProperty,
)
from treadctl.sim.belt import Belt
from treadctl.sim.config import KMH_PER_MPH, Quirk, SimConfig
from treadctl.sim.server import ServerSink, set_subscription

log = logging.getLogger(__name__)

R, W, WNR, N, IND = (
    CharProperty.READ,
    CharProperty.WRITE,
    CharProperty.WRITE_WITHOUT_RESPONSE,
    CharProperty.NOTIFY,
    CharProperty.INDICATE,
)

FEATURES = Features(
    MachineFeature.AVERAGE_SPEED
    | MachineFeature.TOTAL_DISTANCE
    | MachineFeature.INCLINATION
    | MachineFeature.ELEVATION_GAIN
    | MachineFeature.EXPENDED_ENERGY
    | MachineFeature.HEART_RATE
    | MachineFeature.METABOLIC_EQUIVALENT
    | MachineFeature.ELAPSED_TIME,
    TargetFeature.SPEED
    | TargetFeature.INCLINATION
    | TargetFeature.TARGETED_DISTANCE
    | TargetFeature.TARGETED_TRAINING_TIME,
)


class BeltState(Enum):
    STOPPED = "stopped"
    RUNNING = "running"
    PAUSED = "paused"


@dataclass(eq=False)
class SimConnection:
    """One client's connection: its subscriptions, control permission, and procedure."""

    sim: SimTreadmill
    sink: ServerSink
    subscribed: set[str] = field(default_factory=set)
    has_control: bool = False
    procedure_busy: bool = False
    open: bool = True

    def read(self, uuid: str) -> bytes:
        return self.sim.read(uuid)

    def write(self, uuid: str, data: bytes, *, response: bool) -> None:
        self.sim.write(self, uuid, data, response=response)

    def set_subscribed(self, uuid: str, enabled: bool) -> None:
        set_subscription(self.subscribed, self.sim.characteristics, uuid, enabled)

    def close(self) -> None:
        self.sim.detach(self)


@dataclass
class SimStats:
    """What happened, for tests: every request decoded, in order, and notifications sent."""

    requests: list[AnyRequest] = field(default_factory=list)
    notifications: int = 0
    cp_rejected_busy: int = 0


class SimTreadmill:
    """An FTMS treadmill server with belt physics and real-world quirks."""

    def __init__(self, clock: Clock, config: SimConfig | None = None) -> None:
        self.clock = clock
        self.config = config or SimConfig()
        self.belt = Belt(self.config)
        self.state = BeltState.STOPPED
        self.safety_key_in = True
        self.heart_rate_bpm: int | None = None
        """Set by tests (or a heart rate model) to report a heart rate."""
        self.connections: list[SimConnection] = []
        self.stats = SimStats()
        self.observers: list[Callable[[float, float], None]] = []
        """Called with (clock time, belt speed in km/h) each time the physics advance:
        how a test or the fault campaign judges what the belt really did."""
        self.targeted_distance_m: int | None = None
        self.targeted_time_s: int | None = None
        self._speed_target_set = False
        self._stored_speed_kmh = 0.0
        self._last_advance = clock.now()
        self._responses: set[Timer] = set()
        """Control point responses on their way (cancelled when the simulator stops)."""
        cp_props = (WNR | IND) if self.config.has(Quirk.CP_WRITE_WITHOUT_RESPONSE) else (W | IND)
        chars: dict[str, CharProperty] = {
            uuids.FITNESS_MACHINE_FEATURE: R,
            uuids.TREADMILL_DATA: N,
            uuids.TRAINING_STATUS: R | N,
            uuids.SUPPORTED_SPEED_RANGE: R,
            uuids.SUPPORTED_INCLINATION_RANGE: R,
            uuids.CONTROL_POINT: cp_props,
            uuids.MACHINE_STATUS: N,
            uuids.MANUFACTURER_NAME: R,
            uuids.MODEL_NUMBER: R,
            uuids.FIRMWARE_REVISION: R,
        }
        if self.config.has(Quirk.NO_CONTROL_POINT):
            del chars[uuids.CONTROL_POINT]
        self.characteristics: Mapping[str, CharProperty] = chars

    # -- units -------------------------------------------------------------------------

    def _to_wire_speed(self, kmh: float) -> float:
        return kmh / KMH_PER_MPH if self.config.has(Quirk.MPH_FIELDS) else kmh

    def _from_wire_speed(self, value: float) -> float:
        return value * KMH_PER_MPH if self.config.has(Quirk.MPH_FIELDS) else value

    def speed_range_wire(self) -> SupportedRange:
        c = self.config
        if self.config.has(Quirk.MPH_FIELDS):
            return SupportedRange(
                round(c.min_speed_kmh / KMH_PER_MPH, 1),
                round(c.max_speed_kmh / KMH_PER_MPH, 1),
                0.1,
            )
        return SupportedRange(c.min_speed_kmh, c.max_speed_kmh, c.speed_increment_kmh)

    def incline_range(self) -> SupportedRange:
        c = self.config
        return SupportedRange(c.min_incline_pct, c.max_incline_pct, c.incline_increment_pct)

    # -- connections ---------------------------------------------------------------------

    def attach(self, sink: ServerSink) -> SimConnection:
        conn = SimConnection(self, sink)
        self.connections.append(conn)
        return conn

    def detach(self, conn: SimConnection) -> None:
        conn.open = False
        conn.has_control = False
        if conn in self.connections:
            self.connections.remove(conn)

    def drop_connections(self) -> None:
        """Drop every link from the server side (out of range, power cut of the radio)."""
        for conn in list(self.connections):
            self.detach(conn)
            conn.sink.server_disconnected()

    # -- reads ---------------------------------------------------------------------------

    def read(self, uuid: str) -> bytes:
        props = self.characteristics.get(uuid)
        if props is None:
            raise AttError(ATT_ATTRIBUTE_NOT_FOUND, f"no characteristic {uuid}")
        if not props & R:
            raise AttError(ATT_READ_NOT_PERMITTED, f"{uuid} is not readable")
        self.advance()
        if uuid == uuids.FITNESS_MACHINE_FEATURE:
            return encode_features(FEATURES)
        if uuid == uuids.SUPPORTED_SPEED_RANGE:
            return encode_speed_range(self.speed_range_wire())
        if uuid == uuids.SUPPORTED_INCLINATION_RANGE:
            return encode_incline_range(self.incline_range())
        if uuid == uuids.TRAINING_STATUS:
            return encode_training_status(self.training_status())
        if uuid == uuids.MANUFACTURER_NAME:
            return b"treadctl"
        if uuid == uuids.MODEL_NUMBER:
            return b"Simulated Treadmill"
        if uuid == uuids.FIRMWARE_REVISION:
            return b"sim-1.0"
        raise AttError(ATT_READ_NOT_PERMITTED, f"{uuid} is not readable")

    # -- control point -------------------------------------------------------------------

    def write(self, conn: SimConnection, uuid: str, data: bytes, *, response: bool) -> None:
        props = self.characteristics.get(uuid)
        if uuid != uuids.CONTROL_POINT or props is None:
            raise AttError(ATT_WRITE_NOT_PERMITTED, f"{uuid} is not writable")
        if not props & (W if response else WNR):
            raise AttError(ATT_WRITE_NOT_PERMITTED, "write type not supported")
        if uuid not in conn.subscribed:
            raise AttError(ATT_CCCD_IMPROPERLY_CONFIGURED, "enable indications first")
        lax = self.config.has(Quirk.CONTROL_NOT_ENFORCED)
        if conn.procedure_busy and not lax:
            self.stats.cp_rejected_busy += 1
            raise AttError(ATT_PROCEDURE_ALREADY_IN_PROGRESS, "procedure already in progress")
        self.advance()
        try:
            request: AnyRequest | None = decode_request(data)
        except FtmsDecodeError:
            request = None
        op_code = data[0] if data else 0
        if request is None:
            result = ResultCode.INVALID_PARAMETER
        else:
            self.stats.requests.append(request)
            result = self._execute(conn, request)
        conn.procedure_busy = True
        timer = self.clock.call_later(
            self.config.cp_response_delay_s, lambda: self._respond(conn, op_code, result, timer)
        )
        self._responses.add(timer)

    def _respond(self, conn: SimConnection, op_code: int, result: ResultCode, timer: Timer) -> None:
        self._responses.discard(timer)
        conn.procedure_busy = False
        if conn.open:
            self._send(
                conn, uuids.CONTROL_POINT, encode_response(ControlPointResponse(op_code, result))
            )

    def _execute(self, conn: SimConnection, request: AnyRequest) -> ResultCode:
        if not isinstance(request, ControlRequest):
            return ResultCode.OP_CODE_NOT_SUPPORTED
        if self.config.has(Quirk.COMMANDS_IGNORED):
            if isinstance(request, RequestControl):
                conn.has_control = True
            return ResultCode.SUCCESS  # and nothing happens: only the console moves it
        if isinstance(request, RequestControl):
            holders = [c for c in self.connections if c.has_control and c is not conn]
            if holders:
                return ResultCode.CONTROL_NOT_PERMITTED
            conn.has_control = True
            return ResultCode.SUCCESS
        if not conn.has_control and not self.config.has(Quirk.CONTROL_NOT_ENFORCED):
            return ResultCode.CONTROL_NOT_PERMITTED
        match request:
            case Reset():
                self._reset()
                conn.has_control = False
                self._notify_others(conn, MachineStatus(StatusOp.RESET))
                return ResultCode.SUCCESS
            case SetTargetSpeed(speed_kmh=wire):
                if not self.speed_range_wire().contains(wire):
                    return ResultCode.INVALID_PARAMETER
                if not self.config.has(Quirk.SPEED_LOCKED):
                    self._set_target_speed(self._from_wire_speed(wire))
                    self._notify_others(
                        conn,
                        MachineStatus(StatusOp.TARGET_SPEED_CHANGED, {"speed_kmh": wire}),
                    )
                return ResultCode.SUCCESS
            case SetTargetInclination(incline_pct=pct):
                if not self.incline_range().contains(pct):
                    return ResultCode.INVALID_PARAMETER
                self.belt.target_incline_pct = pct
                self._notify_others(
                    conn, MachineStatus(StatusOp.TARGET_INCLINE_CHANGED, {"incline_pct": pct})
                )
                return ResultCode.SUCCESS
            case StartOrResume():
                return self._start_or_resume(conn)
            case StopOrPause(control=control):
                return self._stop_or_pause(conn, control)
            case SetTargetedDistance(distance_m=m):
                self.targeted_distance_m = m
                return ResultCode.SUCCESS
            case SetTargetedTrainingTime(time_s=s):
                self.targeted_time_s = s
                return ResultCode.SUCCESS
        return ResultCode.OP_CODE_NOT_SUPPORTED

    def _set_target_speed(self, kmh: float) -> None:
        self._speed_target_set = True
        self.belt.target_speed_kmh = kmh if self.state is BeltState.RUNNING else 0.0
        self._stored_speed_kmh = kmh

    def _start_or_resume(self, conn: SimConnection | None) -> ResultCode:
        if not self.safety_key_in:
            return ResultCode.OPERATION_FAILED
        if self.state is BeltState.RUNNING:
            if self.config.has(Quirk.START_TOGGLES):
                self._halt(BeltState.PAUSED)
                return ResultCode.SUCCESS
            return ResultCode.OPERATION_FAILED
        if self.state is BeltState.STOPPED:
            self.belt.reset_session()
        if not self._speed_target_set:
            self._stored_speed_kmh = self.config.start_speed_kmh
            self._speed_target_set = True
        self.state = BeltState.RUNNING
        self.belt.counting = True
        self.belt.target_speed_kmh = self._stored_speed_kmh
        self._training_status_changed()
        if conn is not None:
            self._notify_others(conn, MachineStatus(StatusOp.STARTED_OR_RESUMED_BY_USER))
        return ResultCode.SUCCESS

    def _stop_or_pause(self, conn: SimConnection | None, control: int) -> ResultCode:
        if control not in (StopControl.STOP, StopControl.PAUSE):
            return ResultCode.INVALID_PARAMETER
        wanted = BeltState.STOPPED if control == StopControl.STOP else BeltState.PAUSED
        if self.state is wanted or (self.state is BeltState.STOPPED):
            return ResultCode.OPERATION_FAILED
        self._halt(wanted)
        if conn is not None:
            self._notify_others(
                conn, MachineStatus(StatusOp.STOPPED_OR_PAUSED_BY_USER, {"control": control})
            )
        return ResultCode.SUCCESS

    def _halt(self, state: BeltState) -> None:
        self.state = state
        self.belt.counting = False
        self.belt.target_speed_kmh = 0.0
        if state is BeltState.STOPPED:
            self._speed_target_set = False
        self._training_status_changed()

    def _reset(self) -> None:
        self._halt(BeltState.STOPPED)
        self.belt.target_incline_pct = 0.0
        self.belt.reset_session()
        self.targeted_distance_m = self.targeted_time_s = None

    # -- console (what a person at the machine does) -------------------------------------

    def console_stop(self) -> None:
        self.advance()
        if self._stop_or_pause(None, StopControl.STOP) is ResultCode.SUCCESS:
            self._notify_all(
                MachineStatus(StatusOp.STOPPED_OR_PAUSED_BY_USER, {"control": StopControl.STOP})
            )

    def console_pause(self) -> None:
        self.advance()
        if self._stop_or_pause(None, StopControl.PAUSE) is ResultCode.SUCCESS:
            self._notify_all(
                MachineStatus(StatusOp.STOPPED_OR_PAUSED_BY_USER, {"control": StopControl.PAUSE})
            )

    def console_start(self) -> None:
        self.advance()
        if self._start_or_resume(None) is ResultCode.SUCCESS:
            self._notify_all(MachineStatus(StatusOp.STARTED_OR_RESUMED_BY_USER))

    def console_set_speed(self, kmh: float) -> None:
        self.advance()
        self._set_target_speed(kmh)
        wire = round(self._to_wire_speed(kmh), 2)
        self._notify_all(MachineStatus(StatusOp.TARGET_SPEED_CHANGED, {"speed_kmh": wire}))

    def pull_safety_key(self) -> None:
        self.advance()
        self.safety_key_in = False
        self._halt(BeltState.STOPPED)
        self.belt.emergency = True
        self._notify_all(MachineStatus(StatusOp.STOPPED_BY_SAFETY_KEY))

    def insert_safety_key(self) -> None:
        self.safety_key_in = True

    def revoke_control(self) -> None:
        """Control taken away at the console (or by another app)."""
        for conn in self.connections:
            if conn.has_control:
                conn.has_control = False
                self._send_status(conn, MachineStatus(StatusOp.CONTROL_PERMISSION_LOST))

    # -- notifications -------------------------------------------------------------------

    def _send(self, conn: SimConnection, uuid: str, data: bytes) -> None:
        if uuid in conn.subscribed and conn.open:
            self.stats.notifications += 1
            conn.sink.notify(uuid, data)

    def _trailing(self) -> bytes:
        return b"\x00\x00" if self.config.has(Quirk.TRAILING_BYTES) else b""

    def _send_status(self, conn: SimConnection, status: MachineStatus) -> None:
        self._send(conn, uuids.MACHINE_STATUS, encode_machine_status(status) + self._trailing())

    def _notify_all(self, status: MachineStatus) -> None:
        for conn in list(self.connections):
            self._send_status(conn, status)

    def _notify_others(self, origin: SimConnection, status: MachineStatus) -> None:
        """Changes a client made go to the other clients only (FTMS §4.17.1)."""
        echo = self.config.has(Quirk.STATUS_ECHO)
        for conn in list(self.connections):
            if conn is not origin or echo:
                self._send_status(conn, status)

    def training_status(self) -> TrainingStatusValue:
        rfu = self.config.has(Quirk.TRAINING_STATUS_RFU)
        match self.state:
            case BeltState.RUNNING:
                code = 0x10 if rfu else TrainingStatus.MANUAL_MODE
            case BeltState.PAUSED:
                code = 0x11 if rfu else TrainingStatus.OTHER
            case _:
                code = TrainingStatus.IDLE
        return TrainingStatusValue(int(code))

    def _training_status_changed(self) -> None:
        data = encode_training_status(self.training_status())
        for conn in list(self.connections):
            self._send(conn, uuids.TRAINING_STATUS, data)

    def treadmill_data(self) -> TreadmillData:
        b = self.belt
        met = b.met
        values: dict[str, float | int | None] = {
            "speed_kmh": round(self._to_wire_speed(b.speed_kmh), 2),
            "avg_speed_kmh": round(self._to_wire_speed(b.average_speed_kmh), 2),
            "distance_m": int(b.distance_m),
            "incline_pct": round(b.incline_pct, 1),
            "ramp_angle_deg": None,
            "elevation_gain_m": round(b.elevation_gain_m, 1),
            "elevation_loss_m": 0.0,
            "energy_kcal": int(b.energy_kcal),
            "energy_per_hour_kcal": int(met * self.config.user_weight_kg),
            "energy_per_minute_kcal": int(met * self.config.user_weight_kg / 60),
            "met": round(met, 1),
            "elapsed_s": int(b.elapsed_s),
        }
        if self.heart_rate_bpm is not None:
            values["heart_rate_bpm"] = self.heart_rate_bpm
        if self.config.has(Quirk.STEP_COUNT_BIT13):
            values["steps"] = int(b.steps) & 0xFFFF
        return TreadmillData.from_values(values)

    def advance(self) -> None:
        """Bring the physics up to the clock's now."""
        now = self.clock.now()
        self.belt.advance(now - self._last_advance)
        self._last_advance = now
        for observer in self.observers:
            observer(now, self.belt.speed_kmh)

    def tick(self) -> None:
        """Advance and notify Treadmill Data once (the run loop calls this at the data rate)."""
        self.advance()
        packets = encode_treadmill_data(
            self.treadmill_data(), max_packet_len=self.config.max_packet_len
        )
        trailing = self._trailing()
        echo = self.config.has(Quirk.TARGET_SPEED_ECHO) and (
            abs(self.belt.speed_kmh - self.belt.target_speed_kmh) > 1e-6
        )
        for conn in list(self.connections):
            for packet in packets:
                self._send(conn, uuids.TREADMILL_DATA, packet + trailing)
            if echo:
                wire = round(self._to_wire_speed(self.belt.speed_kmh), 2)
                self._send_status(
                    conn, MachineStatus(StatusOp.TARGET_SPEED_CHANGED, {"speed_kmh": wire})
                )

    # -- running -------------------------------------------------------------------------

    async def run(self) -> None:
        """Notify Treadmill Data at the configured rate until cancelled.

        A timer on the clock beats at the data rate (cheaper than a sleeping task in a
        fast replay); an error in a beat ends the run with that error.
        """
        period_s = 1.0 / self.config.data_rate_hz
        self._last_advance = self.clock.now()
        failed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        timer: Timer | None = None

        def beat() -> None:
            nonlocal timer
            try:
                self.tick()
            except Exception as exc:  # ends run() with it, as a sleeping loop would
                failed.set_exception(exc)
                return
            timer = self.clock.call_later(period_s, beat)

        timer = self.clock.call_later(period_s, beat)
        try:
            await failed
        finally:
            timer.cancel()

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[SimTreadmill]:
        task = asyncio.create_task(self.run(), name=f"sim-{self.config.name}")
        try:
            yield self
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            for timer in self._responses:
                timer.cancel()
            self._responses.clear()
