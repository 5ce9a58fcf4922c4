"""Players: what makes a rendered clip heard, and stops it at once when it is cut off.

The platform's own player runs each clip as a subprocess: ``pw-play`` (PipeWire),
``paplay`` (PulseAudio) or ``aplay`` (ALSA) on Linux, ``afplay`` on macOS; on Windows the
standard library's ``winsound``. No audio package is needed: simpleaudio and playsound
are no longer maintained, and sounddevice brings PortAudio and NumPy for what one
subprocess does. A clip cut off (a safety alert pre-empting it) is a terminated process.

:class:`SilentPlayer` plays nothing: it takes the clip's length on the workout's clock and
rings the terminal bell for a tone. It stands in where no audio device works, at
``--time-factor max``, and in the benchmark (a "null player").
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import shutil
import sys
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from treadctl.clock import Clock
from treadctl.errors import TreadctlError
from treadctl.voice.wavs import Clip, WavFormat, silence, write_wav

#: How long a player gets to play the probe clip at start before it counts as broken.
PROBE_TIMEOUT_S = 3.0
PROBE_CLIP_S = 0.05


class PlaybackError(TreadctlError, RuntimeError):
    """The player failed; the message says what it said."""


class Player(ABC):
    """Plays one clip at a time. Cancelling :meth:`play` stops the sound at once."""

    name: str = "player"
    audible: bool = True
    """Whether a person hears the clips (False: silent, or the terminal bell only)."""

    @abstractmethod
    async def play(self, clip: Clip) -> None:
        """Play ``clip`` to its end.

        Raises:
            PlaybackError: the sound could not be played.
        """

    async def probe(self, clip: Clip) -> str | None:
        """Play ``clip`` (a moment of silence) and say what went wrong, or None if it works."""
        try:
            await asyncio.wait_for(self.play(clip), PROBE_TIMEOUT_S)
        except PlaybackError as exc:
            return str(exc)
        except TimeoutError:
            return f"{self.name} did not finish in {PROBE_TIMEOUT_S:g} s"
        return None


class CommandPlayer(Player):
    """A program that plays a WAV file given as its last argument."""

    def __init__(self, name: str, argv: Sequence[str]) -> None:
        self.name = name
        self.argv = list(argv)

    def available(self) -> bool:
        return shutil.which(self.argv[0]) is not None

    async def play(self, clip: Clip) -> None:
        try:
            proc = await asyncio.create_subprocess_exec(
                *self.argv,
                str(clip.path),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
        except OSError as exc:
            raise PlaybackError(f"{self.name}: cannot run {self.argv[0]}: {exc}") from None
        try:
            _, err = await proc.communicate()
        except asyncio.CancelledError:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            with contextlib.suppress(Exception):
                await asyncio.shield(proc.wait())
            raise
        if proc.returncode != 0:
            lines = err.decode("utf-8", "replace").strip().splitlines()
            said = lines[-1] if lines else f"exit code {proc.returncode}"
            said = said.removeprefix(f"{self.argv[0]}: ")  # aplay names itself
            raise PlaybackError(f"{self.name}: {said}")


class WinsoundPlayer(Player):
    """Windows: the standard library's ``winsound`` (untested here)."""

    name = "winsound"

    def __init__(self) -> None:
        self._winsound: Any = importlib.import_module("winsound")

    async def play(self, clip: Clip) -> None:
        ws = self._winsound
        flags = ws.SND_FILENAME | ws.SND_ASYNC | ws.SND_NODEFAULT
        try:
            ws.PlaySound(str(clip.path), flags)
        except RuntimeError as exc:
            raise PlaybackError(f"winsound: {exc}") from None
        try:
            await asyncio.sleep(clip.duration_s)
        finally:
            ws.PlaySound(None, 0)  # stops it, if it still plays


class SilentPlayer(Player):
    """Plays nothing: takes the clip's length on ``clock``, and rings for a tone."""

    name = "silent"
    audible = False

    def __init__(self, clock: Clock, ring: Callable[[], None] | None = None) -> None:
        self.clock = clock
        self.ring = ring

    async def play(self, clip: Clip) -> None:
        if clip.earcon is not None and self.ring is not None:
            self.ring()
        await self.clock.sleep(clip.duration_s)


def player_candidates(platform: str = sys.platform) -> list[Player]:
    """The players to try on ``platform``, most capable first."""
    if platform == "darwin":
        return [CommandPlayer("afplay", ["afplay"])]
    if platform == "win32":
        return [WinsoundPlayer()]
    return [
        CommandPlayer("pw-play", ["pw-play"]),
        CommandPlayer("paplay", ["paplay"]),
        CommandPlayer("aplay", ["aplay", "-q"]),
    ]


PLAYER_HINTS: dict[str, str] = {
    "darwin": "afplay is part of macOS; check the sound output in System Settings",
    "win32": "check that Windows has a sound output device",
}
DEFAULT_PLAYER_HINT = (
    "install alsa-utils (aplay), pulseaudio-utils (paplay) or pipewire (pw-play), "
    "and check that a sound card or headphones are there"
)


def player_hint(platform: str = sys.platform) -> str:
    return PLAYER_HINTS.get(platform, DEFAULT_PLAYER_HINT)


async def find_player(platform: str = sys.platform) -> tuple[Player | None, list[str]]:
    """The first player that plays a moment of silence here, and what the others said."""
    tried: list[str] = []
    candidates = []
    for player in player_candidates(platform):
        if isinstance(player, CommandPlayer) and not player.available():
            continue
        candidates.append(player)
    if not candidates:
        return None, tried
    with tempfile.TemporaryDirectory(prefix="treadctl-probe-") as tmp:
        fmt = WavFormat()
        path = Path(tmp) / "probe.wav"
        length = write_wav(path, fmt, silence(fmt, PROBE_CLIP_S))
        clip = Clip(path, length, "")
        for player in candidates:
            problem = await player.probe(clip)
            if problem is None:
                return player, tried
            tried.append(problem)
    return None, tried
