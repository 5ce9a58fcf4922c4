"""Coaching you can hear: spoken cues and short tones for a person facing away from the screen.

:class:`treadctl.voice.sink.VoiceSink` follows a workout like any other sink
(docs/voice.md). The parts: :mod:`.narrator` (what is said when), :mod:`.queue`
(priorities, stale words dropped), :mod:`.engines` (espeak-ng, say, SAPI),
:mod:`.players` (the platform's player), :mod:`.earcons` (three tones), :mod:`.render`
(rendered phrases), :mod:`.output` (``--voice-out``), :mod:`.cli` (the options).

Nothing is imported here, so the command line's ``--voice`` options cost no start-up time.
"""
