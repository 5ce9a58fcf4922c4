"""Coaching you can hear: spoken cues and short tones for a person facing away from the screen.

:class:`VoiceSink` follows a workout like any other sink (docs/voice.md). The parts:
:mod:`.narrator` (what is said when), :mod:`.queue` (priorities, stale words dropped),
:mod:`.engines` (espeak-ng, say, SAPI), :mod:`.players` (the platform's player),
:mod:`.earcons` (three tones), :mod:`.render` (rendered phrases), :mod:`.output`
(``--voice-out``).
"""

from treadctl.voice.engines import SpeechEngine, SpeechError, VoiceParams, find_engine
from treadctl.voice.players import PlaybackError, Player, SilentPlayer
from treadctl.voice.sink import VoiceConfig, VoiceSink
from treadctl.voice.utterance import Earcon, Priority, Utterance
from treadctl.voice.wavs import Clip

__all__ = [
    "Clip",
    "Earcon",
    "PlaybackError",
    "Player",
    "Priority",
    "SilentPlayer",
    "SpeechEngine",
    "SpeechError",
    "Utterance",
    "VoiceConfig",
    "VoiceParams",
    "VoiceSink",
    "find_engine",
]
