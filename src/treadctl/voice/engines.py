"""Offline speech engines behind one interface: text in, a 16-bit PCM WAV file out.

- Linux (and anywhere it is installed): espeak-ng, run as a command. Tested here.
- macOS: ``say``, which ships with the system. Not tested here (no macOS machine).
- Windows: SAPI through Windows PowerShell's System.Speech. Not tested here.

Each runs the platform's own program in a subprocess, so treadctl needs no Python
package for speech: pyttsx3 (the usual library) wraps the same three engines but pulls
in pyobjc on macOS and comtypes on Windows, runs its own blocking loop, and cannot write
a file on every platform. Nothing is downloaded at run time; synthesis is offline.

:meth:`SpeechEngine.synthesize` blocks (tens of milliseconds with espeak-ng): the voice
calls it from a worker thread, or inline on a virtual clock, never on the control path.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from treadctl.errors import TreadctlError
from treadctl.voice.wavs import DEFAULT_RATE_HZ

#: The engines' own default speaking rate, words a minute.
DEFAULT_RATE_WPM = 175
#: Longest a synthesis may take before it counts as failed.
SYNTHESIS_TIMEOUT_S = 15.0


class SpeechError(TreadctlError, RuntimeError):
    """The engine could not say this; the message says what went wrong."""


@dataclass(frozen=True)
class VoiceParams:
    rate_wpm: int = DEFAULT_RATE_WPM
    volume_pct: float = 100.0
    voice: str | None = None
    """An engine's voice name (``en-gb`` for espeak-ng, ``Samantha`` for say); None: default."""


class SpeechEngine(ABC):
    """Turns text into a WAV file, offline."""

    name: ClassVar[str]

    def __init__(self, params: VoiceParams = VoiceParams()) -> None:
        self.params = params

    @classmethod
    @abstractmethod
    def available(cls) -> bool:
        """Whether this engine can run here (its program is installed)."""

    @abstractmethod
    def synthesize(self, text: str, out: Path) -> None:
        """Write ``text`` spoken to ``out`` as 16-bit PCM WAV. Blocks.

        Raises:
            SpeechError: the engine failed or wrote nothing.
        """


class CommandEngine(SpeechEngine):
    """An engine that is a program: the text goes in on standard input."""

    executable: ClassVar[str]

    @classmethod
    def available(cls) -> bool:
        return shutil.which(cls.executable) is not None

    @abstractmethod
    def argv(self, out: Path) -> list[str]:
        """The command line that reads text on stdin and writes ``out``."""

    def stdin_text(self, text: str) -> str:
        return text

    def synthesize(self, text: str, out: Path) -> None:
        argv = self.argv(out)
        try:
            done = subprocess.run(
                argv,
                input=self.stdin_text(text).encode("utf-8"),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                timeout=SYNTHESIS_TIMEOUT_S,
                check=False,
            )
        except FileNotFoundError:
            raise SpeechError(f"{self.name}: {argv[0]} is not installed") from None
        except subprocess.TimeoutExpired:
            raise SpeechError(f"{self.name}: no answer in {SYNTHESIS_TIMEOUT_S:g} s") from None
        except OSError as exc:
            raise SpeechError(f"{self.name}: cannot run {argv[0]}: {exc}") from None
        said = done.stdout.decode("utf-8", "replace").strip().splitlines()
        if done.returncode != 0:
            why = said[-1] if said else f"exit code {done.returncode}"
            raise SpeechError(f"{self.name}: {why}")
        if not out.exists() or out.stat().st_size <= 44:  # a WAV header and nothing else
            raise SpeechError(f"{self.name}: wrote no audio for {text!r}")


class EspeakEngine(CommandEngine):
    """espeak-ng: small, offline, on every Linux distribution (``apt install espeak-ng``).

    Volume is its amplitude (0-200, 100 normal); ``-z`` drops the pause after the last
    sentence so the next words are not held up by silence.
    """

    name = "espeak-ng"
    executable = "espeak-ng"

    def argv(self, out: Path) -> list[str]:
        amplitude = round(self.params.volume_pct)
        argv = [self.executable, "--stdin", "-z", "-w", str(out)]
        argv += ["-s", str(self.params.rate_wpm), "-a", str(amplitude)]
        if self.params.voice:
            argv += ["-v", self.params.voice]
        return argv


