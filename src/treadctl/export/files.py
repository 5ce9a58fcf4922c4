"""Writing export files: by hand (``treadctl export``) or after each session (settings)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from treadctl.config import Settings
from treadctl.export.activity import Activity, build_activity
from treadctl.history.energy import Body
from treadctl.history.log import SessionLog, load_session_log
from treadctl.sessions import data_dir

Format = Literal["fit", "tcx"]
FORMATS: tuple[Format, ...] = ("fit", "tcx")
EXPORTS_SUBDIR = "exports"


def body_of(settings: Settings) -> Body:
    return Body(settings.body_mass_kg, settings.age_years, settings.sex)


def export_folder(settings: Settings) -> Path:
    """``export_folder`` from the settings, else ``exports`` in the data folder."""
    return settings.export_folder or data_dir() / EXPORTS_SUBDIR


def formats_of(setting: str | None) -> list[Format]:
    if setting == "both":
        return ["fit", "tcx"]
    return [fmt for fmt in FORMATS if fmt == setting]


def write_atomically(path: Path, data: bytes) -> None:
    """A half-written export never has the final name (a crash leaves a temp file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def encoder(fmt: Format) -> Callable[[Activity], bytes]:
    """The encoder for ``fmt``, imported only when used (the FIT SDK is large)."""
    if fmt == "fit":
        from treadctl.export.fit import encode_fit  # noqa: PLC0415

        return encode_fit
    from treadctl.export.tcx import encode_tcx  # noqa: PLC0415

    return encode_tcx


def export_log(log: SessionLog, fmt: Format, path: Path, settings: Settings) -> Path:
    write_atomically(path, encoder(fmt)(build_activity(log, body_of(settings))))
    return path


def should_export_on_finish(log: SessionLog, settings: Settings) -> bool:
    """Real sessions when ``export_on_finish`` is set; rehearsals only with
    ``export_rehearsals``; replays never (export them by hand)."""
    if not formats_of(settings.export_on_finish):
        return False
    if log.kind == "real":
        return True
    return log.kind == "rehearsal" and settings.export_rehearsals


def export_on_finish(log_path: Path, settings: Settings) -> list[Path]:
    """The files ``export_on_finish`` asks for, written next to each other.

    Raises:
        SessionFileError, OSError: the log cannot be read, or a file not written.
    """
    if not formats_of(settings.export_on_finish):
        return []
    log = load_session_log(log_path)
    if not should_export_on_finish(log, settings):
        return []
    folder = export_folder(settings)
    return [
        export_log(log, fmt, folder / f"{log_path.stem}.{fmt}", settings)
        for fmt in formats_of(settings.export_on_finish)
    ]
