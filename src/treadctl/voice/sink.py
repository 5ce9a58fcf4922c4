"""The voice as a workout sink: events in, speech and tones out, the control path untouched.

``__call__`` only turns the event into utterances and puts them in the queue (and, for
something more urgent than what is being said, cancels the playback): no await, no
I/O. A speaker task takes the queue most urgent first, renders what is not rendered yet
and plays it. Each utterance said, cut off or dropped is a ``voice`` line in the session
log; with ``out_dir`` every clip is also kept as a file (see :mod:`.output`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from treadctl.clock import Clock, VirtualClock
from treadctl.config import VOICE_KINDS, DisplayUnits, Settings, VoiceKind
from treadctl.voice.engines import (
    SpeechEngine,
    SpeechError,
    VoiceParams,
    find_engine,
    install_hint,
)
from treadctl.voice.narrator import Narrator
from treadctl.voice.output import CueWriter
from treadctl.voice.players import PlaybackError, Player, SilentPlayer, find_player, player_hint
from treadctl.voice.queue import DropReason, SpeechQueue
from treadctl.voice.render import Renderer
from treadctl.voice.utterance import Utterance
from treadctl.voice.wavs import Clip, WavError
from treadctl.workout.events import Finished, WorkoutEvent
from treadctl.workout.ports import SessionLog, Treadmill
from treadctl.workout.runner import Runner

log = logging.getLogger(__name__)

#: After the workout, how long (real seconds) the voice may finish what it is saying.
DRAIN_S = 10.0
#: The phrase rendered at start to check that the engine works.
PROBE_TEXT = "One."

Auto = Literal["auto"]
#: What the person hears: words and tones; tones only (no engine, or muted); the bell
#: for the tones (no audio device); nothing (no audio wanted, as at ``--time-factor max``).
Heard = Literal["speech", "tones", "bell", "none"]


@dataclass(frozen=True)
class VoiceConfig:
    """The voice settings of one workout (from :class:`Settings`)."""

    units: DisplayUnits = "kmh"
    kinds: tuple[VoiceKind, ...] = VOICE_KINDS
    volume_pct: float = 100.0
    rate_wpm: int = 175
    voice_name: str | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> VoiceConfig:
        return cls(
            units=settings.display_units,
            kinds=settings.voice_kinds,
            volume_pct=settings.voice_volume_pct,
            rate_wpm=settings.voice_rate_wpm,
            voice_name=settings.voice_name,
        )

    @property
    def params(self) -> VoiceParams:
        return VoiceParams(self.rate_wpm, self.volume_pct, self.voice_name)


@dataclass(frozen=True)
class Spoken:
    """One utterance as it started: for the session log, tests and the benchmark."""

    utterance: Utterance
    started_at: float
    """Clock time it started."""
    workout_s: float
    delay_real_s: float
    """Real seconds from its event to its start (queue, render, player)."""
    clip: Clip | None
    heard: Heard


@dataclass
class VoiceStats:
    spoken: list[Spoken] = field(default_factory=list)
    cut: list[tuple[Utterance, float]] = field(default_factory=list)
    dropped: list[tuple[Utterance, DropReason]] = field(default_factory=list)


class VoiceSink:
    """Speaks a workout. Enter it, attach it, call it with each event (never blocks).

    Args:
        config: units, kinds, volume, rate and voice.
        engine: a speech engine, None for none (tones only), or "auto" to find one.
        player: a player, None for no audio at all (replays at ``--time-factor max``), or "auto"
            to find one that works; none found, the terminal bell stands in for tones.
        out_dir: also keep every clip there, with ``cues.jsonl``.
        notify: gets the one line said at start (what is used, or what to install).
        ring: rings the terminal bell (for the tones, when no audio device works).
        cache: keep rendered phrases and render the expected ones at the start; False
            renders each utterance on demand (the benchmark's baseline).
    """

    def __init__(
        self,
        config: VoiceConfig = VoiceConfig(),
        *,
        engine: SpeechEngine | Auto | None = "auto",
        player: Player | Auto | None = "auto",
        out_dir: Path | None = None,
        notify: Callable[[str], None] | None = None,
        ring: Callable[[], None] | None = None,
        cache: bool = True,
        drain_s: float = DRAIN_S,
    ) -> None:
        self.config = config
        self._engine_choice = engine
        self._player_choice = player
        self.out_dir = out_dir
        self.notify = notify
        self.ring = ring
        self.cache = cache
        self.drain_s = drain_s
        self.on_change: Callable[[], None] | None = None
        """Called when what is heard or the mute changes (the TUI's indicator)."""
        self.engine: SpeechEngine | None = None
        self.player: Player | None = None
        self.renderer: Renderer | None = None
        self.narrator: Narrator | None = None
        self.queue = SpeechQueue(on_drop=self._dropped)
        self.stats = VoiceStats()
        self.startup_line = ""
        self.muted = False
        self._audible: Player | None = None
        self._folder: Path | None = None
        self._writer: CueWriter | None = None
        self._clock: Clock | None = None
        self._runner: Runner | None = None
        self._recorder: SessionLog | None = None
        self._inline = False
        self._speaker: asyncio.Task[None] | None = None
        self._prerender: asyncio.Task[None] | None = None
        self._playing: Utterance | None = None
        self._play_task: asyncio.Future[None] | None = None
        self._cut_by: Utterance | None = None
        self._idle = asyncio.Event()
        self._idle.set()
        self._closed = False

    # -- what is heard ---------------------------------------------------------------

    @property
    def heard(self) -> Heard:
        """What a person hears now (the mute aside)."""
        player = self.player
        if player is None or not player.audible:
            if isinstance(player, SilentPlayer) and player.ring is not None:
                return "bell"
            return "none"
        return "speech" if self.engine is not None else "tones"

    def set_muted(self, muted: bool) -> None:
        """Mute the words (the three tones stay: the person cannot see the screen)."""
        if muted == self.muted:
            return
        self.muted = muted
        if muted:
            self.queue.drop_where(lambda u: u.earcon is None, "muted")
            if self._playing is not None and self._play_task is not None:
                self._cut_by = None
                self._play_task.cancel()
        self._changed()

    def toggle_mute(self) -> bool:
        self.set_muted(not self.muted)
        return self.muted

    def _changed(self) -> None:
        if self.on_change is not None:
            try:
                self.on_change()
            except Exception:
                log.exception("voice indicator failed")

    def _say_once(self, line: str) -> None:
        self.startup_line = line
        log.info("%s", line)
        if self.notify is not None:
            self.notify(line)

    # -- WorkoutSink -----------------------------------------------------------------

    async def __aenter__(self) -> VoiceSink:
        self._folder = Path(tempfile.mkdtemp(prefix="treadctl-voice-"))
        problems: list[str] = []
        hints: list[str] = []
        engine = self._engine_choice
        if engine == "auto":
            engine = find_engine(self.config.params)
            if engine is None:
                problems.append("no speech engine")
                hints.append(install_hint())
        renderer = Renderer(engine, self._folder, volume_pct=self.config.volume_pct)
        renderer.cache = self.cache
        if engine is not None:
            try:
                await renderer.render(PROBE_TEXT, None)
            except (SpeechError, WavError, OSError) as exc:
                problems.append(f"the speech engine failed ({exc})")
                hints.append("check the voice_name setting, or " + install_hint())
                engine = renderer.engine = None
        self.engine, self.renderer = engine, renderer
        player = self._player_choice
        if player == "auto":
            player, tried = await find_player()
            if player is None:
                why = f" ({tried[-1]})" if tried else ""
                problems.append(f"no audio device works{why}")
                hints.append(player_hint())
        self._audible = player
        if self.out_dir is not None:
            self._writer = CueWriter(self.out_dir)
        self._say_once(self._startup_text(problems, hints))
        return self

    def _startup_text(self, problems: list[str], hints: list[str]) -> str:
        if problems:
            fallback = (
                "the terminal bell stands in for the tones"
                if self._audible is None and self._player_choice == "auto"
                else "tones only, no words"
            )
            return f"voice: {' and '.join(problems)}: {fallback}; to fix: {'; '.join(hints)}"
        engine = self.engine.name if self.engine is not None else "no engine"
        if self._audible is None:
            where = f"rendered to {self.out_dir}" if self.out_dir is not None else "not played"
            return f"voice: {engine}, {where}"
        return f"voice: {engine} through {self._audible.name} (--no-voice turns it off)"

    def attach(self, runner: Runner, treadmill: Treadmill, recorder: SessionLog) -> None:
        try:
            self._attach(runner, recorder)
        except Exception:  # the voice must never keep a workout from running
            log.exception("the voice could not start")
            self._closed = True

    def _attach(self, runner: Runner, recorder: SessionLog) -> None:
        clock = runner.clock
        self._clock, self._runner, self._recorder = clock, runner, recorder
        self._inline = isinstance(clock, VirtualClock)
        audible = self._audible
        found = self._player_choice == "auto"
        if audible is None or (self._inline and found):
            # Nothing to hear at virtual speed: the clips take their time on the clock.
            ring = self.ring if audible is None and found else None
            self.player = SilentPlayer(clock, ring)
        else:
            self.player = audible
        self.narrator = Narrator(self.config.units, self.config.kinds, runner.limits.turn_warning_s)
        renderer = self.renderer
        if renderer is not None and self.cache:
            phrases = self.narrator.expected(runner.timeline)
            if self._inline:
                renderer.prerender_now(phrases)
            else:
                self._prerender = asyncio.ensure_future(renderer.prerender(phrases))
        self._speaker = asyncio.ensure_future(self._speak())
        self._changed()

    def __call__(self, event: WorkoutEvent) -> None:
        if self.narrator is None or self._clock is None or self._closed:
            return
        now = self._clock.now()
        for utterance in self.narrator.utterances(event, now):
            self.say(utterance)
        if isinstance(event, Finished):
            # The session log closes now; what is still to be said is noted as queued.
            for utterance in self.queue.waiting:
                self._record(status="queued", kind=utterance.kind, text=utterance.text)

    def say(self, utterance: Utterance) -> None:
        """Queue ``utterance``; cut off what is playing if this is more urgent."""
        if self._clock is None or self._closed:
            return
        if self.muted and utterance.earcon is None:
            self._dropped(utterance, "muted")
            return
        self.queue.put(utterance, self._clock.now())
        self._idle.clear()
        playing = self._playing
        if playing is not None and self._play_task is not None and utterance.interrupts(playing):
            self._cut_by = utterance
            self._play_task.cancel()

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Let the last words finish (up to ``drain_s``), then stop and clean up."""
        heard = self.player is not None and self.player.audible
        if self._speaker is not None and not self._closed and (heard or self._writer):
            # Nobody hears it and nothing is written: no reason to wait.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._idle.wait(), self.drain_s)
        self._closed = True
        for task in (self._speaker, self._prerender):
            if task is not None:
                task.cancel()
        await asyncio.gather(
            *(t for t in (self._speaker, self._prerender) if t is not None),
            return_exceptions=True,
        )
        if self.renderer is not None:
            await self.renderer.aclose()
        if self._writer is not None:
            self._writer.close()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)

    # -- the speaker -------------------------------------------------------------------

    async def _speak(self) -> None:
        assert self._clock is not None
        clock = self._clock
        while True:
            if not self.queue:
                self._idle.set()
            await self.queue.changed()
            utterance = self.queue.pop(clock.now())
            if utterance is None:
                continue
            clip = await self._clip_for(utterance)
            if not utterance.fresh(clock.now()):
                self._dropped(utterance, "stale")
                continue
            await self._play(utterance, clip)

    async def _clip_for(self, utterance: Utterance) -> Clip | None:
        renderer = self.renderer
        if renderer is None:
            return None
        text = "" if self.muted else utterance.text
        try:
            if self._inline:
                return renderer.render_now(text, utterance.earcon)
            return await renderer.render(text, utterance.earcon)
        except (SpeechError, WavError, OSError) as exc:
            log.warning("voice: could not render %r: %s", utterance.text, exc)
            return renderer.cached("", utterance.earcon) or renderer.render_now(
                "", utterance.earcon
            )

    async def _play(self, utterance: Utterance, clip: Clip | None) -> None:
        assert self._clock is not None
        assert self.player is not None
        heard = self._heard_for(clip)
        self._started(utterance, clip, heard)
        if clip is None:
            return
        self._playing, self._cut_by = utterance, None
        task = asyncio.ensure_future(self.player.play(clip))
        self._play_task = task
        try:
            await asyncio.wait({task})
        finally:
            if not task.done():
                task.cancel()  # the speaker itself is being stopped
            self._playing = self._play_task = None
        if task.cancelled():
            self._cut(utterance, self._cut_by)
            return
        problem = task.exception()
        if isinstance(problem, PlaybackError):
            self._player_failed(problem)
        elif problem is not None:
            log.error("voice: playback failed", exc_info=problem)

    def _heard_for(self, clip: Clip | None) -> Heard:
        if clip is None:
            return "none"
        heard = self.heard
        if heard == "speech" and not clip.text:
            return "tones"
        if heard == "bell" and clip.earcon is None:
            return "none"
        return heard

    def _player_failed(self, problem: PlaybackError) -> None:
        assert self._clock is not None
        self._say_once(
            f"voice: playback stopped working ({problem}): the terminal bell stands in "
            f"for the tones; {player_hint()}"
        )
        self.player = SilentPlayer(self._clock, self.ring)
        self._changed()

    # -- records -----------------------------------------------------------------------

    def _workout_s(self) -> float:
        if self._runner is not None:
            return self._runner.workout_s
        return self._clock.now() if self._clock is not None else 0.0

    def _record(self, **fields: Any) -> None:
        if self._recorder is not None:
            self._recorder.record("voice", **fields)

    def _started(self, utterance: Utterance, clip: Clip | None, heard: Heard) -> None:
        assert self._clock is not None
        workout_s = self._workout_s()
        spoken = Spoken(
            utterance,
            self._clock.now(),
            workout_s,
            time.perf_counter() - utterance.queued_perf_s,
            clip,
            heard,
        )
        self.stats.spoken.append(spoken)
        wav = None
        if self._writer is not None:
            wav = self._writer.write(workout_s, utterance.kind, utterance.text, clip)
        self._record(
            status="said",
            kind=utterance.kind,
            text=utterance.text,
            workout_s=round(workout_s, 3),
            heard=heard,
            **({"wav": wav} if wav else {}),
        )

    def _cut(self, utterance: Utterance, by: Utterance | None) -> None:
        assert self._clock is not None
        self.stats.cut.append((utterance, self._clock.now()))
        self._record(
            status="cut",
            kind=utterance.kind,
            text=utterance.text,
            by=by.kind if by is not None else "mute",
        )

    def _dropped(self, utterance: Utterance, reason: DropReason) -> None:
        self.stats.dropped.append((utterance, reason))
        self._record(status="dropped", kind=utterance.kind, text=utterance.text, reason=reason)
