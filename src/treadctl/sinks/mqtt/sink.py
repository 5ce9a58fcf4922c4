"""The MQTT workout sink: live state, events, discovery and remote commands for one treadmill.

It plugs into :func:`treadctl.runtime.run_workout` as one of ``WorkoutOptions.sinks``.
Its ``__call__`` only updates memory and hands work to the :class:`Publisher`'s task, so
a broker that is down, slow or refusing never delays a command to the belt, never stops
the workout and never touches the session log.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

import treadctl
from treadctl.sinks.mqtt.commands import Decision, decide
from treadctl.sinks.mqtt.discovery import DeviceInfo, discovery_messages
from treadctl.sinks.mqtt.publisher import Publisher, PublisherStats, StatusKind
from treadctl.sinks.mqtt.settings import MqttSettings, safe_id
from treadctl.sinks.mqtt.state import STATE_EVENTS, StateTracker, event_payload
from treadctl.sinks.mqtt.topics import Topics
from treadctl.util.tasks import TaskSet
from treadctl.workout.events import WorkoutEvent
from treadctl.workout.ports import SessionLog, Treadmill
from treadctl.workout.runner import Runner

log = logging.getLogger(__name__)

Notify = Callable[[str], None]

#: The longest the final state waits for the belt to stand still after the end (seconds
#: on the workout's clock): a stop from 8 km/h takes a belt about that long.
FINAL_STOP_WAIT_S = 20.0


def default_device_id(treadmill: Treadmill) -> str:
    """The simulator's name (simulators share an address), else the treadmill's address."""
    if treadmill.kind == "simulator":
        return safe_id(treadmill.name)
    return safe_id(treadmill.device_id)


class MqttSink:
    """Publishes one workout to an MQTT broker and takes H10-safe commands from it.

    Args:
        settings: the broker and the publishing options.
        notify: called with one line for the person at each connection problem (the
            CLI prints it); the same lines go to the log and the session log.
    """

    def __init__(self, settings: MqttSettings, *, notify: Notify | None = None) -> None:
        self.settings = settings
        self.notify = notify
        self.runner: Runner | None = None
        self.treadmill: Treadmill | None = None
        self.recorder: SessionLog | None = None
        self.tracker: StateTracker | None = None
        self.publisher: Publisher | None = None
        self.decisions: list[Decision] = []
        self._watch: asyncio.Task[None] | None = None
        self._tasks = TaskSet("MQTT command")

    @property
    def stats(self) -> PublisherStats | None:
        return None if self.publisher is None else self.publisher.stats

    @property
    def topics(self) -> Topics | None:
        return None if self.publisher is None else self.publisher.topics

    # -- WorkoutSink -------------------------------------------------------------------

    async def __aenter__(self) -> MqttSink:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def attach(self, runner: Runner, treadmill: Treadmill, recorder: SessionLog) -> None:
        try:
            self._attach(runner, treadmill, recorder)
        except Exception:  # MQTT must never keep a workout from running
            log.exception("MQTT publishing could not start")
            self.tracker = self.publisher = None

    def _attach(self, runner: Runner, treadmill: Treadmill, recorder: SessionLog) -> None:
        self.runner = runner
        self.treadmill = treadmill
        self.recorder = recorder
        device_id = self.settings.device_id or default_device_id(treadmill)
        device_id = safe_id(device_id)
        topics = Topics(self.settings.base_topic, device_id, self.settings.discovery_prefix)
        self.tracker = StateTracker(runner, runner.profile_name, treadmill.name)
        info = treadmill.client.device_info
        device = DeviceInfo(
            name=treadmill.name,
            manufacturer=info.get("manufacturer") or "treadctl",
            model=info.get("model")
            or ("simulated treadmill" if treadmill.kind == "simulator" else "FTMS treadmill"),
            sw_version=info.get("firmware") or treadctl.__version__,
        )
        remote_resume = self.settings.remote_resume
        self.publisher = Publisher(
            self.settings,
            topics,
            build_state=self._state,
            discovery=lambda: discovery_messages(topics, device, remote_resume=remote_resume),
            on_message=self._on_message,
            on_status=self._on_status,
            client_id=self.settings.client_id or f"treadctl-{device_id}",
        )
        self.publisher.start()
        self._watch = asyncio.create_task(self._watch_data(), name=f"mqtt-data-{device_id}")

    def __call__(self, event: WorkoutEvent) -> None:
        if self.tracker is None or self.publisher is None:
            return
        self.tracker.observe_event(event)
        payload = event_payload(event)
        if payload is not None:
            self.publisher.put_event(payload)
        if isinstance(event, STATE_EVENTS):
            # Samples, cues and commands change nothing the data ticks do not: a state
            # sent for them would only repeat older data.
            self.publisher.state_changed()

    async def aclose(self) -> None:
        """Stop following the treadmill; send the final state and ``offline``.

        The final state is retained: it is what a dashboard shows until the next
        workout, so it waits (a while) for the belt to stand still after a stop.
        """
        await self._belt_at_rest()
        if self._watch is not None:
            self._watch.cancel()
            await asyncio.gather(self._watch, return_exceptions=True)
            self._watch = None
        await self._tasks.wait()
        if self.publisher is not None:
            await self.publisher.close()
            stats = self.publisher.stats
            if stats.events_dropped:
                self._say(
                    f"MQTT: {stats.events_dropped} events were dropped while the broker "
                    "was away or slow (the session log has them all)."
                )

    # -- state -------------------------------------------------------------------------

    async def _belt_at_rest(self) -> None:
        """Wait until the belt reports standing still (or the link is gone), at most
        :data:`FINAL_STOP_WAIT_S` on the workout's clock; states go out meanwhile."""
        treadmill, runner = self.treadmill, self.runner
        if treadmill is None or runner is None or self.publisher is None:
            return
        client = treadmill.client

        async def stopped() -> None:
            async for state in client.states():
                if not state.connected or not state.speed_kmh:
                    return

        waiter = asyncio.ensure_future(stopped())
        timer = asyncio.ensure_future(runner.clock.sleep(FINAL_STOP_WAIT_S))
        try:
            done, _ = await asyncio.wait({waiter, timer}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (waiter, timer):
                task.cancel()
            await asyncio.gather(waiter, timer, return_exceptions=True)
        if waiter not in done:
            log.warning("MQTT: the final state shows the belt still moving, as it reported")

    def _state(self) -> dict[str, Any]:
        assert self.tracker is not None
        assert self.treadmill is not None
        client = self.treadmill.client
        return self.tracker.payload(client.state, client.state.records)

    async def _watch_data(self) -> None:
        assert self.treadmill is not None
        assert self.tracker is not None
        assert self.publisher is not None
        seen: tuple[int, bool] | None = None
        try:
            async for state in self.treadmill.client.states():
                # Only a new Treadmill Data record or the link going up or down changes
                # what the state says; control point answers and status updates do not.
                now = (state.records, state.connected)
                if now == seen:
                    continue
                seen = now
                self.publisher.state_changed()
        except Exception:
            log.exception("MQTT: following the treadmill's data failed")

    # -- commands (H10) ----------------------------------------------------------------

    def _on_message(self, topic: str, payload: bytes, retained: bool) -> None:
        assert self.publisher is not None
        name = self.publisher.topics.command_name(topic)
        if name is None:
            return
        runner = self.runner
        status = None if runner is None else runner.status()
        decision = decide(
            name,
            retained=retained,
            remote_resume=self.settings.remote_resume,
            run_state=None if status is None else status.state,
            needs_confirm=status is not None and status.hold_needs_confirm,
        )
        if retained:
            log.info("ignored retained command %r on %s", decision.name, topic)
        self.decisions.append(decision)
        if decision.accepted and runner is not None:
            self._carry_out(decision.name, runner)
        if self.recorder is not None:
            self.recorder.record(
                "remote_command",
                name=decision.name,
                accepted=decision.accepted,
                reason=decision.reason,
                retained=retained,
            )
        self.publisher.put_event(
            {
                "type": "remote_command",
                "name": decision.name,
                "accepted": decision.accepted,
                "reason": decision.reason,
                "retained": retained,
                "ts": round(time.time(), 3),
            }
        )

    def _carry_out(self, name: str, runner: Runner) -> None:
        match name:
            case "stop":
                self._tasks.spawn(runner.emergency_stop("remote stop (MQTT)"))
            case "pause":
                runner.pause("paused remotely (MQTT)")
            case "resume":
                runner.resume()
            case _:  # decide() accepts nothing else
                raise AssertionError(name)

    # -- telling people ----------------------------------------------------------------

    def _say(self, message: str, *, problem: bool = True) -> None:
        """Tell the person once: through ``notify`` if there is one, else the log."""
        if self.notify is not None:
            log.info("%s", message)
            self.notify(message)
        elif problem:
            log.warning("%s", message)
        else:
            log.info("%s", message)

    def _on_status(self, kind: StatusKind, message: str) -> None:
        self._say(message, problem=kind != "connected")
        if self.recorder is not None:
            self.recorder.record("mqtt", status=kind, message=message)
