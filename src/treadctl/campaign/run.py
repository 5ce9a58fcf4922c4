"""Running one campaign case: the real runtime on a virtual clock, faults, a person, a judge.

The workout goes through :func:`treadctl.runtime.run_workout`, as ``replay`` does, on a
simulator configured and quirked by the case, over a loopback link that faults can
break. Faults come at random times and around turns and ramps; a simulated person acts
at random and answers holds. The verdict comes from the belt (the judge), from the run
(no exception, it ends) and from the session log (complete, every line readable).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from treadctl.campaign.case import Case, draw_action, draw_fault
from treadctl.campaign.judge import BeltJudge, Violation, belt_steps
from treadctl.client import TreadmillClient
from treadctl.clock import Clock, VirtualClock
from treadctl.config import Settings
from treadctl.ftms import TreadmillData, encode_treadmill_data, uuids
from treadctl.runtime import WorkoutOptions, run_workout
from treadctl.runtime.run import ConsoleHand
from treadctl.sim import BeltState, Quirk, SimTreadmill
from treadctl.sim.loopback import LoopbackLink
from treadctl.sim.treadmill import SimConnection
from treadctl.util.tasks import TaskSet
from treadctl.workout.events import Advice, SafetyAlert, Turnaround, WorkoutEvent
from treadctl.workout.ports import Treadmill
from treadctl.workout.profile import ProfileError
from treadctl.workout.runner import Runner, RunState

#: A person held this many times in a row without the workout going on gives up (stops).
GIVE_UP_AFTER_ANSWERS = 25
#: And a person held this many times in one workout has had enough.
GIVE_UP_AFTER_HOLDS = 80
#: A case that has not ended after this much virtual time past its plan has stalled.
STALL_MARGIN_S = 3600.0


@dataclass
class CaseResult:
    seed: int
    violations: list[Violation] = field(default_factory=list)
    faults: Counter[str] = field(default_factory=Counter)
    actions: Counter[str] = field(default_factory=Counter)
    outcome: str = "completed"
    """completed, stopped (ended early: a stop, the safety key), refused (the plan cannot
    run on this machine, as it should be), or a failure: exception, stalled, bad_log."""
    detail: str = ""
    workout_s: float = 0.0
    backward_s: float = 0.0
    turns: int = 0
    wall_s: float = 0.0
    advisory: bool = False
    """The workout ran (or went on) in advisory mode: the person set the console."""

    @property
    def ok(self) -> bool:
        return not self.violations and self.outcome in ("completed", "stopped", "refused")


class Injector:
    """Faults and a person, acting on one workout."""

    def __init__(
        self, case: Case, clock: Clock, sim: SimTreadmill, link: LoopbackLink, judge: BeltJudge
    ) -> None:
        self.case = case
        self.rng = random.Random(case.seed * 7919 + 1)
        #: The person at the console (advisory mode) draws from their own sequence, so the
        #: faults and actions of every other case stay as they were.
        self.console_rng = random.Random(case.seed * 7919 + 2)
        self.clock = clock
        self.sim = sim
        self.link = link
        self.judge = judge
        self.result: CaseResult | None = None
        self.runner: Runner | None = None
        self.hand: ConsoleHand | None = None
        self._asked_kmh: float | None = None
        self.key_out = False
        self._tasks = TaskSet("campaign action")

    def spawn(self, coro: Any) -> None:
        self._tasks.spawn(coro)

    async def close(self) -> None:
        await self._tasks.aclose()

    def count(self, what: str, kind: str) -> None:
        if self.result is not None:
            (self.result.faults if what == "fault" else self.result.actions)[kind] += 1

    # -- faults ---------------------------------------------------------------------------

    def on_event(self, event: WorkoutEvent) -> None:
        self.judge.follow(self.clock.now(), event)
        if isinstance(event, SafetyAlert) and event.kind == "start_refused":
            self.key_out = True
        if isinstance(event, Advice | SafetyAlert):
            self.at_the_console(event)
        if isinstance(event, Turnaround) and self.rng.random() < self.case.turn_fault_chance:
            delay_s = self.rng.uniform(0.0, 4.0)
            self.spawn(self._fault_after(delay_s))

    async def _fault_after(self, delay_s: float) -> None:
        await self.clock.sleep(delay_s)
        await self.fault(draw_fault(self.rng))

    async def random_faults(self) -> None:
        rate_per_s = self.case.fault_rate_per_min / 60
        while True:
            await self.clock.sleep(self.rng.expovariate(rate_per_s))
            await self.fault(draw_fault(self.rng))

    async def fault(self, kind: str) -> None:
        sim, link, rng, now = self.sim, self.link, self.rng, self.clock.now()
        self.count("fault", kind)
        match kind:
            case "link_drop":
                link.reachable = False
                link.break_link()
                self.spawn(self._reachable_after(rng.uniform(0.0, 25.0)))
            case "cp_timeout":
                dropped = {"done": False}

                def drop_next_answer(uuid: str, _data: bytes) -> bool:
                    if uuid == uuids.CONTROL_POINT and not dropped["done"]:
                        dropped["done"] = True
                        return True
                    return False

                link.drop_filter = drop_next_answer
            case "console_stop":
                sim.console_stop()
            case "console_pause":
                sim.console_pause()
            case "console_start":
                self.judge.console_start(now)
                sim.console_start()
            case "console_speed":
                kmh = round(rng.uniform(0.5, sim.config.max_speed_kmh), 1)
                sim.console_set_speed(kmh)
                self.judge.console_speed(now, kmh)
            case "safety_key":
                sim.pull_safety_key()
            case "revoke_control":
                sim.revoke_control()
                if rng.random() < 0.4:
                    other = sim.attach(link)
                    other.has_control = True
                    self.spawn(self._release_after(other, rng.uniform(3.0, 40.0)))
            case "bogus_reading" | "duplicate_reading":
                belt = sim.belt.speed_kmh
                speed = rng.choice(
                    [
                        100.0,
                        sim.config.max_speed_kmh + 5,
                        0.0,
                        belt * 0.3,
                        belt * 1.6,
                        rng.uniform(0, 20),
                    ]
                )
                packets = encode_treadmill_data(
                    TreadmillData.of(speed_kmh=round(min(speed, 600.0), 2))
                )
                for _ in range(2 if kind == "duplicate_reading" else 1):
                    for packet in packets:
                        link.notify(uuids.TREADMILL_DATA, packet)
            case "stale_distance":
                distance = max(0, int(sim.belt.distance_m) - rng.randint(1, 30))
                data = TreadmillData.of(speed_kmh=round(sim.belt.speed_kmh, 2), distance_m=distance)
                for packet in encode_treadmill_data(data):
                    link.notify(uuids.TREADMILL_DATA, packet)
            case "hr_spike":
                sim.heart_rate_bpm = rng.choice([230, 255, 180])
                self.spawn(self._heart_rate_after(self.case.heart_rate_bpm, rng.uniform(0.5, 25.0)))

    async def _reachable_after(self, delay_s: float) -> None:
        await self.clock.sleep(delay_s)
        self.link.reachable = True

    async def _release_after(self, other: Any, delay_s: float) -> None:
        await self.clock.sleep(delay_s)
        other.has_control = False
        self.sim.detach(other)

    async def _heart_rate_after(self, bpm: int | None, delay_s: float) -> None:
        await self.clock.sleep(delay_s)
        self.sim.heart_rate_bpm = bpm

    # -- the person at the console (advisory mode) ---------------------------------------

    def on_console(self, what: str, kmh: float) -> None:
        now = self.clock.now()
        if what == "speed":
            self.judge.console_speed(now, kmh)
        elif what == "start":
            self.judge.console_start(now)

    def at_the_console(self, event: Advice | SafetyAlert) -> None:
        """Advisory mode: the person does what the advice says (now and then a faster
        speed by mistake), and slows down when an alarm says the belt is too fast."""
        hand = self.hand
        if hand is None:
            return
        if isinstance(event, Advice):
            if event.speed_kmh is None:
                return
            self._asked_kmh = event.speed_kmh
            rng = self.console_rng
            if event.speed_kmh > 0 and rng.random() < self.case.advisory_slips:
                self.count("action", "console_slip")
                hand.cancel()
                self.spawn(self._slip(event.speed_kmh + rng.uniform(0.5, 2.5)))
                return
            hand.heard(event)
        elif event.kind in ("over_ceiling", "turn_too_fast", "speed_up_too_quick"):
            asked = self._asked_kmh
            if asked is not None:
                self.count("action", "console_correct")
                hand.heard(Advice("the alarm", asked))

    async def _slip(self, kmh: float) -> None:
        assert self.hand is not None
        await self.clock.sleep(self.console_rng.uniform(0.5, 3.0))
        if self.sim.state is not BeltState.RUNNING:
            self.on_console("start", 0.0)
            self.sim.console_start()
        self.hand.set_speed(round(min(kmh, self.sim.config.max_speed_kmh), 1))

    # -- the person -------------------------------------------------------------------------

    async def person(self, runner: Runner) -> None:
        """Acts at random, and answers holds and turn confirmations after a while."""
        rate_per_s = self.case.person_rate_per_min / 60
        next_act = self.clock.now() + self.rng.expovariate(rate_per_s)
        stop_at = None if self.case.stop_at_s is None else self.clock.now() + self.case.stop_at_s
        waiting_since: float | None = None
        patience = self.rng.uniform(*self.case.confirm_after_s)
        answers = 0
        total_answers = 0
        while True:
            await self.clock.sleep(0.5)
            now = self.clock.now()
            if stop_at is not None and now >= stop_at:
                self.count("action", "stop")
                await runner.emergency_stop("stop (campaign)")
                return
            status = runner.status()
            if status.awaiting_confirm or status.can_resume:
                waiting_since = now if waiting_since is None else waiting_since
                if now - waiting_since >= patience:
                    self.count("action", "answer")
                    answers += 1
                    total_answers += 1
                    if answers > GIVE_UP_AFTER_ANSWERS or total_answers > GIVE_UP_AFTER_HOLDS:
                        self.count("action", "give_up")
                        await runner.emergency_stop("gave up (campaign)")
                        return
                    if self.key_out:
                        self.sim.insert_safety_key()  # the person puts the key back first
                        self.key_out = False
                    if status.awaiting_confirm:
                        runner.confirm()
                    else:
                        runner.resume()
                    waiting_since = None
                    patience = self.rng.uniform(*self.case.confirm_after_s)
            else:
                waiting_since = None
                if status.state is RunState.RUNNING:
                    answers = 0
            if now >= next_act:
                next_act = now + self.rng.expovariate(rate_per_s)
                self.act(runner, draw_action(self.rng))

    def act(self, runner: Runner, action: str) -> None:
        self.count("action", action)
        match action:
            case "pause":
                runner.pause()
            case "resume":
                runner.resume()
            case "confirm":
                runner.confirm()
            case "speed_up":
                runner.adjuster.speed(+0.5)
            case "slow_down":
                runner.adjuster.speed(-0.5)
            case "incline_up":
                runner.adjuster.incline(+1.0)
            case "incline_down":
                runner.adjuster.incline(-1.0)


def _write_profile(case: Case, folder: Path) -> Path | str:
    if case.builtin is not None:
        return case.builtin
    lines = [f'title = "campaign {case.seed}"']
    for seg in case.segments or ():
        lines += ["", "[[segments]]"] + [f"{k} = {json.dumps(v)}" for k, v in seg.items()]
    path = folder / f"case-{case.seed}.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def check_log(path: Path) -> str | None:
    """What is wrong with a session log, or None if it is complete."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        return f"no session log: {exc}"
    types = []
    for number, line in enumerate(lines, 1):
        try:
            types.append(json.loads(line)["type"])
        except (ValueError, KeyError, TypeError):
            return f"line {number} is not a complete record"
    if not types or types[0] != "session":
        return "no session header"
    if "workout_started" not in types or types[-1] != "finished":
        return f"incomplete: {types[:2]} ... {types[-2:]}"
    return None


