"""Rendered phrases: each (tone, words) pair synthesized once, kept as a WAV file.

A workout repeats itself (every turn says the same words), and the phrases it will need
are known when it starts, so they are rendered then, in a worker thread, and "turn
coming" is ready to play the moment it is due. Anything else (a safety message) is
rendered on demand. On a virtual clock rendering is done inline: it then costs no
workout time at all, so a ``--time-factor max`` replay times its speech exactly.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from array import array
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from treadctl.voice.earcons import GAP_S, earcon_samples
from treadctl.voice.engines import SpeechEngine, SpeechError
from treadctl.voice.utterance import Earcon
from treadctl.voice.wavs import Clip, WavError, WavFormat, read_wav, silence, write_wav

Key = tuple[Earcon | None, str]


@dataclass
class RenderStats:
    """Real (wall-clock) time spent synthesizing, per phrase."""

    renders: int = 0
    hits: int = 0
    failures: int = 0
    times_s: list[float] = field(default_factory=list)

    @property
    def total_s(self) -> float:
        return sum(self.times_s)


class Renderer:
    """Renders and keeps clips in ``folder``.

    Args:
        engine: the speech engine; None renders tones only (text is then not heard).
        volume_pct: the tones' volume (the engine has its own, from the same setting).
        cache: keep clips for reuse; False renders every request anew (the baseline the
            benchmark compares with).
    """

    def __init__(
        self,
        engine: SpeechEngine | None,
        folder: Path,
        *,
        volume_pct: float = 100.0,
        cache: bool = True,
    ) -> None:
        self.engine = engine
        self.folder = folder
        self.volume_pct = volume_pct
        self.cache = cache
        self.stats = RenderStats()
        self._clips: dict[Key, Clip] = {}
        self._pending: dict[Key, asyncio.Future[Clip | None]] = {}
        self._count = 0
        # One worker: renders happen one at a time, and closing waits for the last.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="treadctl-voice")

    def _name(self, key: Key) -> str:
        self._count += 1
        digest = hashlib.sha1(f"{key[0]}|{key[1]}".encode()).hexdigest()[:12]
        return f"{self._count:05d}-{digest}"

    def cached(self, text: str, earcon: Earcon | None) -> Clip | None:
        clip = self._clips.get((earcon, text)) if self.cache else None
        if clip is not None:
            self.stats.hits += 1
        return clip

    def render_now(self, text: str, earcon: Earcon | None) -> Clip | None:
        """The clip for the tone and words, rendering it here if needed (blocks).

        None when there is nothing to play: words without an engine, and no tone.
        """
        clip = self.cached(text, earcon)
        if clip is not None:
            return clip
        key = (earcon, text)
        speak = bool(text) and self.engine is not None
        if not speak and earcon is None:
            return None
        name = self._name(key)
        fmt = WavFormat()
        samples = array("h")
        started = time.perf_counter()
        if speak:
            assert self.engine is not None
            words_path = self.folder / f"{name}-words.wav"
            try:
                self.engine.synthesize(text, words_path)
                fmt, samples = read_wav(words_path)
            except (SpeechError, WavError):
                self.stats.failures += 1
                raise
            finally:
                words_path.unlink(missing_ok=True)
        if earcon is not None:
            head = earcon_samples(earcon, fmt, self.volume_pct)
            if samples:
                head.extend(silence(fmt, GAP_S))
            samples = head + samples
        path = self.folder / f"{name}.wav"
        length_s = write_wav(path, fmt, samples)
        self.stats.renders += 1
        self.stats.times_s.append(time.perf_counter() - started)
        clip = Clip(path, length_s, text if speak else "", earcon)
        if self.cache:
            self._clips[key] = clip
        return clip

    async def render(self, text: str, earcon: Earcon | None) -> Clip | None:
        """Like :meth:`render_now`, in a worker thread; one render per phrase at a time."""
        clip = self.cached(text, earcon)
        if clip is not None:
            return clip
        key = (earcon, text)
        pending = self._pending.get(key)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[Clip | None] = asyncio.get_running_loop().create_future()
        if self.cache:
            self._pending[key] = future
        try:
            work = self._executor.submit(self.render_now, text, earcon)
            clip = await asyncio.wrap_future(work)
        except BaseException as exc:
            if not future.done():
                future.set_exception(exc)
                future.exception()  # retrieved: only waiters see it
            raise
        finally:
            self._pending.pop(key, None)
        future.set_result(clip)
        return clip

    async def prerender(self, phrases: Iterable[Key]) -> None:
        """Render ``phrases`` ahead, one after the other; failures are left for later."""
        for earcon, text in phrases:
            try:
                await self.render(text, earcon)
            except (SpeechError, WavError, OSError):
                continue

    def prerender_now(self, phrases: Iterable[Key]) -> None:
        for earcon, text in phrases:
            try:
                self.render_now(text, earcon)
            except (SpeechError, WavError, OSError):
                continue

    async def aclose(self) -> None:
        """Wait for a render still running (its files go in ``folder``), then stop."""
        await asyncio.to_thread(self._executor.shutdown, wait=True, cancel_futures=True)
