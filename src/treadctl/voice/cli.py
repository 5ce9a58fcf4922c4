"""``--voice/--no-voice`` and ``--voice-out DIR`` on ``treadctl run`` and ``treadctl replay``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from treadctl.config import Settings

if TYPE_CHECKING:
    from treadctl.voice.sink import VoiceSink


def add_voice_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group(
        "voice (docs/voice.md)",
        "Spoken cues and short tones, for a person who faces away from the screen. Also "
        "settable in the config file (voice, voice_volume_pct, voice_rate_wpm, voice_name, "
        "voice_kinds) or as TREADCTL_VOICE_* variables.",
    )
    group.add_argument(
        "--voice",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="speak the turn warnings, countdowns, segments, cues and safety alerts "
        "(default: the voice setting, on; replays at --time-factor max are silent unless asked)",
    )
    group.add_argument(
        "--voice-out",
        type=Path,
        metavar="DIR",
        help="also render every utterance to a WAV file in DIR and list them in "
        "DIR/cues.jsonl (t in workout seconds); works at --time-factor max",
    )


def print_notice(message: str) -> None:
    print(f"treadctl: {message}", file=sys.stderr, flush=True)


def terminal_bell() -> None:
    """The terminal bell, where there is a terminal to ring."""
    if sys.stdout.isatty():
        sys.stdout.write("\a")
        sys.stdout.flush()


def voice_sinks_from_args(
    args: argparse.Namespace, settings: Settings, *, audible: bool
) -> list[VoiceSink] | str:
    """``[sink]``, ``[]`` with the voice off, or what is wrong with the options.

    Args:
        audible: whether anyone could hear it (False at ``--time-factor max``): then the voice
            is off unless ``--voice`` or ``--voice-out`` asks for it, and plays nothing.
    """
    wanted: bool | None = args.voice
    enabled = (settings.voice and audible) if wanted is None else wanted
    out_dir: Path | None = args.voice_out
    if not enabled and out_dir is None:
        return []
    # the voice's modules only when it speaks or records
    from treadctl.voice.engines import find_engine, install_hint  # noqa: PLC0415
    from treadctl.voice.sink import VoiceConfig, VoiceSink  # noqa: PLC0415

    config = VoiceConfig.from_settings(settings)
    if out_dir is not None and find_engine(config.params) is None:
        return f"--voice-out needs a speech engine: {install_hint()}"
    return [
        VoiceSink(
            config,
            player="auto" if enabled and audible else None,
            out_dir=out_dir,
            notify=print_notice,
            ring=terminal_bell,
        )
    ]
