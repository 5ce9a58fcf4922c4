"""The user's settings: safety ceilings, ramp rates, turnarounds, heart rate, units.

Read, highest priority first, from keyword arguments, ``TREADCTL_*`` environment variables,
and a flat TOML file (``config.toml`` in the platform's config folder, or the file named by
``TREADCTL_CONFIG``). Every default is the safe choice; raising a ceiling is something the
user does on purpose, in one of those two places.

The environment is read here, not through pydantic-settings: that package's import
loads every source it offers (cloud secret stores, dotenv, YAML, its own CLI parser) and
cost each command about 40 ms of start-up, for a rule that fits in a few lines (one
variable per key, any case; ``none`` is no value; a table is JSON; the sources merged as
pydantic-settings merges them, tables key by key).
"""

from __future__ import annotations

import contextlib
import difflib
import itertools
import json
import os
import re
import tempfile
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Literal, get_origin

import platformdirs
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from treadctl.errors import TreadctlError

APP_NAME = "treadctl"
ENV_PREFIX = "TREADCTL_"
#: Environment variable naming the config file to use instead of the default.
CONFIG_ENV = "TREADCTL_CONFIG"
CONFIG_FILENAME = "config.toml"

DisplayUnits = Literal["kmh", "mph"]
#: What the voice can say (docs/voice.md). Safety alerts and turns are always spoken.
VoiceKind = Literal["safety", "turn", "countdown", "segment", "progress", "status", "cue"]
VOICE_KINDS: tuple[VoiceKind, ...] = (
    "safety",
    "turn",
    "countdown",
    "segment",
    "progress",
    "status",
    "cue",
)
ConfigValue = bool | int | float | str


class ConfigError(TreadctlError, ValueError):
    """The config file or a ``TREADCTL_*`` variable cannot be used; the message says where."""


def default_config_path() -> Path:
    """``$TREADCTL_CONFIG`` if set, else ``config.toml`` in the platform's config folder."""
    override = os.environ.get(CONFIG_ENV)
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / CONFIG_FILENAME


def env_var(key: str) -> str:
    """The environment variable for a settings key: ``TREADCTL_MAX_BACKWARD_SPEED_KMH``."""
    return ENV_PREFIX + key.upper()