async def run_case(case: Case, folder: Path | None = None) -> CaseResult:
    """Run ``case`` and judge it."""
    result = CaseResult(case.seed)
    started = time.perf_counter()
    with contextlib.ExitStack() as stack:
        if folder is None:
            folder = Path(
                stack.enter_context(tempfile.TemporaryDirectory(prefix="treadctl-campaign-"))
            )
        await _run(case, folder, result)
    result.wall_s = time.perf_counter() - started
    return result


async def _run(case: Case, folder: Path, result: CaseResult) -> None:
    clock = VirtualClock()
    sim = SimTreadmill(clock, case.sim)
    link = LoopbackLink(sim, clock, seed=case.seed)
    minimum, increment = belt_steps(sim)
    judge = BeltJudge(case.limits, minimum_kmh=minimum, increment_kmh=increment)
    judge.watch(sim)
    lax = Quirk.CONTROL_NOT_ENFORCED in case.quirks

    def can_command() -> bool:
        conn = link.connection
        return isinstance(conn, SimConnection) and (conn.has_control or lax)

    injector = Injector(case, clock, sim, link, judge)

    def advisory() -> bool:
        return injector.runner is not None and injector.runner.advisory is not None

    judge.can_command = lambda: can_command() and not advisory()
    judge.advisory = advisory
    judge.sees = lambda: link.is_connected
    injector.result = result
    sim.heart_rate_bpm = case.heart_rate_bpm

    @contextlib.asynccontextmanager
    async def treadmill(c: Clock) -> AsyncIterator[Treadmill]:
        client = TreadmillClient(link, c, speed_unit=case.client_unit)
        async with sim.running():
            try:
                yield Treadmill(client, "simulator", sim.config.name, sim.config.address, sim)
            finally:
                await client.aclose()

    def on_runner(runner: Runner, _treadmill: Treadmill) -> None:
        judge.facing = runner.facing
        injector.runner = runner
        injector.hand = ConsoleHand(
            sim,
            clock,
            runner,
            delay_s=injector.console_rng.uniform(1.0, 4.0),
            on_console=injector.on_console,
        )
        injector.spawn(injector.random_faults())
        injector.spawn(injector.person(runner))

    log_path = folder / f"case-{case.seed}.jsonl"
    options = WorkoutOptions(
        profile=_write_profile(case, folder),
        settings=Settings(),
        clock=clock,
        limits=case.limits,
        log_path=log_path,
        risks_acknowledged=True,
        treadmill=treadmill,
    )
    async with clock.running():
        try:
            outcome = await asyncio.wait_for(
                _bounded(
                    clock, run_workout(options, on_event=injector.on_event, on_runner=on_runner)
                ),
                timeout=300,
            )
        except ProfileError as exc:
            result.outcome, result.detail = "refused", str(exc).splitlines()[0]
            return
        except TimeoutError:
            result.outcome, result.detail = "stalled", "no end after 300 s of real time"
            return
        except Exception as exc:
            result.outcome, result.detail = "exception", f"{type(exc).__name__}: {exc}"
            return
        finally:
            if injector.hand is not None:
                injector.hand.cancel()
            await injector.close()
    if outcome is None:
        result.outcome, result.detail = "stalled", "no end in virtual time"
        return
    summary = outcome.summary
    result.advisory = injector.runner is not None and injector.runner.advisory is not None
    result.workout_s = summary.workout_s
    result.backward_s = summary.backward_s
    result.turns = judge.turns
    result.outcome = "completed" if summary.completed else "stopped"
    result.detail = summary.reason
    problem = check_log(log_path)
    if problem is not None:
        result.outcome, result.detail = "bad_log", problem
    result.violations = list(judge.violations)


async def _bounded(clock: VirtualClock, work: Any) -> Any:
    """Run ``work``; None if virtual time runs far past any plan (a stalled workout)."""
    task = asyncio.ensure_future(work)
    deadline = clock.now() + STALL_MARGIN_S * 3
    while not task.done():
        await asyncio.wait({task}, timeout=0.05)
        if clock.now() > deadline:
            task.cancel()
            with contextlib.suppress(BaseException):
                await task
            return None
    return task.result()
