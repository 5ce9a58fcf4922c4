"""Profile models: segments, repeats, cues, limits and per-profile turnaround settings.

A profile is validated once, when it is loaded; after that every value is in the unit its
name says (``speed_kmh``, ``incline_pct``, ``duration_s``). Files may write speeds in mph
(``speed_mph``) and durations as text (``"1m30s"``); both are converted here. The errors
raised from validators carry a ``field`` (and sometimes a ``where``) in their context so the
loader can name the place in the file; see :mod:`treadctl.workout.loader`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    ValidationError,
    ValidatorFunctionWrapHandler,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from treadctl.config import Settings, env_var
from treadctl.errors import TreadctlError
from treadctl.units import KMH_PER_MPH
from treadctl.workout.durations import DurationError, format_duration, parse_duration

#: No treadmill belt goes faster; a bigger number is a typo (or a unit mix-up).
MAX_SPEED_KMH = 30.0
#: Declines and inclines beyond these exist on no consumer or clinical treadmill.
MIN_INCLINE_PCT = -15.0
MAX_INCLINE_PCT = 40.0
#: Turnarounds happen at a crawl or standing still; above this a turn is not safe.
MAX_TURN_SPEED_KMH = 2.0
MAX_REPEAT_TIMES = 100
#: A workout is refused before it is expanded if it would run longer than this...
MAX_WORKOUT_S = 24 * 3600.0
#: ...or have more segments than this (nested repeats multiply).
MAX_WORKOUT_SEGMENTS = 10_000

Direction = Literal["forward", "backward"]


class ProfileError(TreadctlError, ValueError):
    """A profile could not be loaded, or cannot be run under the current settings.

    ``problems`` are one line each, without the file name; ``str()`` prefixes every line
    with ``source`` and adds ``hint`` (what to do about it) at the end.
    """

    def __init__(
        self, source: str | None, problems: str | Sequence[str], *, hint: str | None = None
    ) -> None:
        self.source = source
        self.problems: tuple[str, ...] = (
            (problems,) if isinstance(problems, str) else tuple(problems)
        )
        lines = [f"{source}: {p}" if source else p for p in self.problems]
        if hint:
            lines.append(hint)
        super().__init__("\n".join(lines), hint=hint or "")

    def describe(self) -> str:
        return str(self)  # the hint is the message's last line already


def field_error(message: str, *, field: str, **context: Any) -> PydanticCustomError:
    """A validation error whose message is final and whose context names the field.

    pydantic fills ``{key}`` in the message from the context, so a message must not hold
    user text; the offending values in these messages are numbers and durations.
    """
    return PydanticCustomError("treadctl", message, {"field": field, **context})


def _line(error: PydanticCustomError, data: Any) -> InitErrorDetails:
    return InitErrorDetails(type=error, loc=(), input=data)


def _all_problems(model: type[BaseModel], problems: Sequence[InitErrorDetails]) -> ValidationError:
    """One error holding every problem, so that the loader reports them all at once."""
    return ValidationError.from_exception_data(model.__name__, list(problems))


def _carried(exc: ValidationError) -> list[InitErrorDetails]:
    """The problems of ``exc``, as they are, to report along with others."""
    return [
        InitErrorDetails(
            type=PydanticCustomError(e["type"], e["msg"], e.get("ctx")),
            loc=e["loc"],
            input=e["input"],
        )
        for e in exc.errors()
    ]


def _duration(allow_zero: bool) -> Any:
    def parse(value: object) -> object:
        if isinstance(value, str | int | float):
            try:
                return parse_duration(value, allow_zero=allow_zero)
            except DurationError as exc:
                raise PydanticCustomError("treadctl", str(exc)) from None  # no context to fill
        return value  # pydantic reports the wrong type

    return BeforeValidator(parse)


#: A duration longer than zero, in seconds, read from ``"1m30s"`` or a number.
DurationS = Annotated[float, _duration(allow_zero=False)]
#: An offset or wait that may be zero, in seconds.
OffsetS = Annotated[float, _duration(allow_zero=True)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Cue(_Model):
    """A line of coaching shown (and maybe spoken) ``at_s`` seconds into its segment."""

    at_s: OffsetS = Field(validation_alias=AliasChoices("at", "at_s"))
    text: str = Field(min_length=1)


def _same_speed(kmh: Any, mph: Any) -> bool:
    """A dumped mph segment carries both; they agree, so it validates again."""
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (kmh, mph))
    return numbers and math.isclose(kmh, mph * KMH_PER_MPH, rel_tol=1e-9)


def _mph_problem(mph: Any, data: Mapping[str, Any]) -> PydanticCustomError | None:
    """What is wrong with ``speed_mph`` in a segment's ``data``, if anything."""
    if "speed_kmh" in data and not _same_speed(data["speed_kmh"], mph):
        return field_error(
            "give the speed once, as speed_kmh or as speed_mph, not both", field="speed_mph"
        )
    if isinstance(mph, bool) or not isinstance(mph, int | float) or not math.isfinite(mph):
        return field_error(f"{mph!r} is not a speed in mph", field="speed_mph")
    if mph <= 0:
        return field_error(f"{mph!r} is not above 0 mph", field="speed_mph")
    kmh = mph * KMH_PER_MPH
    if kmh > MAX_SPEED_KMH:
        return field_error(
            f"{mph!r} mph ({kmh:.1f} km/h) is faster than any treadmill "
            f"(at most {MAX_SPEED_KMH:g} km/h)",
            field="speed_mph",
        )
    return None


