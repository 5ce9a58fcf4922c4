"""The FTMS collector: one treadmill, its ranges, its state, and safe control.

Rules it keeps (FTMP §4.4 and ftms.md): read features and ranges first; enable
notifications and control point indications before any procedure; request control;
one procedure at a time with a timeout; after a timeout, no new procedure until a new
link. Rules it adds for people on the belt: a stop goes ahead of anything queued and
cancels it; commands are clamped and rounded onto the machine's grid, never truncated;
Start is never sent to a running belt (on some decks it is a toggle).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections import Counter
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

from treadctl.client import errors
from treadctl.client.events import (
    ClientEvent,
    ControlLost,
    DataRecord,
    LinkDown,
    MachineReset,
    MalformedData,
    RangeAdjusted,
    SafetyKeyPulled,
    StartedAtConsole,
    StoppedAtConsole,
    TargetInclineChanged,
    TargetSpeedChanged,
)
from treadctl.client.gate import ProcedureGate
from treadctl.client.grid import SpeedGrid
from treadctl.client.state import BeltStatus, Latest, TreadmillState
from treadctl.clock import Clock, wait_for
from treadctl.ftms import uuids
from treadctl.ftms.control_point import (
    ControlOp,
    ControlPointResponse,
    ControlRequest,
    RequestControl,
    Reset,
    SetTargetInclination,
    SetTargetSpeed,
    StartOrResume,
    StopOrPause,
    decode_response,
    encode_request,
)
from treadctl.ftms.errors import FtmsDecodeError
from treadctl.ftms.feature import Features, decode_features
from treadctl.ftms.machine_status import StatusOp, StopControl, decode_machine_status
from treadctl.ftms.ranges import Snapped, SupportedRange, decode_incline_range, decode_speed_range
from treadctl.ftms.training_status import decode_training_status
from treadctl.ftms.treadmill_data import (
    TreadmillData,
    TreadmillDataAssembler,
    decode_treadmill_data,
)
from treadctl.link.base import (
    ATT_PROCEDURE_ALREADY_IN_PROGRESS,
    AttError,
    CharProperty,
    GattLink,
    LinkError,
)
from treadctl.units import KMH_PER_MPH, SpeedUnit
from treadctl.util.listeners import Listeners
from treadctl.util.tasks import TaskSet

log = logging.getLogger(__name__)

#: FTMP §4.4.14.3: the ATT transaction timeout.
CP_TIMEOUT_S = 30.0
#: How long a stop waits for a procedure already in flight before it goes out anyway.
STOP_PREEMPT_S = 0.5
#: A second stop while the first has waited this long for its answer is sent again.
STOP_RESEND_S = 1.0
#: How often a stop is retried while the machine says another procedure is in progress.
STOP_RETRY_S = 0.1
#: After Start, wait up to this long for the belt to move before sending a speed
#: (KingSmith decks drop the link on a speed target during spin-up).
START_MOVING_TIMEOUT_S = 5.0
#: With ``start_toggles``: how long start() waits for a first Treadmill Data record to
#: learn whether a belt of unknown state is already moving.
START_TOGGLE_DATA_WAIT_S = 3.0
#: Do not re-request control more often than this (another app may be fighting for it).
CONTROL_RETRY_INTERVAL_S = 10.0
#: A "stopped or paused by the user" status this soon after our own stop or pause, with the
#: same control value, is the machine echoing our command, not a person at the console.
OWN_COMMAND_ECHO_S = 3.0
#: Fallback ranges when the machine does not publish its own.
DEFAULT_SPEED_RANGE = SupportedRange(0.5, 20.0, 0.1)
DEFAULT_INCLINE_RANGE = SupportedRange(0.0, 15.0, 0.5)


@dataclasses.dataclass
class ClientStats:
    malformed: Counter[str] = dataclasses.field(default_factory=Counter)
    deviations: Counter[str] = dataclasses.field(default_factory=Counter)
    stale_responses: int = 0
    procedures: int = 0


class TreadmillClient:
    """Controls one FTMS treadmill through a :class:`~treadctl.link.GattLink`.

    Speeds are km/h at this interface whatever the machine speaks: ``speed_unit="mph"``
    is for machines that put mph numbers in the km/h fields.
    """

    def __init__(
        self,
        link: GattLink,
        clock: Clock,
        *,
        cp_timeout_s: float = CP_TIMEOUT_S,
        stop_preempt_s: float = STOP_PREEMPT_S,
        speed_unit: SpeedUnit = "kmh",
        start_toggles: bool = False,
    ) -> None:
        self.link = link
        self.start_toggles = start_toggles
        """Start (0x07) stops a running belt on this deck: never send it to a belt whose
        state is unknown and that reports moving."""
        self.clock = clock
        self.cp_timeout_s = cp_timeout_s
        self.stop_preempt_s = stop_preempt_s
        self.speed_unit: SpeedUnit = speed_unit
        self.features: Features | None = None
        self.device_info: dict[str, str] = {}
        self.stats = ClientStats()
        self._speed_range_wire: SupportedRange | None = None
        self._incline_range: SupportedRange | None = None
        self._state = Latest(TreadmillState())
        self._listeners: Listeners[ClientEvent] = Listeners("event listener")
        self._gate = ProcedureGate()
        self._pending: dict[int, asyncio.Future[ControlPointResponse]] = {}
        self._assembler = TreadmillDataAssembler()
        self._cp_with_response = True
        self._cp_usable = True
        self._last_control_retry_s: float | None = None
        self._tasks = TaskSet("client")
        self._unhook_disconnect: Callable[[], None] | None = None
        self._own_halt: tuple[int, float] | None = None
        self._stopping: asyncio.Future[None] | None = None
        self._stopping_since = 0.0

    # -- state and events --------------------------------------------------------------

    @property
    def state(self) -> TreadmillState:
        return self._state.value

    def states(self) -> AsyncIterator[TreadmillState]:
        """The current state, then every newer one (a slow reader skips to the latest)."""
        return self._state.stream()

    def add_listener(self, callback: Callable[[ClientEvent], None]) -> Callable[[], None]:
        """Call ``callback`` with every event; returns a function that removes it."""
        return self._listeners.add(callback)

    def _emit(self, event: ClientEvent) -> None:
        self._listeners.emit(event)  # a listener's bug never breaks the link

    def _update(self, **changes: object) -> None:
        self._state.set(self._state.value.with_changes(changes))

    @property
    def is_connected(self) -> bool:
        return self.link.is_connected and self.state.connected

    # -- units and ranges ---------------------------------------------------------------

    def _speed_from_wire(self, value: float) -> float:
        return round(value * KMH_PER_MPH, 2) if self.speed_unit == "mph" else value

    def _speed_to_wire(self, kmh: float) -> float:
        return kmh / KMH_PER_MPH if self.speed_unit == "mph" else kmh

    @property
    def speed_grid(self) -> SpeedGrid:
        """The machine's speed grid in its own unit (a default where it publishes none)."""
        return SpeedGrid(self._speed_range_wire or DEFAULT_SPEED_RANGE, self.speed_unit)

    @property
    def speed_range(self) -> SupportedRange:
        """The machine's speed range in km/h (a default where it publishes none)."""
        wire = self._speed_range_wire or DEFAULT_SPEED_RANGE
        if self.speed_unit == "kmh":
            return wire
        return SupportedRange(
            self._speed_from_wire(wire.minimum),
            self._speed_from_wire(wire.maximum),
            self._speed_from_wire(wire.increment),
            wire.deviations,
        )

    def set_speed_unit(self, unit: SpeedUnit) -> None:
        """The machine's speed fields hold ``unit`` numbers (from now on)."""
        self.speed_unit = unit

    @property
    def incline_range(self) -> SupportedRange:
        return self._incline_range or DEFAULT_INCLINE_RANGE

    @property
    def can_control(self) -> bool:
        return uuids.CONTROL_POINT in self.link.characteristics()

    # -- connection ----------------------------------------------------------------------

    async def connect(self) -> None:
        """Connect, read what the machine is, and subscribe to everything it reports."""
        await self.link.connect()
        if self._unhook_disconnect is None:
            self._unhook_disconnect = self.link.on_disconnect(self._on_link_down)
        chars = self.link.characteristics()
        if uuids.FITNESS_MACHINE_FEATURE not in chars:
            await self.link.disconnect()
            raise errors.MissingCharacteristic(
                self.link.name,
                "service",
                f"{self.link.name} has no Fitness Machine Service: is it an FTMS treadmill?",
            )
        self._cp_usable = True
        self._assembler.reset()
        self.features = decode_features(await self.link.read(uuids.FITNESS_MACHINE_FEATURE))
        if uuids.SUPPORTED_SPEED_RANGE in chars:
            self._speed_range_wire = self._read_decoded(
                uuids.SUPPORTED_SPEED_RANGE,
                decode_speed_range,
                await self._read(uuids.SUPPORTED_SPEED_RANGE),
            )
        if uuids.SUPPORTED_INCLINATION_RANGE in chars:
            self._incline_range = self._read_decoded(
                uuids.SUPPORTED_INCLINATION_RANGE,
                decode_incline_range,
                await self._read(uuids.SUPPORTED_INCLINATION_RANGE),
            )
        for uuid, key in (
            (uuids.MANUFACTURER_NAME, "manufacturer"),
            (uuids.MODEL_NUMBER, "model"),
            (uuids.FIRMWARE_REVISION, "firmware"),
        ):
            if uuid in chars and chars[uuid] & CharProperty.READ:
                raw = await self._read(uuid)
                self.device_info[key] = raw.decode("utf-8", errors="replace").strip("\0 ")
        await self.link.subscribe(uuids.TREADMILL_DATA, self._on_treadmill_data)
        if uuids.MACHINE_STATUS in chars:
            await self.link.subscribe(uuids.MACHINE_STATUS, self._on_machine_status)
        if uuids.TRAINING_STATUS in chars:
            await self.link.subscribe(uuids.TRAINING_STATUS, self._on_training_status)
        if uuids.CONTROL_POINT in chars:
            props = chars[uuids.CONTROL_POINT]
            self._cp_with_response = bool(props & CharProperty.WRITE)
            await self.link.subscribe(uuids.CONTROL_POINT, self._on_control_point)
        self._update(connected=True, has_control=False)

    async def _read(self, uuid: str) -> bytes:
        return await self.link.read(uuid)

    def _read_decoded(
        self, uuid: str, decode: Callable[[bytes], SupportedRange], data: bytes
    ) -> SupportedRange | None:
        try:
            value = decode(data)
        except FtmsDecodeError as exc:
            self._malformed(uuid, data, exc)
            return None
        self._note_deviations(value.deviations)
        return value

    async def disconnect(self) -> None:
        await self.link.disconnect()

    async def aclose(self) -> None:
        await self._tasks.aclose()
        if self._unhook_disconnect is not None:
            self._unhook_disconnect()
            self._unhook_disconnect = None
        if self.link.is_connected:
            await self.link.disconnect()

    def _on_link_down(self) -> None:
        for fut in self._pending.values():
            if not fut.done():
                # Not a timeout: the runner already hears of the loss (LinkDown) and must
                # not raise a second alarm or start a second reconnect for it.
                fut.set_exception(errors.NotConnected("the link dropped during the procedure"))
                # Whoever waited may be gone (cancelled): never leave it unretrieved.
                fut.add_done_callback(_retrieve)
        self._pending.clear()
        self._assembler.reset()
        self._update(connected=False, has_control=False)
        self._emit(LinkDown())

    # -- notifications -------------------------------------------------------------------

    def _malformed(self, uuid: str, data: bytes, exc: Exception) -> None:
        name = _CHAR_NAMES.get(uuid, uuid)
        self.stats.malformed[name] += 1
        self._update(malformed=sum(self.stats.malformed.values()))
        self._emit(MalformedData(name, data.hex(), str(exc)))

    def _note_deviations(self, deviations: tuple[str, ...]) -> None:
        for deviation in deviations:
            self.stats.deviations[deviation] += 1

    def _on_treadmill_data(self, data: bytes) -> None:
        try:
            packet = decode_treadmill_data(data)
        except FtmsDecodeError as exc:
            self._malformed(uuids.TREADMILL_DATA, data, exc)
            return
        self._note_deviations(packet.deviations)
        record = self._assembler.feed(packet)
        if record is not None:
            self._apply_record(record)
            self._emit(DataRecord(self.state))

    def _apply_record(self, r: TreadmillData) -> None:
        s = self.state
        changes: dict[str, object] = {"updated_s": self.clock.now(), "records": s.records + 1}
        if "speed_kmh" in r.present and r.speed_kmh is not None:
            changes["speed_kmh"] = self._speed_from_wire(r.speed_kmh)
        for name in (
            "incline_pct",
            "distance_m",
            "energy_kcal",
            "heart_rate_bpm",
            "elapsed_s",
            "steps",
        ):
            if name in r.present:
                changes[name] = getattr(r, name)
        self._update(**changes)

    def _on_training_status(self, data: bytes) -> None:
        try:
            value = decode_training_status(data)
        except FtmsDecodeError as exc:
            self._malformed(uuids.TRAINING_STATUS, data, exc)
            return
        self._note_deviations(value.deviations)
        self._update(training_status=value.code)

    def _on_machine_status(self, data: bytes) -> None:
        try:
            status = decode_machine_status(data)
        except FtmsDecodeError as exc:
            self._malformed(uuids.MACHINE_STATUS, data, exc)
            return
        self._note_deviations(status.deviations)
        match status.op:
            case StatusOp.STOPPED_OR_PAUSED_BY_USER:
                paused = status.control == StopControl.PAUSE
                self._update(belt=BeltStatus.PAUSED if paused else BeltStatus.STOPPED)
                if not self._is_own_echo(int(status.control or 0)):
                    self._emit(StoppedAtConsole(paused=paused))
            case StatusOp.STARTED_OR_RESUMED_BY_USER:
                self._update(belt=BeltStatus.RUNNING)
                self._emit(StartedAtConsole())
            case StatusOp.STOPPED_BY_SAFETY_KEY:
                self._update(belt=BeltStatus.STOPPED)
                self._emit(SafetyKeyPulled())
            case StatusOp.RESET:
                self._update(belt=BeltStatus.STOPPED, has_control=False)
                self._emit(MachineReset())
            case StatusOp.TARGET_SPEED_CHANGED if status.speed_kmh is not None:
                kmh = self._speed_from_wire(status.speed_kmh)
                self._update(target_speed_kmh=kmh)
                self._emit(TargetSpeedChanged(kmh))
            case StatusOp.TARGET_INCLINE_CHANGED if status.incline_pct is not None:
                self._update(target_incline_pct=status.incline_pct)
                self._emit(TargetInclineChanged(status.incline_pct))
            case StatusOp.CONTROL_PERMISSION_LOST:
                self._update(has_control=False)
                self._spawn(self._regain_control())
            case _:
                pass

    def _on_control_point(self, data: bytes) -> None:
        try:
            response = decode_response(data)
        except FtmsDecodeError as exc:
            self._malformed(uuids.CONTROL_POINT, data, exc)
            return
        fut = self._pending.pop(response.request_op_code, None)
        if fut is None or fut.done():
            self.stats.stale_responses += 1
            return
        fut.set_result(response)

    def _is_own_echo(self, control: int) -> bool:
        """Is this "stopped or paused by the user" our own command coming back?"""
        own = self._own_halt
        return (
            own is not None
            and own[0] == control
            and self.clock.now() - own[1] <= OWN_COMMAND_ECHO_S
        )

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        self._tasks.spawn(coro)

    async def _regain_control(self) -> None:
        now = self.clock.now()
        recent = (
            self._last_control_retry_s is not None
            and now - self._last_control_retry_s < CONTROL_RETRY_INTERVAL_S
        )
        if recent:
            self._emit(ControlLost(regained=False, reason="lost again right after re-requesting"))
            return
        self._last_control_retry_s = now
        try:
            await self.request_control()
        except (errors.TreadmillError, LinkError) as exc:
            self._emit(ControlLost(regained=False, reason=str(exc)))
            return
        self._emit(ControlLost(regained=True))

    # -- control point -------------------------------------------------------------------

    async def _write_and_wait(self, request: ControlRequest) -> ControlPointResponse:
        op = int(request.OP)
        loop = asyncio.get_running_loop()
        fut = self._pending.get(op)
        if fut is None or fut.done():
            fut = loop.create_future()
            self._pending[op] = fut
        self.stats.procedures += 1
        try:
            await self.link.write(
                uuids.CONTROL_POINT, encode_request(request), response=self._cp_with_response
            )
        except AttError as exc:
            self._pending.pop(op, None)
            if exc.code == ATT_PROCEDURE_ALREADY_IN_PROGRESS:
                raise errors.ProcedureBusy(op, "another procedure is in progress") from exc
            raise errors.ProcedureError(op, str(exc)) from exc
        except LinkError as exc:
            self._pending.pop(op, None)
            raise errors.NotConnected(str(exc)) from exc
        try:
            response = await wait_for(self.clock, asyncio.shield(fut), self.cp_timeout_s)
        except TimeoutError as exc:
            self._pending.pop(op, None)
            self._cp_usable = False
            raise errors.ControlPointTimeout(
                op, f"no answer in {self.cp_timeout_s:g} s; reconnect to go on"
            ) from exc
        if not response.ok:
            raise errors.rejection(op, response.result_code)
        return response

    async def _procedure(
        self, request: ControlRequest, *, still_allowed: Callable[[], bool] | None = None
    ) -> ControlPointResponse:
        """Run one procedure when the control point is free.

        ``still_allowed`` is asked once more at that moment, just before the write: a
        command decided earlier but queued behind others is dropped if its time passed
        (a hold came meanwhile). It raises :class:`errors.ProcedureCancelled` then.
        """
        if not self.is_connected:
            raise errors.NotConnected(f"not connected to {self.link.name}")
        if not self.can_control:
            raise errors.MissingCharacteristic(
                self.link.name,
                "control point",
                f"{self.link.name} has no control point: stats only, no control",
            )
        async with self._gate.hold():
            if not self._cp_usable:
                raise errors.ControlPointUnusable(
                    int(request.OP), "a procedure timed out on this link; reconnect first"
                )
            if still_allowed is not None and not still_allowed():
                raise errors.ProcedureCancelled(
                    int(request.OP), "no longer allowed when its turn came"
                )
            return await self._write_and_wait(request)

    async def request_control(self) -> None:
        await self._procedure(RequestControl())
        self._update(has_control=True)

    async def reset(self) -> None:
        await self._procedure(Reset())
        self._update(has_control=False, belt=BeltStatus.STOPPED)

    def _snap_speed(self, speed_kmh: float) -> tuple[float, Snapped]:
        """The wire value to send for ``speed_kmh``, and where it lands in km/h."""
        if speed_kmh <= 0:
            raise ValueError("a speed must be above 0 km/h: use stop() or pause()")
        wire = (self._speed_range_wire or DEFAULT_SPEED_RANGE).snap(self._speed_to_wire(speed_kmh))
        return wire.value, Snapped(self._speed_from_wire(wire.value), speed_kmh, wire.clamped)

    def snap_incline(self, incline_pct: float) -> Snapped:
        return self.incline_range.snap(incline_pct)

    async def set_speed(self, speed_kmh: float) -> Snapped:
        """Set the target speed, clamped and rounded to the machine's grid (H4).

        Raises:
            ValueError: ``speed_kmh`` is not above 0 (stopping is :meth:`stop`).
        """
        wire, snapped = self._snap_speed(speed_kmh)
        await self._procedure(SetTargetSpeed(speed_kmh=wire))
        if snapped.changed:
            self._emit(RangeAdjusted("speed_kmh", speed_kmh, snapped.value, snapped.clamped))
        self._update(target_speed_kmh=snapped.value)
        return snapped

    async def send_speed_wire(
        self, wire: float, *, still_allowed: Callable[[], bool] | None = None
    ) -> float:
        """Send a target speed already on the machine's grid, in its unit; returns km/h.

        The workout's gate decides ``wire`` (and ``still_allowed`` asks it again at the
        moment of writing); this only checks it is a speed at all.
        """
        if wire <= 0:
            raise ValueError("a speed must be above 0: use stop() or pause()")
        await self._procedure(SetTargetSpeed(speed_kmh=wire), still_allowed=still_allowed)
        kmh = self._speed_from_wire(wire)
        self._update(target_speed_kmh=kmh)
        return kmh

    async def set_incline(self, incline_pct: float) -> Snapped:
        snapped = self.snap_incline(incline_pct)
        await self._procedure(SetTargetInclination(incline_pct=snapped.value))
        if snapped.changed:
            self._emit(RangeAdjusted("incline_pct", incline_pct, snapped.value, snapped.clamped))
        self._update(target_incline_pct=snapped.value)
        return snapped

    async def start(
        self,
        *,
        wait_moving_s: float = START_MOVING_TIMEOUT_S,
        still_allowed: Callable[[], bool] | None = None,
    ) -> bool:
        """Start or resume the belt, unless it is already running; True once it moves.

        Never sends Start to a running belt: on some decks it stops it.
        """
        state = self.state
        # "Running" with the belt reporting 0 is a belief gone stale (a pause at the
        # console while the link was down): Start goes out.
        stale = state.belt is BeltStatus.RUNNING and state.records > 0 and not state.speed_kmh
        if (state.belt is not BeltStatus.RUNNING or stale) and not await self._toggle_would_stop():
            await self._procedure(StartOrResume(), still_allowed=still_allowed)
            self._update(belt=BeltStatus.RUNNING)
        if wait_moving_s <= 0:
            return True
        deadline = self.clock.now() + wait_moving_s
        while (self.state.speed_kmh or 0) <= 0:
            left = deadline - self.clock.now()
            if left <= 0 or not self.is_connected:
                return False
            with contextlib.suppress(TimeoutError):
                await wait_for(self.clock, self._state.wait_next(self._state.version), left)
        return True

    async def _toggle_would_stop(self) -> bool:
        """On a deck whose Start toggles: is a belt we know nothing about already moving?"""
        if not self.start_toggles or self.state.belt is not BeltStatus.UNKNOWN:
            return False
        deadline = self.clock.now() + START_TOGGLE_DATA_WAIT_S
        while self.state.records == 0 and self.is_connected:
            left = deadline - self.clock.now()
            if left <= 0:
                break
            with contextlib.suppress(TimeoutError):
                await wait_for(self.clock, self._state.wait_next(self._state.version), left)
        if (self.state.speed_kmh or 0) > 0:
            self._update(belt=BeltStatus.RUNNING)
            return True
        return False

    async def pause(self, *, urgent: bool = False) -> None:
        """Pause the belt. ``urgent``: like a stop, ahead of (and instead of) what is queued,
        for a safety hold that cannot wait behind a procedure whose answer is late."""
        if urgent:
            if not self.is_connected:
                raise errors.NotConnected(f"not connected to {self.link.name}")
            await self._halt_now(StopControl.PAUSE)
            return
        self._own_halt = (int(StopControl.PAUSE), self.clock.now())
        await self._procedure(StopOrPause(control=StopControl.PAUSE))
        self._own_halt = (int(StopControl.PAUSE), self.clock.now())
        self._update(belt=BeltStatus.PAUSED)

    async def stop(self) -> None:
        """Stop the belt now: ahead of, and instead of, anything queued (hazard H5).

        Waits at most ``stop_preempt_s`` for a procedure already in flight, then sends the
        stop anyway, retrying while the machine says it is busy. Always attempted, even
        after a control point timeout: the belt matters more than the letter of the spec.
        A second stop while one is on its way waits for that one (and shares its result)
        rather than cancelling it.
        """
        if not self.is_connected:
            raise errors.NotConnected(f"not connected to {self.link.name}: stop at the console")
        if self._stopping is not None and not self._stopping.done():
            if self.clock.now() - self._stopping_since >= STOP_RESEND_S:
                # Its answer is late (lost?): the stop itself may not have arrived, or the
                # belt was started again since. Say it once more; both wait for an answer.
                with contextlib.suppress(AttError, LinkError):
                    await self.link.write(
                        uuids.CONTROL_POINT,
                        encode_request(StopOrPause(control=StopControl.STOP)),
                        response=self._cp_with_response,
                    )
                self._stopping_since = self.clock.now()
            await asyncio.shield(self._stopping)
            return
        self._stopping_since = self.clock.now()
        self._stopping = asyncio.ensure_future(self._halt_now(StopControl.STOP))
        self._stopping.add_done_callback(_retrieve)
        await asyncio.shield(self._stopping)

    async def _halt_now(self, control: StopControl) -> None:
        """Stop or pause ahead of everything: cancel what is queued, wait at most
        ``stop_preempt_s`` for a procedure in flight, then send it anyway."""
        self._own_halt = (int(control), self.clock.now())
        op = int(ControlOp.STOP_OR_PAUSE)
        why = (
            "an emergency stop came first" if control == StopControl.STOP else "a pause came first"
        )
        self._gate.cancel_queued(errors.ProcedureCancelled(op, why))
        request = StopOrPause(control=control)
        acquired = False
        try:
            with contextlib.suppress(TimeoutError):
                await wait_for(self.clock, self._gate.acquire(priority=True), self.stop_preempt_s)
                acquired = True
            deadline = self.clock.now() + self.cp_timeout_s
            while True:
                try:
                    await self._write_and_wait(request)
                    break
                except errors.OperationFailed:
                    break  # already stopped
                except errors.ProcedureBusy:
                    if self.clock.now() >= deadline:
                        raise
                    await self.clock.sleep(STOP_RETRY_S)
        finally:
            if acquired:
                self._gate.release()
        self._own_halt = (int(control), self.clock.now())
        if control == StopControl.STOP:
            self._update(belt=BeltStatus.STOPPED, target_speed_kmh=None)
        else:
            self._update(belt=BeltStatus.PAUSED)


def _retrieve(fut: asyncio.Future[Any]) -> None:
    """Mark a future's exception as seen (asyncio warns about unretrieved ones)."""
    if not fut.cancelled():
        fut.exception()


_CHAR_NAMES = {
    uuids.TREADMILL_DATA: "treadmill-data",
    uuids.MACHINE_STATUS: "machine-status",
    uuids.TRAINING_STATUS: "training-status",
    uuids.CONTROL_POINT: "control-point",
    uuids.SUPPORTED_SPEED_RANGE: "speed-range",
    uuids.SUPPORTED_INCLINATION_RANGE: "incline-range",
}