# Bluetooth (docs/bluetooth.md): settings of one treadmill, as a TOML table keyed by its
# address (or advertised name): [devices."AA:BB:CC:DD:EE:FF"].
class DeviceSettings(BaseModel):
    """How one treadmill deviates: mph numbers in the km/h fields, a Start that toggles."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Machines that put mph numbers in the km/h fields (Bowflex T9, some FitShow modules).
    speed_unit: Literal["kmh", "mph"] = "kmh"
    # Decks whose Start (0x07) stops a running belt (Vitalwalk): never send it unless the
    # belt reports standing still.
    start_toggles: bool = False


class Settings(BaseModel):
    """What the user allows and prefers. Construct with :func:`load_settings` (which
    reads the environment and the config file); ``Settings(**values)`` is those values
    and the defaults only."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    # H2: backward ceilings. 3.0 km/h is the design's default: beginners start near
    # 0.8 km/h, and fallers walk backward below 2.2 km/h, so 3.0 km/h leaves room to
    # progress without letting a typo or an imported profile ask for a jog.
    max_backward_speed_kmh: float = Field(default=3.0, gt=0, le=20)
    # 5 %: backward at 6-8 % is a hard workout even for trained people, and heart rate runs
    # 17-20 % above forward walking from 5 % up, so steeper backward work is opt-in.
    max_backward_incline_pct: float = Field(default=5.0, ge=0, le=40)
    # Forward: a steady run; faster needs a deliberate setting.
    max_forward_speed_kmh: float = Field(default=12.0, gt=0, le=30)

    # H3: how fast the belt speed may change; gentler when the user faces backward.
    ramp_rate_forward_kmh_per_s: float = Field(default=0.5, gt=0, le=5)
    ramp_rate_backward_kmh_per_s: float = Field(default=0.25, gt=0, le=5)

    # H1: turnarounds. The belt slows to turn_speed_kmh (0 stops it), is held there for
    # turn_hold_s (or until the user confirms), with a warning turn_warning_s ahead.
    turn_speed_kmh: float = Field(default=0.8, ge=0, le=2)
    turn_hold_s: float = Field(default=5.0, ge=0, le=120)
    turn_confirm: bool = False
    turn_warning_s: float = Field(default=5.0, ge=0, le=60)

    # H9: heart-rate ceiling (None: off) and how long above it before the runner acts.
    max_heart_rate_bpm: int | None = Field(default=None, ge=60, le=240)
    heart_rate_over_s: float = Field(default=10.0, ge=0, le=300)

    display_units: DisplayUnits = "kmh"

    # Energy estimate (docs/history.md): body mass (70 kg assumed when unset); with age
    # and sex set, heart rate (where the treadmill reports one) is used as well.
    body_mass_kg: float | None = Field(default=None, ge=20, le=300)
    age_years: int | None = Field(default=None, ge=10, le=110)
    sex: Literal["female", "male"] | None = None

    # Export (docs/export.md): after each real session, write a FIT or TCX file (or
    # both) into export_folder (default: "exports" in the data folder). Rehearsals on
    # the simulator too only with export_rehearsals; replays never on their own.
    export_on_finish: Literal["fit", "tcx", "both"] | None = None
    export_folder: Path | None = None
    export_rehearsals: bool = False

    # Zwift .zwo run workouts (docs/profiles.md): their targets are fractions of one of
    # the runner's paces, picked by each step's pace attribute (0 one mile, 1 5 km, 2 10
    # km, 3 half marathon, 4 marathon). Each pace is given here as a speed in km/h; the
    # reference speed serves steps without a pace attribute and zones not set here.
    # `--reference-speed` on the command line stands for all of them.
    zwo_reference_speed_kmh: float | None = Field(default=None, gt=0, le=30)
    zwo_pace_1mile_kmh: float | None = Field(default=None, gt=0, le=30)
    zwo_pace_5k_kmh: float | None = Field(default=None, gt=0, le=30)
    zwo_pace_10k_kmh: float | None = Field(default=None, gt=0, le=30)
    zwo_pace_half_marathon_kmh: float | None = Field(default=None, gt=0, le=30)
    zwo_pace_marathon_kmh: float | None = Field(default=None, gt=0, le=30)

    # TUI: ring the terminal bell on cues and turnarounds, for a person facing away from
    # the screen (off by default: many terminals flash or beep loudly).
    bell: bool = False

    # Voice (docs/voice.md): spoken cues and short tones for a person who faces away from
    # the screen. On by default; with no speech engine or no audio device the workout
    # goes on with the terminal bell for the tones. voice_name none: the engine's default
    # voice. voice_kinds: what is spoken; safety alerts and turns always are.
    voice: bool = True
    voice_volume_pct: float = Field(default=100.0, ge=0, le=100)
    voice_rate_wpm: int = Field(default=175, ge=80, le=400)
    voice_name: str | None = None
    voice_kinds: tuple[VoiceKind, ...] = VOICE_KINDS

    # H11: set once the user has read and accepted the risks of backward walking.
    risks_acknowledged: bool = False

    # MQTT live stats (docs/mqtt.md): off unless mqtt_url is set (or --mqtt is given).
    # Give the password as TREADCTL_MQTT_PASSWORD rather than in the file; it is never
    # printed or logged. mqtt_device_id none: from the treadmill's address (or the
    # simulator's name). H10: remote resume is off unless mqtt_remote_resume is true.
    mqtt_url: str | None = None
    mqtt_username: str | None = None
    mqtt_password: SecretStr | None = None
    mqtt_client_id: str | None = None
    mqtt_base_topic: str = "treadctl"
    mqtt_discovery_prefix: str = "homeassistant"
    mqtt_state_rate_hz: float = Field(default=1.0, gt=0, le=20)
    mqtt_ca_file: Path | None = None
    mqtt_cert_file: Path | None = None
    mqtt_key_file: Path | None = None
    mqtt_remote_resume: bool = False
    mqtt_device_id: str | None = None

    # Bluetooth: the treadmill `treadctl run` uses without --device (an address or an
    # advertised name; `treadctl scan` lists them), and per-device settings as tables
    # [devices."AA:BB:CC:DD:EE:FF"] (see DeviceSettings).
    device: str | None = None
    devices: dict[str, DeviceSettings] = Field(default_factory=dict)
    # A Bluetooth heart-rate strap `treadctl run` reads without --hr (address or name).
    hr_device: str | None = None

    _config_path: Path | None = PrivateAttr(default=None)
    _origins: dict[str, str] = PrivateAttr(default_factory=dict)

    @field_validator("voice_kinds", mode="before")
    @classmethod
    def _kinds_from_text(cls, value: object) -> object:
        """``TREADCTL_VOICE_KINDS=turn,cue`` as well as a TOML list."""
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @model_validator(mode="after")
    def _paces_in_order(self) -> Settings:
        """A longer race is run slower: a 5 km pace faster than the one-mile pace is a
        slip (two values swapped, or a pace in min/km taken for km/h)."""
        given = [(key, getattr(self, key)) for key in ZWO_PACE_KEYS]
        given = [(key, value) for key, value in given if value is not None]
        for (shorter, fast), (longer, slow) in itertools.pairwise(given):
            if slow > fast:
                raise PydanticCustomError(
                    "pace_order",
                    f"{longer} ({slow:g} km/h) is faster than {shorter} ({fast:g} km/h): "
                    "a longer race is run slower; are two of them swapped?",
                    {"keys": (shorter, longer)},
                )
        return self

    def device_settings(self, *keys: str | None) -> DeviceSettings:
        """The ``[devices.KEY]`` table for the first key that has one (address or name,
        any case), else the defaults."""
        by_key = {k.casefold(): v for k, v in self.devices.items()}
        for key in keys:
            if key and key.casefold() in by_key:
                return by_key[key.casefold()]
        return DeviceSettings()

    @property
    def config_path(self) -> Path:
        """The config file these settings were read from (or would be)."""
        return self._config_path or default_config_path()

    def origin(self, key: str) -> str:
        """Where setting ``key`` comes from, for messages: ``environment variable
        TREADCTL_MAX_BACKWARD_SPEED_KMH``, ``max_backward_speed_kmh in /path/config.toml``
        or ``max_backward_speed_kmh, the default`` (just the key for settings not read by
        :func:`load_settings`)."""
        return self._origins.get(key, key)


