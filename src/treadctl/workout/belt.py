"""The runner's only way to the belt: every command through the gate, then the client.

Speeds, inclines and starts are decided by the :class:`~treadctl.workout.gate.CommandGate`
and sent one at a time; pause and stop always go out (they only slow the belt). Each
command becomes a ``command`` event, sent or failed. What a failure means for the
workout (a hold, a reconnect) is the runner's: it gets the error through ``on_failure``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from enum import StrEnum

from treadctl.client import TreadmillClient
from treadctl.client import errors as client_errors
from treadctl.clock import Clock
from treadctl.workout.events import Command, WorkoutEvent
from treadctl.workout.gate import CommandGate, Limiter, Refusal, SpeedDecision
from treadctl.workout.monitors import Commanded


class StartResult(StrEnum):
    MOVING = "moving"
    NOT_MOVING = "not_moving"
    """Start went through but the belt did not report moving in time."""
    REFUSED_BY_GATE = "refused_by_gate"
    REFUSED_BY_MACHINE = "refused_by_machine"
    """The machine said no (safety key out, or another reason it does not give)."""
    FAILED = "failed"
    OVERTAKEN = "overtaken"
    """Started, but a pause or stop came before the belt got going: it is at rest."""


class BeltCommands:
    def __init__(
        self,
        client: TreadmillClient,
        gate: CommandGate,
        clock: Clock,
        *,
        emit: Callable[[WorkoutEvent], None],
        on_failure: Callable[[Exception], None],
        on_limited: Callable[[SpeedDecision], None],
    ) -> None:
        self.client = client
        self.gate = gate
        self.clock = clock
        self.emit = emit
        self.on_failure = on_failure
        self.on_limited = on_limited
        self.commanded: Commanded | None = None
        """The last speed the machine accepted (for H8), None while the belt is at rest."""
        self.belt_kmh: Callable[[], float] = lambda: 0.0
        """Where the belt is now (trusted), for H8's record of a command."""
        self._lock = asyncio.Lock()
        self._stopping: asyncio.Task[tuple[bool, str | None]] | None = None

    @property
    def stored_kmh(self) -> float | None:
        wire = self.gate.stored_wire
        return None if wire is None else self.gate.grid.to_kmh(wire)

    def _usable(self) -> bool:
        return self.client.is_connected and not self.gate.closed

    async def speed(self, kmh: float) -> bool:
        """Ask for ``kmh``; the gate decides what goes out. False if nothing could."""
        async with self._lock:
            if not self._usable():
                return False
            decision = self.gate.speed(kmh, self.clock.now())
            if decision.wire is None:
                return False
            if decision.limited_by in (Limiter.CEILING, Limiter.RANGE):
                self.on_limited(decision)
            return await self._send_speed(decision.wire)

    async def _send_speed(self, wire: float) -> bool:
        stored = self.gate.stored_wire
        if stored is not None and abs(stored - wire) < 1e-9:
            return True

        def still_allowed() -> bool:
            """The gate, asked again when the control point is free: nothing decided
            before a hold goes out after it."""
            decision = self.gate.speed(self.gate.grid.to_kmh(wire), self.clock.now())
            return decision.wire is not None and decision.wire >= wire - 1e-9

        try:
            kmh = await self.client.send_speed_wire(wire, still_allowed=still_allowed)
        except client_errors.ProcedureCancelled:
            return False
        except client_errors.TreadmillError as exc:
            self.emit(
                Command("speed", round(self.gate.grid.to_kmh(wire), 2), ok=False, error=str(exc))
            )
            self.on_failure(exc)
            return False
        now = self.clock.now()
        self.gate.sent_speed(wire, now)
        if self.gate.belt_running:
            self.commanded = Commanded(self.gate.grid.to_kmh(wire), now, self.belt_kmh())
        self.emit(Command("speed", kmh))
        return True

    async def incline(self, pct: float) -> bool:
        async with self._lock:
            if not self._usable():
                return False
            decision = self.gate.incline(pct)
            if decision.pct is None:
                return False
            if self.client.state.target_incline_pct == decision.pct:
                return True
            try:
                await self.client.set_incline(decision.pct)
            except client_errors.TreadmillError as exc:
                self.emit(Command("incline", decision.pct, ok=False, error=str(exc)))
                self.on_failure(exc)
                return False
            self.emit(Command("incline", decision.pct))
            return True

    async def start(self) -> StartResult:
        """Start the belt slowly: the slow speed first, then Start (never to a running belt)."""
        async with self._lock:
            if not self._usable():
                return StartResult.FAILED
            if self.gate.start_refusal() is not None:
                return StartResult.REFUSED_BY_GATE
            slow = self.gate.must_store_before_start()
            if slow is not None and not await self._send_speed(slow):
                return StartResult.FAILED
            if self.gate.start_refusal() is not None:
                return StartResult.REFUSED_BY_GATE  # a hold came while the speed went out
            halts = self.gate.halts
            try:
                moving = await self.client.start(
                    still_allowed=lambda: self.gate.start_refusal() is None
                )
            except client_errors.ProcedureCancelled:
                return StartResult.REFUSED_BY_GATE
            except client_errors.OperationFailed as exc:
                self.emit(Command("start", ok=False, error=str(exc)))
                return StartResult.REFUSED_BY_MACHINE
            except client_errors.TreadmillError as exc:
                self.emit(Command("start", ok=False, error=str(exc)))
                self.on_failure(exc)
                return StartResult.FAILED
            self.emit(Command("start"))
            if self.gate.halts != halts:
                return StartResult.OVERTAKEN  # paused or stopped while it started
            self.gate.started(self.clock.now())
            # A machine that forgot (or never took) the slow speed starts at its own
            # default: tell it again, now that it runs.
            slow_wire = self.gate.start_wire
            self.gate.forget_stored()
            await self._send_speed(slow_wire)
            self.commanded = Commanded(self.gate.grid.to_kmh(slow_wire), self.clock.now(), 0.0)
            return StartResult.MOVING if moving else StartResult.NOT_MOVING

    async def pause(self, *, urgent: bool = False) -> bool:
        """Pause the belt (always allowed), then leave a slow speed stored on the machine.

        The stored speed is where the belt goes on the next start, from treadctl or from
        the console: slow, whatever was running before. ``urgent`` pauses go ahead of
        anything queued (a safety hold must not wait behind a late answer).
        """
        if not self.client.is_connected:
            return False
        ok = True
        try:
            await self.client.pause(urgent=urgent)
        except client_errors.OperationFailed:
            pass  # already paused or stopped
        except client_errors.TreadmillError as exc:
            self.emit(Command("pause", ok=False, error=str(exc)))
            self.on_failure(exc)
            ok = False
        if not ok:
            return False  # the belt still runs: the runner has said what to do
        self.halted()
        self.emit(Command("pause"))
        await self.store_slow()
        return True

    def halted(self) -> None:
        """The belt is at rest (paused or stopped by anyone, or the link is gone)."""
        self.gate.halted(self.clock.now())
        self.commanded = None

    async def store_slow(self) -> None:
        """Leave the machine's stored speed at the slow start speed (best effort)."""
        async with self._lock:
            if not self._usable() or self.gate.belt_running:
                return
            slow = self.gate.must_store_before_start()
            if slow is None:
                return
            try:
                await self.client.send_speed_wire(slow)
            except client_errors.TreadmillError:
                return  # some machines refuse a speed while paused: the start sends it
            self.gate.sent_speed(slow, self.clock.now())
            self.emit(Command("speed", round(self.gate.grid.to_kmh(slow), 2)))

    async def stop(self) -> tuple[bool, str | None]:
        """Stop the belt now (H5); after it the gate refuses everything. (ok, error).

        One stop per workout: a second call waits for the first and shares its result.
        """
        self.gate.close()
        if self._stopping is not None and not self._stopping.done():
            # One stop is on its way: ask the client again (it re-sends a stop whose
            # answer is late), and share the first one's result.
            with contextlib.suppress(client_errors.TreadmillError):
                if self.client.is_connected:
                    await self.client.stop()
            return await asyncio.shield(self._stopping)
        if self._stopping is None or not self._stopping.result()[0]:
            self._stopping = asyncio.ensure_future(self._stop())
        return await asyncio.shield(self._stopping)

    async def _stop(self) -> tuple[bool, str | None]:
        if not self.client.is_connected:
            return False, "not connected"
        try:
            await self.client.stop()
        except client_errors.TreadmillError as exc:
            self.emit(Command("stop", ok=False, error=str(exc)))
            return False, str(exc)
        self.halted()
        self.emit(Command("stop"))
        return True, None

    def refusal_reason(self, kmh: float) -> Refusal | None:
        return self.gate.speed(kmh, self.clock.now()).refused
