"""16-bit PCM WAV files with the standard library: read, write, join, measure.

Every engine is asked for 16-bit PCM; the earcons are made at the speech's sample rate so
one utterance (tone, a short gap, words) is one file and one playback.
"""

from __future__ import annotations

import math
import sys
import wave
from array import array
from dataclasses import dataclass
from pathlib import Path

from treadctl.errors import TreadctlError
from treadctl.voice.utterance import Earcon

SAMPLE_WIDTH_BYTES = 2
#: The rate engines are asked for and earcons are made at when there is no speech.
DEFAULT_RATE_HZ = 22050
FULL_SCALE = 32767


class WavError(TreadctlError, ValueError):
    """A file that is not the 16-bit PCM WAV the voice works with."""


@dataclass(frozen=True)
class WavFormat:
    rate_hz: int = DEFAULT_RATE_HZ
    channels: int = 1


@dataclass(frozen=True)
class Clip:
    """A rendered utterance: a WAV file ready to play, and what it says."""

    path: Path
    duration_s: float
    text: str
    earcon: Earcon | None = None


def _samples(data: bytes) -> array[int]:
    samples = array("h")
    samples.frombytes(data)
    if sys.byteorder == "big":  # WAV data is little-endian
        samples.byteswap()
    return samples


def _bytes(samples: array[int]) -> bytes:
    if sys.byteorder == "big":
        samples = array("h", samples)
        samples.byteswap()
    return samples.tobytes()


def read_wav(path: Path) -> tuple[WavFormat, array[int]]:
    """The format and the interleaved samples of a 16-bit PCM WAV file."""
    try:
        with wave.open(str(path), "rb") as wav:
            if wav.getsampwidth() != SAMPLE_WIDTH_BYTES:
                raise WavError(f"{path}: {8 * wav.getsampwidth()}-bit audio, not 16-bit")
            fmt = WavFormat(wav.getframerate(), wav.getnchannels())
            return fmt, _samples(wav.readframes(wav.getnframes()))
    except (wave.Error, EOFError) as exc:
        raise WavError(f"{path}: not a readable WAV file ({exc})") from None


def write_wav(path: Path, fmt: WavFormat, samples: array[int]) -> float:
    """Write ``samples``; returns the duration in seconds."""
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(fmt.channels)
        wav.setsampwidth(SAMPLE_WIDTH_BYTES)
        wav.setframerate(fmt.rate_hz)
        wav.writeframes(_bytes(samples))
    return len(samples) / fmt.channels / fmt.rate_hz


def duration_s(path: Path) -> float:
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


def rms(samples: array[int]) -> float:
    """Root mean square level, 0 (silence) to 1 (full scale)."""
    if not samples:
        return 0.0
    return math.sqrt(sum(s * s for s in samples) / len(samples)) / FULL_SCALE


def peak(samples: array[int]) -> float:
    return max((abs(s) for s in samples), default=0) / FULL_SCALE


def silence(fmt: WavFormat, seconds: float) -> array[int]:
    return array("h", bytes(2 * round(seconds * fmt.rate_hz) * fmt.channels))


def mono_to(fmt: WavFormat, mono: array[int]) -> array[int]:
    """``mono`` samples laid out for ``fmt``'s channels (the same sound in each)."""
    if fmt.channels == 1:
        return mono
    out = array("h")
    for s in mono:
        out.extend([s] * fmt.channels)
    return out