#: The speeds of Zwift's pace zones, shortest race first (the ``pace`` attribute's order).
ZWO_PACE_KEYS = (
    "zwo_pace_1mile_kmh",
    "zwo_pace_5k_kmh",
    "zwo_pace_10k_kmh",
    "zwo_pace_half_marathon_kmh",
    "zwo_pace_marathon_kmh",
)


def settings_keys() -> dict[str, FieldInfo]:
    """The keys a config file may set, with their fields."""
    return dict(Settings.model_fields)


def load_settings(path: Path | str | None = None, **overrides: Any) -> Settings:
    """Settings from ``overrides``, the environment and the config file, in that order.

    A missing config file is fine (everything has a default); a broken one is a
    :class:`ConfigError` naming the file, the key and the value.
    """
    config_path = Path(path) if path is not None else default_config_path()
    file_values = read_config_file(config_path)
    try:
        values = _merged(file_values, environment_values(), overrides)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    try:
        settings = Settings.model_validate(values)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, config_path, file_values)) from None
    settings._config_path = config_path
    settings._origins = {
        key: _origin(key, config_path, file_values, overrides) for key in Settings.model_fields
    }
    return settings


#: The value of a ``TREADCTL_*`` variable that means "no value" (``TREADCTL_DEVICE=none``).
ENV_NONE = "none"


