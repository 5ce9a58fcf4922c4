"""Real subclasses of the voice's interfaces for tests: an in-process engine, a recording
player, and a sink that notes when the belt reported each speed.

``ToneEngine`` writes a WAV as long as its words take at the configured rate (a tone per
word), without a subprocess: on a virtual clock nothing then waits for real time, so
order and timing are exact. The real espeak-ng is tested in ``test_espeak.py``.
"""

from __future__ import annotations

import asyncio
import math
from array import array
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from treadctl.clock import Clock
from treadctl.voice.engines import SpeechEngine, SpeechError
from treadctl.voice.players import Player
from treadctl.voice.utterance import Earcon
from treadctl.voice.wavs import Clip, WavFormat, write_wav
from treadctl.voice.words import word_count
from treadctl.workout.events import WorkoutEvent
from treadctl.workout.ports import SessionLog, Treadmill
from treadctl.workout.runner import Runner

#: A 50-second workout with one backward bout: two turns, for voice tests and the bench.
MINI = """\
title = "Mini"

[[segments]]
label = "Warm"
direction = "forward"
speed_kmh = 2.0
duration = "20s"

[[segments]]
label = "Back"
direction = "backward"
speed_kmh = 1.0
duration = "20s"

[[segments]]
label = "Cool"
direction = "forward"
speed_kmh = 2.0
duration = "10s"
"""


class ToneEngine(SpeechEngine):
    """Says each word as a short tone: ``60 / rate_wpm`` seconds a word."""

    name: ClassVar[str] = "tone"

    @classmethod
    def available(cls) -> bool:
        return True

    def synthesize(self, text: str, out: Path) -> None:
        words = word_count(text)
        if words == 0:
            raise SpeechError("tone: nothing to say")
        write_wav(out, WavFormat(), self._word() * words)

    def _word(self) -> array[int]:
        """One word: a tone for 80 % of its time, then silence."""
        fmt = WavFormat()
        per_word = round(fmt.rate_hz * 60 / self.params.rate_wpm)
        level = 0.4 * 32767 * self.params.volume_pct / 100
        sounding = round(per_word * 0.8)
        return array(
            "h",
            [round(level * math.sin(2 * math.pi * 220 * i / fmt.rate_hz)) for i in range(sounding)]
            + [0] * (per_word - sounding),
        )


@dataclass
class Played:
    text: str
    earcon: Earcon | None
    started_at: float
    duration_s: float
    ended_at: float | None = None
    cut_at: float | None = None


class RecordingPlayer(Player):
    """Plays nothing; notes what started when, and when it ended or was cut off."""

    name = "recording"
    audible = True

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.played: list[Played] = []

    async def play(self, clip: Clip) -> None:
        record = Played(clip.text, clip.earcon, self.clock.now(), clip.duration_s)
        self.played.append(record)
        try:
            await self.clock.sleep(clip.duration_s)
        except asyncio.CancelledError:
            record.cut_at = self.clock.now()
            raise
        record.ended_at = self.clock.now()

    def texts(self) -> list[str]:
        return [p.text for p in self.played]


@dataclass
class BeltWatch:
    """A workout sink that notes every event and every belt speed report, with times."""

    events: list[tuple[float, WorkoutEvent]] = field(default_factory=list)
    reports: list[tuple[float, float]] = field(default_factory=list)
    """(clock time of the Treadmill Data record, speed in km/h)."""
    clock: Clock | None = None
    _task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> BeltWatch:
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    def attach(self, runner: Runner, treadmill: Treadmill, recorder: SessionLog) -> None:
        self.clock = runner.clock
        self._task = asyncio.ensure_future(self._follow(treadmill))

    async def _follow(self, treadmill: Treadmill) -> None:
        seen = -1
        async for state in treadmill.client.states():
            if state.records != seen and state.updated_s is not None:
                seen = state.records
                self.reports.append((state.updated_s, state.speed_kmh or 0.0))

    def __call__(self, event: WorkoutEvent) -> None:
        assert self.clock is not None
        self.events.append((self.clock.now(), event))

    def reported_at_or_below(self, speed_kmh: float, at: float) -> float | None:
        """Since when the belt has been reported at or below ``speed_kmh``, as of ``at``.

        None if the last report before ``at`` was faster.
        """
        since: float | None = None
        for reported_at, speed in self.reports:
            if reported_at > at + 1e-9:
                break
            if speed > speed_kmh:
                since = None
            elif since is None:
                since = reported_at
        return since
