"""Getting the treadmill back after a link loss (H6), with back-off.

Reconnecting is done when the link is up *and* control is granted again; until then it
keeps trying. What happens to the belt once it is back is the runner's business
(``on_restored``): it stays stopped until the person confirms.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from treadctl.client import TreadmillClient
from treadctl.client import errors as client_errors
from treadctl.clock import Clock
from treadctl.link.base import LinkError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReconnectPolicy:
    """Back-off for reconnecting after link loss (H6). ``attempts=None``: keep trying."""

    initial_s: float = 1.0
    max_s: float = 30.0
    factor: float = 2.0
    attempts: int | None = None

    def delays(self) -> Callable[[], float]:
        """A function giving the next delay each call: initial, then growing to max."""
        state = {"next": self.initial_s}

        def next_delay() -> float:
            delay = state["next"]
            state["next"] = min(delay * self.factor, self.max_s)
            return delay

        return next_delay


class Reconnector:
    """Runs one reconnect at a time; ``active`` while it does."""

    def __init__(
        self,
        client: TreadmillClient,
        clock: Clock,
        policy: ReconnectPolicy,
        *,
        on_restored: Callable[[], Awaitable[None]],
        on_gave_up: Callable[[], None],
        should_stop: Callable[[], bool],
        needs_control: Callable[[], bool] = lambda: True,
    ) -> None:
        self.client = client
        self.clock = clock
        self.policy = policy
        self.on_restored = on_restored
        self.on_gave_up = on_gave_up
        self.should_stop = should_stop
        self.needs_control = needs_control
        """False in advisory mode: the link alone is enough."""
        self.active = False

    async def run(self) -> None:
        """Reconnect and take control again, then hand over to ``on_restored``."""
        if self.active:
            return
        self.active = True
        next_delay = self.policy.delays()
        attempt = 0
        try:
            while not self.should_stop():
                attempt += 1
                await self.clock.sleep(next_delay())
                if self.should_stop():
                    return
                try:
                    if not self.client.is_connected:
                        await self.client.connect()
                    if not self.client.state.has_control and self.needs_control():
                        await self.client.request_control()
                except (LinkError, client_errors.TreadmillError) as exc:
                    log.info("reconnect attempt %d failed: %s", attempt, exc)
                    with contextlib.suppress(LinkError, client_errors.TreadmillError):
                        await self.client.disconnect()
                    if self.policy.attempts is not None and attempt >= self.policy.attempts:
                        self.on_gave_up()
                        return
                    continue
                await self.on_restored()
                return
        finally:
            self.active = False
