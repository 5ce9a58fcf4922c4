"""Three short tones, made with ``math``: "turn now", "stop" and "alert".

Each is told apart by its shape, not only its pitch, so it is recognised through a noisy
gym or a cheap speaker: "turn now" climbs (three rising notes), "stop" falls (three
falling, longer notes), "alert" is three quick high beeps on one pitch. Each note fades
in and out over a few milliseconds so it does not click.
"""

from __future__ import annotations

import math
from array import array

from treadctl.voice.utterance import Earcon
from treadctl.voice.wavs import FULL_SCALE, WavFormat, mono_to

#: (frequency in Hz, length in s); 0 Hz is a rest.
Note = tuple[float, float]

PATTERNS: dict[Earcon, tuple[Note, ...]] = {
    Earcon.TURN_NOW: ((660.0, 0.11), (0.0, 0.03), (880.0, 0.11), (0.0, 0.03), (1175.0, 0.18)),
    Earcon.STOP: ((784.0, 0.16), (0.0, 0.04), (587.0, 0.16), (0.0, 0.04), (392.0, 0.30)),
    Earcon.ALERT: ((1319.0, 0.08), (0.0, 0.06), (1319.0, 0.08), (0.0, 0.06), (1319.0, 0.08)),
}
#: Loudness of a tone at full volume, as a share of full scale (speech peaks near 0.8).
TONE_LEVEL = 0.5
FADE_S = 0.008
#: Silence between the tone and the words.
GAP_S = 0.12


def tone(fmt: WavFormat, notes: tuple[Note, ...], volume_pct: float) -> array[int]:
    """The ``notes`` as samples for ``fmt``: sine tones with a touch of the octave."""
    amplitude = TONE_LEVEL * max(0.0, min(volume_pct, 100.0)) / 100 * FULL_SCALE
    out = array("h")
    for freq_hz, length_s in notes:
        count = round(length_s * fmt.rate_hz)
        fade = max(1, round(FADE_S * fmt.rate_hz))
        for i in range(count):
            if freq_hz <= 0:
                out.append(0)
                continue
            envelope = min(1.0, i / fade, (count - 1 - i) / fade)
            phase = 2 * math.pi * freq_hz * i / fmt.rate_hz
            value = 0.85 * math.sin(phase) + 0.15 * math.sin(2 * phase)
            out.append(round(amplitude * envelope * value))
    return mono_to(fmt, out)


def earcon_samples(earcon: Earcon, fmt: WavFormat, volume_pct: float) -> array[int]:
    return tone(fmt, PATTERNS[earcon], volume_pct)


def earcon_length_s(earcon: Earcon) -> float:
    return sum(length for _, length in PATTERNS[earcon])