def environment_values(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The settings keys the ``TREADCTL_*`` variables set, any case (``none``: no value).

    A table (``devices``) is JSON; everything else stays text for the model to convert
    (``"3.5"`` to 3.5, ``"true"`` to True, ``"turn,cue"`` to a tuple).

    Raises:
        ValueError: a table's variable is not a JSON object.
    """
    environ = os.environ if environ is None else environ
    by_name = {env_var(key).casefold(): key for key in Settings.model_fields}
    values: dict[str, Any] = {}
    for name, text in environ.items():
        key = by_name.get(name.casefold())
        if key is None:
            continue
        if text == ENV_NONE:
            values[key] = None
        elif key in _TABLE_KEYS:
            try:
                values[key] = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ValueError(f"environment variable {name}: not a JSON object: {exc}") from None
        else:
            values[key] = text
    return values


#: Settings that are tables (``dict`` fields): JSON in a variable, merged key by key.
_TABLE_KEYS = frozenset(
    key for key, info in Settings.model_fields.items() if get_origin(info.annotation) is dict
)


def _merged(*sources: Mapping[str, Any]) -> dict[str, Any]:
    """Later sources win; tables are merged key by key (a device in the file keeps its
    other keys when the environment sets one)."""
    out: dict[str, Any] = {}
    for source in sources:
        for key, value in source.items():
            old = out.get(key)
            if isinstance(old, dict) and isinstance(value, dict):
                out[key] = _merged(old, value)
            else:
                out[key] = value
    return out


def _in_environment(key: str) -> bool:
    """Is ``key`` set by its environment variable (any case)?"""
    name = env_var(key).casefold()
    return any(k.casefold() == name for k in os.environ)


def _origin(
    key: str, path: Path, file_values: Mapping[str, Any], overrides: Mapping[str, Any]
) -> str:
    if key in overrides:
        return key
    if _in_environment(key):
        return f"environment variable {env_var(key)}"
    if key in file_values:
        return f"{key} in {path}"
    return f"{key}, the default"


def read_config_file(path: Path) -> dict[str, Any]:
    """The key/value pairs in ``path``; ``{}`` when it does not exist."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _describe(exc: ValidationError, path: Path, file_values: Mapping[str, Any]) -> str:
    lines = []
    for error in exc.errors():
        if not error["loc"]:  # about several keys: name each with where it was set
            keys = (error.get("ctx") or {}).get("keys", ())
            places = "; ".join(_origin(k, path, file_values, {}) for k in keys)
            lines.append(f"{places}: {error['msg']}" if places else error["msg"])
            continue
        key = str(error["loc"][0])
        if error["type"] == "extra_forbidden" and key == "devices" and len(error["loc"]) == 3:
            # A key inside a [devices."..."] table.
            inner = str(error["loc"][2])
            close = difflib.get_close_matches(inner, DeviceSettings.model_fields, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            table = f'[devices."{error["loc"][1]}"]'
            lines.append(f"{path}: unknown key {inner!r} in {table}{hint}")
            continue
        if error["type"] == "extra_forbidden":
            close = difflib.get_close_matches(key, settings_keys(), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            lines.append(f"{path}: unknown key {key!r}{hint}")
            continue
        value = error.get("input")
        if _in_environment(key):
            origin = f"environment variable {env_var(key)}"
        elif key in file_values:
            origin = f"{path}: {key}"
        else:
            origin = key
        message = error["msg"][:1].lower() + error["msg"][1:]
        if len(error["loc"]) > 1:  # inside a table: name the whole path
            origin += "".join(
                f"[{p!r}]" if isinstance(p, int) else f".{p}" for p in error["loc"][1:]
            )
        shown = "(hidden)" if _is_secret(key) else repr(value)
        lines.append(f"{origin}: {shown} is not valid: {message}")
    return "\n".join(lines)


def _is_secret(key: str) -> bool:
    """A setting whose value is never echoed back, even when it is wrong."""
    field_info = Settings.model_fields.get(key)
    return field_info is not None and "Secret" in str(field_info.annotation)


def format_toml_value(value: ConfigValue) -> str:
    """``value`` written as TOML: ``true``, ``7``, ``6.4``, ``"mph"``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)  # JSON string escapes are valid TOML


def set_config_values(values: Mapping[str, ConfigValue], path: Path | str | None = None) -> Path:
    """Write ``values`` into the config file, keeping every other line and comment as it is.

    Existing ``key = ...`` lines are replaced; new keys go before the first table (the
    file is flat, so normally at the end). The file is replaced atomically.
    """
    config_path = Path(path) if path is not None else default_config_path()
    for key in values:
        if key not in Settings.model_fields:
            raise ConfigError(f"{key!r} is not a setting")
    try:
        text = config_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    except OSError as exc:
        raise ConfigError(f"{config_path}: cannot read the config file: {exc}") from None
    new_text = _with_values(text, values)
    try:
        written = tomllib.loads(new_text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{config_path}: could not update the file safely: {exc}") from None
    if any(written.get(key) != value for key, value in values.items()):
        raise ConfigError(f"{config_path}: could not update the file safely; edit it by hand")
    config_path.parent.mkdir(parents=True, exist_ok=True)
    with _atomic_writer(config_path) as handle:
        handle.write(new_text)
    return config_path


def set_device_value(
    device: str, key: str, value: ConfigValue, path: Path | str | None = None
) -> Path:
    """Set ``key`` in the ``[devices."DEVICE"]`` table (made if missing), keeping the rest
    of the file as it is; replaced atomically, and checked by reading it back."""
    if key not in DeviceSettings.model_fields:
        raise ConfigError(f"{key!r} is not a device setting")
    config_path = Path(path) if path is not None else default_config_path()
    try:
        text = config_path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    header = f"[devices.{json.dumps(device)}]"
    assignment = f"{key} = {format_toml_value(value)}\n"
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    start = next((i for i, line in enumerate(lines) if line.strip() == header), None)
    if start is None:
        lines += ["\n" if lines else "", header + "\n", assignment]
    else:
        end = next(
            (i for i in range(start + 1, len(lines)) if _TABLE_HEADER.match(lines[i])), len(lines)
        )
        pattern = re.compile(rf"""^\s*{re.escape(key)}\s*=""")
        found = next((i for i in range(start + 1, end) if pattern.match(lines[i])), None)
        if found is None:
            lines.insert(end, assignment)
        else:
            lines[found] = assignment
    new_text = "".join(lines)
    try:
        written = tomllib.loads(new_text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{config_path}: could not update the file safely: {exc}") from None
    if written.get("devices", {}).get(device, {}).get(key) != value:
        raise ConfigError(f"{config_path}: could not update the file safely; edit it by hand")
    config_path.parent.mkdir(parents=True, exist_ok=True)
    with _atomic_writer(config_path) as handle:
        handle.write(new_text)
    return config_path


def acknowledge_risks(path: Path | str | None = None) -> Path:
    """Record the user's acknowledgment of the risks (H11) in the config file."""
    return set_config_values({"risks_acknowledged": True}, path)


_TABLE_HEADER = re.compile(r"^\s*\[")


def _with_values(text: str, values: Mapping[str, ConfigValue]) -> str:
    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    first_table = next((i for i, line in enumerate(lines) if _TABLE_HEADER.match(line)), None)
    top_end = len(lines) if first_table is None else first_table
    new_lines: list[str] = []
    for key, value in values.items():
        assignment = f"{key} = {format_toml_value(value)}\n"
        pattern = re.compile(rf"""^\s*(["']?){re.escape(key)}\1\s*=""")
        index = next((i for i in range(top_end) if pattern.match(lines[i])), None)
        if index is None:
            new_lines.append(assignment)
        else:
            lines[index] = assignment
    lines[top_end:top_end] = new_lines
    return "".join(lines)


@contextlib.contextmanager
def _atomic_writer(path: Path) -> Iterator[Any]:
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            yield handle
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
