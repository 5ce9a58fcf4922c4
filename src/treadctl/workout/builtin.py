"""The profiles that ship with treadctl, and loading a profile by id or by file name."""

from __future__ import annotations

from pathlib import Path

from treadctl.workout.loader import load_profile_file
from treadctl.workout.profile import Profile, ProfileError
from treadctl.workout.zwo import ZwoReference, load_zwo

PROFILE_SUFFIX = ".toml"
ZWO_SUFFIX = ".zwo"


def builtin_dir() -> Path:
    """Where the built-in profiles are: in the wheel, or ``profiles/`` in a checkout."""
    packaged = Path(__file__).resolve().parents[1] / "builtin_profiles"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "profiles"


def list_builtin() -> list[tuple[str, Path]]:
    """``(id, path)`` of every built-in profile, sorted by id."""
    folder = builtin_dir()
    if not folder.is_dir():
        return []
    return sorted((path.stem, path) for path in folder.glob(f"*{PROFILE_SUFFIX}"))


def builtin_path(profile_id: str) -> Path | None:
    return dict(list_builtin()).get(profile_id)


def looks_like_path(name: str) -> bool:
    return name.endswith((PROFILE_SUFFIX, ZWO_SUFFIX)) or "/" in name or "\\" in name


def is_zwo(name_or_path: str | Path) -> bool:
    """Is this a Zwift ``.zwo`` file (rather than a built-in id or a ``.toml`` file)?"""
    return Path(str(name_or_path)).suffix.lower() == ZWO_SUFFIX


def load_profile(name_or_path: str | Path, *, zwo: ZwoReference | None = None) -> Profile:
    """A built-in profile by id (``first-steps``), or a ``.toml`` or ``.zwo`` file.

    A ``.zwo`` file's targets are fractions of the runner's paces: ``zwo`` gives them
    (:func:`treadctl.workout.zwo.zwo_reference` makes it from the settings).
    """
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or looks_like_path(text) or Path(text).is_file():
        path = Path(text)
    else:
        found = builtin_path(text)
        if found is None:
            known = ", ".join(profile_id for profile_id, _ in list_builtin()) or "none found"
            raise ProfileError(
                None,
                f"{text!r} is neither a built-in profile ({known}) nor a file",
            )
        path = found
    if is_zwo(path):
        return load_zwo(path, zwo or ZwoReference())
    return load_profile_file(path)