class Segment(_Model):
    """Walk or run in one direction at one speed and incline for a while."""

    direction: Direction
    speed_kmh: float = Field(gt=0, le=MAX_SPEED_KMH, strict=True)
    #: The speed as the file wrote it, when in mph; ``speed_kmh`` is always set.
    speed_mph: float | None = Field(default=None, gt=0, strict=True)
    incline_pct: float = Field(default=0.0, ge=MIN_INCLINE_PCT, le=MAX_INCLINE_PCT, strict=True)
    duration_s: DurationS = Field(validation_alias=AliasChoices("duration", "duration_s"))
    label: str = ""
    cues: tuple[Cue, ...] = ()

    @model_validator(mode="wrap")
    @classmethod
    def _mph_to_kmh(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> Segment:
        """Convert ``speed_mph``; a problem with it is reported with every other one."""
        if not isinstance(data, dict) or data.get("speed_mph") is None:
            return handler(data)  # type: ignore[no-any-return]
        mph = data["speed_mph"]
        problem = _mph_problem(mph, data)
        if problem is None:
            return handler({**data, "speed_kmh": mph * KMH_PER_MPH})  # type: ignore[no-any-return]
        # Check the rest without speed_mph; a missing speed_kmh is this same problem.
        rest = {key: value for key, value in data.items() if key != "speed_mph"}
        problems = [_line(problem, data)]
        try:
            handler(rest)
        except ValidationError as exc:
            problems += [
                line
                for line in _carried(exc)
                if not (line["loc"] == ("speed_kmh",) and "speed_kmh" not in data)
            ]
        raise _all_problems(cls, problems)

    @field_validator("cues")
    @classmethod
    def _cues_in_order(cls, cues: tuple[Cue, ...]) -> tuple[Cue, ...]:
        return tuple(sorted(cues, key=lambda cue: cue.at_s))

    @model_validator(mode="after")
    def _cues_inside(self) -> Segment:
        outside = [
            _line(
                field_error(
                    f"{format_duration(cue.at_s)} is not inside the segment, which lasts "
                    f"{format_duration(self.duration_s)}",
                    field="at",
                    cue_text=cue.text,
                ),
                cue.at_s,
            )
            for cue in self.cues
            if cue.at_s >= self.duration_s
        ]
        if outside:
            raise _all_problems(type(self), outside)
        return self

    @property
    def backward(self) -> bool:
        return self.direction == "backward"


def _not_empty(items: tuple[Any, ...]) -> tuple[Any, ...]:
    # Not min_length: pydantic would also report a tuple whose items failed as too short.
    if not items:
        raise field_error("needs at least one segment", field="segments")
    return items


def _item_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        return "repeat" if "times" in value or "segments" in value else "segment"
    if isinstance(value, Repeat):
        return "repeat"
    if isinstance(value, Segment):
        return "segment"
    return None


#: A segment, or a repeat of segments (which may hold repeats in turn).
Item = Annotated[
    Annotated[Segment, Tag("segment")] | Annotated["Repeat", Tag("repeat")],
    Discriminator(
        _item_kind,
        custom_error_type="treadctl",
        custom_error_message="each segment must be a table of keys",
    ),
]


class Repeat(_Model):
    """Its segments ``times`` times over, in order."""

    times: int = Field(ge=1, le=MAX_REPEAT_TIMES, strict=True)
    label: str = ""
    segments: tuple[Item, ...]

    @field_validator("segments")
    @classmethod
    def _has_segments(cls, items: tuple[Item, ...]) -> tuple[Item, ...]:
        return _not_empty(items)


class Limits(_Model):
    """Ceilings a profile adds. They only tighten the user's; a looser one has no effect."""

    max_backward_speed_kmh: float | None = Field(default=None, gt=0, strict=True)
    max_backward_incline_pct: float | None = Field(default=None, strict=True)
    max_forward_speed_kmh: float | None = Field(default=None, gt=0, strict=True)
    max_heart_rate_bpm: int | None = Field(default=None, gt=0, le=250, strict=True)


class Turn(_Model):
    """How this profile wants turnarounds done; unset keys follow the user's settings.

    A profile can make turns slower, longer or confirmed, never faster or shorter.
    """

    speed_kmh: float | None = Field(default=None, ge=0, le=MAX_TURN_SPEED_KMH, strict=True)
    hold_s: OffsetS | None = None
    confirm: bool | None = Field(default=None, strict=True)
    warning_s: OffsetS | None = None


class Profile(_Model):
    """A workout as written in a profile file."""

    name: str = Field(min_length=1)
    title: str = ""
    description: str = ""
    who_for: str = ""
    #: Where the numbers come from.
    sources: tuple[str, ...] = ()
    limits: Limits | None = None
    turn: Turn | None = None
    segments: tuple[Item, ...]

    @field_validator("segments")
    @classmethod
    def _has_segments(cls, items: tuple[Item, ...]) -> tuple[Item, ...]:
        return _not_empty(items)

    _source: str | None = PrivateAttr(default=None)

    @property
    def source(self) -> str | None:
        """The file this profile was read from, as shown in messages."""
        return self._source

    @property
    def display_title(self) -> str:
        return self.title or self.name

    @model_validator(mode="after")
    def _not_too_big(self) -> Profile:
        segments, seconds = expanded_size(self.segments)
        if segments > MAX_WORKOUT_SEGMENTS or seconds > MAX_WORKOUT_S:
            raise field_error(
                f"the repeats expand to {segments:,} segments lasting "
                f"{seconds / 3600:,.1f} hours: a workout may have at most "
                f"{MAX_WORKOUT_SEGMENTS:,} segments and last at most "
                f"{MAX_WORKOUT_S / 3600:g} hours",
                field="segments",
            )
        return self

    @model_validator(mode="after")
    def _within_own_limits(self) -> Profile:
        if self.limits is None:
            return self
        above = [
            _line(
                field_error(
                    f"{format_number(value)} is above this profile's own {what} "
                    f"({format_number(limit)})",
                    field=field,
                    where=where,
                ),
                value,
            )
            for where, _, segment in walk(self.segments)
            for field, value, limit, what in _own_limit_checks(segment, self.limits)
            if limit is not None and value > limit
        ]
        if above:
            raise _all_problems(type(self), above)
        return self


def _own_limit_checks(
    segment: Segment, limits: Limits
) -> Iterator[tuple[str, float, float | None, str]]:
    if segment.backward:
        yield (
            "speed_kmh",
            segment.speed_kmh,
            limits.max_backward_speed_kmh,
            ("limits.max_backward_speed_kmh"),
        )
        yield (
            "incline_pct",
            segment.incline_pct,
            limits.max_backward_incline_pct,
            ("limits.max_backward_incline_pct"),
        )
    else:
        yield (
            "speed_kmh",
            segment.speed_kmh,
            limits.max_forward_speed_kmh,
            ("limits.max_forward_speed_kmh"),
        )


Repeat.model_rebuild()
Profile.model_rebuild()


def segment_name(number: int, label: str) -> str:
    """``segment 2 ("Backward bout")``: ``number`` counts from 1."""
    return f'segment {number} ("{label}")' if label else f"segment {number}"


def expanded_size(items: Sequence[Segment | Repeat]) -> tuple[int, float]:
    """How many segments, and seconds, ``items`` expand to, counted without expanding."""
    segments, seconds = 0, 0.0
    for item in items:
        if isinstance(item, Repeat):
            inner_segments, inner_seconds = expanded_size(item.segments)
            segments += item.times * inner_segments
            seconds += item.times * inner_seconds
        else:
            segments += 1
            seconds += item.duration_s
    return segments, seconds


def walk(
    items: Sequence[Segment | Repeat], prefix: str = "", location: tuple[int, ...] = ()
) -> Iterator[tuple[str, tuple[int, ...], Segment]]:
    """Each segment once (repeats not expanded), with its path and 0-based location."""
    for index, item in enumerate(items):
        where = prefix + segment_name(index + 1, item.label)
        if isinstance(item, Repeat):
            yield from walk(item.segments, where + " > ", (*location, index))
        else:
            yield where, (*location, index), item


@dataclass(frozen=True)
class FlatSegment:
    """One segment in the order it runs, with repeats expanded.

    ``path`` names it for messages (``segment 3 ("Bouts") repeat 2/4 > segment 1
    ("Backward bout")``); ``location`` is its 0-based index path through the nested
    repeats, the same for every pass of a repeat; ``iterations`` holds ``(pass, times)``
    for each enclosing repeat, passes counted from 1. ``start_s`` counts the segments
    only (turnarounds and ramps are the compiler's business).
    """

    index: int
    segment: Segment
    path: str
    location: tuple[int, ...]
    iterations: tuple[tuple[int, int], ...]
    start_s: float

    @property
    def direction(self) -> Direction:
        return self.segment.direction

    @property
    def backward(self) -> bool:
        return self.segment.backward

    @property
    def speed_kmh(self) -> float:
        return self.segment.speed_kmh

    @property
    def incline_pct(self) -> float:
        return self.segment.incline_pct

    @property
    def duration_s(self) -> float:
        return self.segment.duration_s

    @property
    def end_s(self) -> float:
        return self.start_s + self.segment.duration_s

    @property
    def label(self) -> str:
        return self.segment.label

    @property
    def cues(self) -> tuple[Cue, ...]:
        return self.segment.cues

    @property
    def display_label(self) -> str:
        """The label with the innermost repeat's pass: ``Backward bout (2/4)``."""
        if not self.iterations:
            return self.segment.label
        done, times = self.iterations[-1]
        return f"{self.segment.label} ({done}/{times})".strip()


def flatten(profile: Profile) -> list[FlatSegment]:
    """The profile's segments in running order, repeats expanded."""
    flat: list[FlatSegment] = []
    _flatten_into(flat, profile.segments, "", (), ())
    return flat


def _flatten_into(
    flat: list[FlatSegment],
    items: Sequence[Segment | Repeat],
    prefix: str,
    location: tuple[int, ...],
    iterations: tuple[tuple[int, int], ...],
) -> None:
    for index, item in enumerate(items):
        name = prefix + segment_name(index + 1, item.label)
        here = (*location, index)
        if isinstance(item, Repeat):
            for done in range(1, item.times + 1):
                _flatten_into(
                    flat,
                    item.segments,
                    f"{name} repeat {done}/{item.times} > ",
                    here,
                    (*iterations, (done, item.times)),
                )
        else:
            start_s = flat[-1].end_s if flat else 0.0
            flat.append(FlatSegment(len(flat), item, name, here, iterations, start_s))


@dataclass(frozen=True)
class ProfileSummary:
    """Totals for listings. Times count segments only, not turnarounds."""

    segment_count: int
    total_s: float
    backward_s: float
    direction_changes: int
    max_backward_speed_kmh: float | None
    max_backward_incline_pct: float | None
    max_forward_speed_kmh: float | None


def summarize(profile: Profile) -> ProfileSummary:
    flat = flatten(profile)
    backward = [f for f in flat if f.backward]
    forward = [f for f in flat if not f.backward]
    return ProfileSummary(
        segment_count=len(flat),
        total_s=sum(f.duration_s for f in flat),
        backward_s=sum(f.duration_s for f in backward),
        direction_changes=sum(1 for a, b in itertools.pairwise(flat) if a.direction != b.direction),
        max_backward_speed_kmh=max((f.speed_kmh for f in backward), default=None),
        max_backward_incline_pct=max((f.incline_pct for f in backward), default=None),
        max_forward_speed_kmh=max((f.speed_kmh for f in forward), default=None),
    )


class CeilingError(ProfileError):
    """A valid profile that asks for more than the user's ceilings allow.

    ``needed`` maps each settings key to the value the profile needs.
    """

    def __init__(
        self,
        source: str | None,
        problems: Sequence[str],
        *,
        needed: Mapping[str, float],
        config_path: Path,
    ) -> None:
        self.needed = dict(needed)
        self.config_path = config_path
        super().__init__(source, problems, hint=raise_ceiling_hint(self.needed, config_path))


#: Speeds may be given in mph; a hair over the ceiling from conversion is not a violation.
_TOLERANCE = 1e-6


#: The ceiling behind each settings key, as messages name it, with its unit. The same
#: key in a profile's ``[limits]`` is that profile's own limit (see ``limit_name``).
CEILINGS = {
    "max_backward_speed_kmh": ("backward speed ceiling", "km/h"),
    "max_backward_incline_pct": ("backward incline ceiling", "%"),
    "max_forward_speed_kmh": ("forward speed ceiling", "km/h"),
    "max_heart_rate_bpm": ("heart-rate ceiling", "bpm"),
}


def limit_name(key: str, *, profile: bool) -> str:
    """The user's ceiling or a profile's own limit behind ``key``, as messages name it:
    ``your backward speed ceiling``, ``this profile's own backward speed limit``."""
    what = CEILINGS[key][0]
    if profile:
        return "this profile's own " + what.replace("ceiling", "limit")
    return f"your {what}"


def limit_amount(key: str, value: float) -> str:
    """``value`` in the unit of ``key``: ``3.0 km/h``, ``5.0 %``, ``150 bpm``."""
    unit = CEILINGS[key][1]
    number = f"{value:g}" if unit == "bpm" else format_number(value)
    return f"{number} {unit}"


def _ceiling_checks(segment: Segment) -> list[tuple[str, str, float, str]]:
    """``(settings key, field, value, value as written)`` for each ceiling that applies."""
    if segment.speed_mph is None:
        speed = ("speed_kmh", segment.speed_kmh, f"{format_number(segment.speed_kmh)} km/h")
    else:
        shown = f"{format_number(segment.speed_mph)} mph ({format_number(segment.speed_kmh)} km/h)"
        speed = ("speed_mph", segment.speed_kmh, shown)
    if not segment.backward:
        return [("max_forward_speed_kmh", *speed)]
    incline = ("incline_pct", segment.incline_pct, f"{format_number(segment.incline_pct)} %")
    return [("max_backward_speed_kmh", *speed), ("max_backward_incline_pct", *incline)]


def check_against(profile: Profile, settings: Settings) -> None:
    """Refuse (:class:`CeilingError`) a profile that goes above the user's ceilings.

    The runner enforces the ceilings on every command as well (H2); this is the early,
    explained refusal before anything moves.
    """
    problems: list[str] = []
    needed: dict[str, float] = {}
    for where, _, segment in walk(profile.segments):
        for key, field, value, shown in _ceiling_checks(segment):
            ceiling: float = getattr(settings, key)
            if value > ceiling + _TOLERANCE:
                problems.append(
                    f"{where}, field {field}: {shown} is above "
                    f"{limit_name(key, profile=False)} of {limit_amount(key, ceiling)} "
                    f"({settings.origin(key)})"
                )
                needed[key] = max(needed.get(key, value), value)
    if problems:
        raise CeilingError(
            profile.source, problems, needed=needed, config_path=settings.config_path
        )


def format_number(value: float) -> str:
    """One decimal, or two when the second one matters: ``3.0``, ``6.4``, ``0.81``."""
    return f"{value:.1f}" if abs(value - round(value, 1)) < 1e-9 else f"{value:.2f}"


def _round_up(value: float) -> float:
    return math.ceil(value * 100 - 1e-6) / 100


def raise_ceiling_hint(needed: Mapping[str, float], config_path: Path) -> str:
    """How to raise each ceiling in ``needed``: the config file lines and the env vars."""
    lines = [
        "The profile is refused under your current ceilings. Raise them only if you can "
        "already move at these speeds and inclines with confidence:",
        f"  in {config_path}:",
    ]
    lines += [f"    {key} = {format_number(_round_up(value))}" for key, value in needed.items()]
    lines.append("  or in the environment:")
    lines += [
        f"    {env_var(key)}={format_number(_round_up(value))}" for key, value in needed.items()
    ]
    return "\n".join(lines)