class SayEngine(CommandEngine):
    """macOS ``say`` (untested here). Volume through its embedded ``[[volm]]`` command."""

    name = "say"
    executable = "say"

    def argv(self, out: Path) -> list[str]:
        argv = [self.executable, "-o", str(out), "--file-format=WAVE"]
        argv += [f"--data-format=LEI16@{DEFAULT_RATE_HZ}", "-r", str(self.params.rate_wpm)]
        if self.params.voice:
            argv += ["-v", self.params.voice]
        return [*argv, "-f", "-"]

    def stdin_text(self, text: str) -> str:
        if self.params.volume_pct >= 100:
            return text
        return f"[[volm {self.params.volume_pct / 100:.2f}]] {text}"


def _ps_quote(text: str) -> str:
    """A PowerShell single-quoted string."""
    return "'" + text.replace("'", "''") + "'"


def sapi_rate(rate_wpm: int) -> int:
    """SAPI's rate, -10 to 10 (0 is about 175 words a minute; +10 about three times)."""
    steps = 10 * math.log(rate_wpm / DEFAULT_RATE_WPM) / math.log(3)
    return max(-10, min(10, round(steps)))


class SapiEngine(CommandEngine):
    """Windows SAPI through Windows PowerShell and System.Speech (untested here).

    Each call starts PowerShell, which takes a few hundred milliseconds: the cache renders
    the workout's phrases at its start, so only unexpected messages pay for it.
    """

    name = "sapi"
    executable = "powershell"

    def argv(self, out: Path) -> list[str]:
        voice = f"$s.SelectVoice({_ps_quote(self.params.voice)}); " if self.params.voice else ""
        script = (
            "[Console]::InputEncoding = [Text.Encoding]::UTF8; "
            "Add-Type -AssemblyName System.Speech; "
            "$s = New-Object System.Speech.Synthesis.SpeechSynthesizer; "
            f"$s.Rate = {sapi_rate(self.params.rate_wpm)}; "
            f"$s.Volume = {round(self.params.volume_pct)}; "
            f"{voice}"
            "$f = New-Object System.Speech.AudioFormat.SpeechAudioFormatInfo("
            f"{DEFAULT_RATE_HZ}, [System.Speech.AudioFormat.AudioBitsPerSample]::Sixteen, "
            "[System.Speech.AudioFormat.AudioChannel]::Mono); "
            f"$s.SetOutputToWaveFile({_ps_quote(str(out))}, $f); "
            "$s.Speak([Console]::In.ReadToEnd()); $s.Dispose()"
        )
        return [self.executable, "-NoProfile", "-NonInteractive", "-Command", script]


#: Engines to try, in order, on each platform (``sys.platform``).
ENGINES: dict[str, tuple[type[SpeechEngine], ...]] = {
    "darwin": (SayEngine, EspeakEngine),
    "win32": (SapiEngine, EspeakEngine),
}
DEFAULT_ENGINES: tuple[type[SpeechEngine], ...] = (EspeakEngine,)

INSTALL_HINTS: dict[str, str] = {
    "darwin": "macOS has `say` built in; check that /usr/bin/say runs",
    "win32": "Windows PowerShell with System.Speech is part of Windows; check that "
    "powershell.exe runs",
}
DEFAULT_INSTALL_HINT = (
    "install espeak-ng (Debian, Ubuntu: sudo apt install espeak-ng; Fedora: sudo dnf "
    "install espeak-ng; Arch: sudo pacman -S espeak-ng)"
)


def engine_classes(platform: str = sys.platform) -> tuple[type[SpeechEngine], ...]:
    return ENGINES.get(platform, DEFAULT_ENGINES)


def find_engine(params: VoiceParams, platform: str = sys.platform) -> SpeechEngine | None:
    """The first engine installed here, or None."""
    for cls in engine_classes(platform):
        if cls.available():
            return cls(params)
    return None


def install_hint(platform: str = sys.platform) -> str:
    return INSTALL_HINTS.get(platform, DEFAULT_INSTALL_HINT)
