"""One workout as the TUI runs it: :func:`run_workout` plus what the screens need to know.

No Textual here: the app runs :meth:`WorkoutSession.run` as a worker and the workout
screen listens to its events. The engine, the session log and the sinks are exactly
those of ``treadctl run --headless``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from treadctl.link.base import LinkError
from treadctl.runtime import WorkoutOptions, WorkoutResult, run_workout
from treadctl.util.listeners import Listeners
from treadctl.util.tasks import TaskSet
from treadctl.workout.holds import RunState
from treadctl.workout.profile import ProfileError

if TYPE_CHECKING:  # the runner's modules load when a workout runs, not at start-up
    from treadctl.workout.events import WorkoutEvent
    from treadctl.workout.ports import Treadmill
    from treadctl.workout.runner import Runner

log = logging.getLogger(__name__)

#: What the emergency stop says in the session log when it comes from a key.
KEYBOARD_STOP = "stopped from the keyboard"
#: Events kept for the first listener, at most (the start of a workout has a few dozen).
EARLY_EVENTS_MAX = 1000

Listener = Callable[["WorkoutEvent"], None]


class WorkoutSession:
    """Runs one workout and keeps the runner, the treadmill and the outcome at hand."""

    def __init__(self, options: WorkoutOptions) -> None:
        self.options = options
        self.runner: Runner | None = None
        self.treadmill: Treadmill | None = None
        self.log_path: Path | None = options.log_path
        self.result: WorkoutResult | None = None
        self.error: str | None = None
        """Why the workout could not run (or broke off), for the end screen."""
        self.stop_reason: str | None = None
        self._listeners: Listeners[WorkoutEvent] = Listeners("TUI listener")
        self._early: list[WorkoutEvent] | None = []
        """Events from before anyone listened (the workout screen mounts after the
        runner starts): an alert at the start must reach the screen too."""
        self._task: asyncio.Task[object] | None = None
        self._stops = TaskSet("stop")
        self._done = asyncio.Event()

    # -- listening ---------------------------------------------------------------------

    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener`` with every event; returns a function that stops it.

        The first listener first gets the events that came before it, in order.
        """
        remove = self._listeners.add(listener)
        early, self._early = self._early, None
        for event in early or ():
            try:
                listener(event)
            except Exception:  # as Listeners does: a display bug never reaches the runner
                log.exception("TUI listener failed on %r", event)
        return remove

    def _dispatch(self, event: WorkoutEvent) -> None:
        if self._early is not None and len(self._early) < EARLY_EVENTS_MAX:
            self._early.append(event)
        self._listeners.emit(event)  # a display bug never reaches the runner

    def _on_runner(self, runner: Runner, treadmill: Treadmill) -> None:
        self.runner = runner
        self.treadmill = treadmill

    def _on_log(self, path: Path) -> None:
        self.log_path = path

    # -- state ---------------------------------------------------------------------------

    @property
    def started(self) -> bool:
        return self._task is not None

    @property
    def done(self) -> bool:
        return self._done.is_set()

    @property
    def active(self) -> bool:
        """Started and not over: a belt may be moving, so Stop must reach it."""
        if not self.started or self.done:
            return False
        return self.runner is None or self.runner.state is not RunState.FINISHED

    async def wait(self) -> None:
        await self._done.wait()

    # -- running -------------------------------------------------------------------------

    async def run(self) -> WorkoutResult | None:
        """Run the workout to its end. Problems end up in :attr:`error`, not raised.

        Cancelling this (the app quitting) cancels the runner, which stops the belt
        before anything else (H5).
        """
        from treadctl.client import errors as client_errors  # noqa: PLC0415 (see the imports)
        from treadctl.workout.runner import RisksNotAcknowledged  # noqa: PLC0415

        self._task = asyncio.current_task()
        try:
            self.result = await run_workout(
                self.options,
                on_event=self._dispatch,
                on_runner=self._on_runner,
                on_log=self._on_log,
            )
        except asyncio.CancelledError:
            if self.stop_reason is None:
                raise
            self.error = f"ended before the workout began: {self.stop_reason}"
        except (ProfileError, RisksNotAcknowledged) as exc:
            self.error = str(exc)
        except (LinkError, client_errors.TreadmillError, OSError) as exc:
            self.error = f"could not reach the treadmill: {exc}"
        except Exception as exc:  # the runner has stopped the belt already (H5)
            log.exception("the workout stopped on an error")
            self.error = f"the workout stopped on an error: {exc!r}"
        finally:
            self._done.set()
        return self.result

    def emergency_stop(self, reason: str = KEYBOARD_STOP) -> bool:
        """Stop the belt now (H5). Returns False when nothing is running.

        With a runner, its emergency stop goes out at once, ahead of anything queued.
        Before there is one (still connecting), the start is called off instead: no
        command has gone to the belt yet.
        """
        if not self.active:
            return False
        self.stop_reason = reason
        runner = self.runner
        if runner is None:
            if self._task is not None:
                self._task.cancel()
            return True
        self._stops.spawn(runner.emergency_stop(reason))
        return True
