"""``--voice-out DIR``: every utterance as a WAV file, and ``DIR/cues.jsonl`` listing them.

One line a clip, when it starts: ``{"t": workout seconds, "kind", "text", "wav"}`` (``wav``
is the file name in DIR, or null when nothing could be rendered). A user can listen to
a whole workout's coaching in seconds; a test can check it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from treadctl.config import VoiceKind
from treadctl.errors import TreadctlError
from treadctl.util.jsonl import JsonlAppender
from treadctl.voice.wavs import Clip

CUES_FILE = "cues.jsonl"


class VoiceOutError(TreadctlError, OSError):
    """DIR cannot be written; the message names it."""


class CueWriter:
    """Copies each clip into ``folder`` and appends its line to ``cues.jsonl``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0
        self._copy_errors = 0
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for old in folder.glob("[0-9][0-9][0-9][0-9]-*.wav"):
                old.unlink()  # a new render replaces the last one in the same folder
            self._out = JsonlAppender(folder / CUES_FILE, truncate=True)
        except OSError as exc:
            raise VoiceOutError(f"--voice-out {folder}: cannot write there ({exc})") from None

    def write(self, t_s: float, kind: VoiceKind, text: str, clip: Clip | None) -> str | None:
        """Record one utterance; returns the WAV's file name (None: no audio)."""
        if self._out.closed:
            return None
        self.count += 1
        name: str | None = None
        if clip is not None:
            name = f"{self.count:04d}-{kind}.wav"
            try:
                shutil.copyfile(clip.path, self.folder / name)
            except OSError:
                self._copy_errors += 1  # a full disk loses clips, never the workout
                name = None
        self._out.write({"t": round(t_s, 3), "kind": kind, "text": text, "wav": name})
        return name

    @property
    def errors(self) -> int:
        """Clips and lines lost to write errors."""
        return self._copy_errors + self._out.write_errors

    def close(self) -> None:
        self._out.close()
