"""Read profile files (TOML) and turn validation errors into messages a person can act on.

Every message names the file, the place in it (segment number as a person counts, with
its label, through nested repeats), the field and the offending value::

    profiles/first-steps.toml: segment 2 ("Backward bout"), field speed_kmh: -1 is not
    valid: input should be greater than 0
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.aliases import AliasChoices
from pydantic_core import ErrorDetails

from treadctl.workout.profile import (
    Cue,
    Limits,
    Profile,
    ProfileError,
    Repeat,
    Segment,
    Turn,
    segment_name,
)

_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TAGS: dict[str, type[BaseModel]] = {"segment": Segment, "repeat": Repeat}
_SECTIONS: dict[str, type[BaseModel]] = {"limits": Limits, "turn": Turn}


def display_path(path: Path) -> str:
    """``path`` relative to the working directory when it is inside it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


def load_profile_file(path: Path | str) -> Profile:
    """The profile in a ``.toml`` file; its name defaults to the file's stem."""
    file = Path(path)
    source = display_path(file)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProfileError(source, "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(source, f"cannot read the file: {exc}") from None
    return parse_profile(text, source=source, name=file.stem)


def parse_profile(text: str, *, source: str, name: str | None = None) -> Profile:
    """The profile in TOML ``text``; ``source`` names it in messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(source, _toml_problem(exc)) from None
    return profile_from_data(data, source=source, name=name)


def _toml_problem(exc: tomllib.TOMLDecodeError) -> str:
    message = str(exc)
    position = _TOML_POSITION.search(message)
    if position is None:
        return f"not valid TOML: {message}"
    line, column = position.groups()
    return f"line {line}, column {column}: not valid TOML: {message[: position.start()]}"


def profile_from_data(
    data: Mapping[str, Any], *, source: str | None, name: str | None = None
) -> Profile:
    """Validate parsed data into a :class:`Profile`, or raise :class:`ProfileError`."""
    values = dict(data)
    if name is not None:
        values.setdefault("name", name)
    try:
        profile = Profile.model_validate(values)
    except ValidationError as exc:
        raise ProfileError(source, [describe_error(e, values) for e in exc.errors()]) from None
    profile._source = source
    return profile


def describe_error(error: ErrorDetails, data: Mapping[str, Any]) -> str:
    """One pydantic error as ``segment 2 ("x"), field speed_kmh: ...`` (no file name)."""
    context: dict[str, Any] = dict(error.get("ctx") or {})
    parts, field, model = _locate(error["loc"], data)
    if "where" in context:
        parts = [str(context["where"])]
    if "field" in context:
        field = str(context["field"])
    detail = _detail(error, field, model, data_at=_node_at(error["loc"], data))
    if context.get("field") == "at" and "cue_text" in context:
        parts.append(f"cue {context['cue_text']!r}")
    place = ", ".join(parts)
    if field is not None and error["type"] != "extra_forbidden":
        place = f"{place}, field {field}" if place else f"field {field}"
    return f"{place}: {detail}" if place else detail


def _detail(error: ErrorDetails, field: str | None, model: type[BaseModel], data_at: Any) -> str:
    kind = error["type"]
    message = error["msg"]
    if kind == "treadctl":
        return message
    if kind == "extra_forbidden":
        return _unknown_key(str(field), error.get("input"), model, data_at)
    if kind == "missing":
        if model is Segment and field == "speed_kmh":
            return "missing; give speed_kmh or speed_mph"
        if field == "duration":
            return 'missing; give duration, like "20s", "3m" or "1m30s"'
        if field == "at":
            return 'missing; give the offset into the segment, like at = "10s"'
        return "missing"
    return f"{error.get('input')!r} is not valid: {message[:1].lower()}{message[1:]}"


def _unknown_key(key: str, value: Any, model: type[BaseModel], data_at: Any) -> str:
    known = _known_keys(model)
    for name, choices in _alias_groups(model):
        if key in choices and isinstance(data_at, Mapping):
            given = [c for c in choices if c in data_at]
            if len(given) > 1:
                return f"{' and '.join(given)} are the same field ({name}); give only one"
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(known)}"
    return f"unknown key {key!r} (= {value!r}){hint}"


def _alias_groups(model: type[BaseModel]) -> list[tuple[str, list[str]]]:
    groups = []
    for name, info in model.model_fields.items():
        alias = info.validation_alias
        if isinstance(alias, AliasChoices):
            groups.append((name, [c for c in alias.choices if isinstance(c, str)]))
    return groups


def _known_keys(model: type[BaseModel]) -> list[str]:
    keys: list[str] = []
    aliased = dict(_alias_groups(model))
    for name in model.model_fields:
        keys += aliased.get(name, [name])
    return keys


def _locate(
    loc: tuple[int | str, ...], data: Mapping[str, Any]
) -> tuple[list[str], str | None, type[BaseModel]]:
    """Walk an error location through the raw data: the places, the field, its model."""
    parts: list[str] = []
    node: Any = data
    model: type[BaseModel] = Profile
    i = 0
    while i < len(loc):
        key = loc[i]
        following = loc[i + 1] if i + 1 < len(loc) else None
        if key in ("segments", "cues") and isinstance(following, int):
            items = node.get(key) if isinstance(node, Mapping) else None
            in_range = isinstance(items, list) and 0 <= following < len(items)
            node = items[following] if in_range and items is not None else None
            i += 2
            if key == "cues":
                parts.append(f"cue {following + 1}")
                model = Cue
                continue
            label = node.get("label") if isinstance(node, Mapping) else None
            name = segment_name(following + 1, label if isinstance(label, str) else "")
            if parts and parts[-1].startswith("segment"):
                parts[-1] += " > " + name  # inside a repeat, as in profile.walk()
            else:
                parts.append(name)
            tag = loc[i] if i < len(loc) else None
            if isinstance(tag, str) and tag in _TAGS:
                model = _TAGS[tag]
                i += 1
            continue
        if model is Profile and isinstance(key, str) and key in _SECTIONS and following:
            parts.append(key)
            model = _SECTIONS[key]
            node = node.get(key) if isinstance(node, Mapping) else None
            i += 1
            continue
        return parts, ".".join(str(k) for k in loc[i:]), model
    return parts, None, model


def _node_at(loc: tuple[int | str, ...], data: Mapping[str, Any]) -> Any:
    """The raw table holding the field at ``loc`` (for messages about sibling keys)."""
    node: Any = data
    for key in loc[:-1]:
        in_table = isinstance(node, Mapping) and isinstance(key, str) and key in node
        in_list = isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node)
        if in_table or in_list:
            node = node[key]
    return node
