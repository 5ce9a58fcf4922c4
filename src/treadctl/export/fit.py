"""FIT activity files, encoded with Garmin's own FIT SDK (``garmin-fit-sdk``).

Message order, as Garmin's activity file guide lays it out: file id first, then the
developer data ids and field descriptions, device info, a timer start, one record a
second with laps as they end and timer stop/start around holds, a final timer stop, then
the session and the activity. FIT has no field for a lap's name or a session's notes:
those, and the backward time and distance, go in developer fields of treadctl's own.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from garmin_fit_sdk import Encoder, Profile

from treadctl import __version__
from treadctl.export.activity import Activity, Lap, TrackPoint

if TYPE_CHECKING:  # the SDK ships these types in stubs only
    from garmin_fit_sdk.mesgs import DeveloperDataIdMesg, FieldDescriptionMesg

#: treadctl's developer application id (a fixed random UUID, so apps can recognise it).
APPLICATION_ID = bytes.fromhex("6f1d6c5a2b7e4f0e9a3c8d5b7e2a41c9")
#: FIT string fields hold at most 255 bytes, the terminating zero included.
MAX_STRING_BYTES = 254
#: ``manufacturer`` value for a developer's own device.
DEVELOPMENT = 255

_MESG = {name: num for num, name in Profile["types"]["mesg_num"].items()}
_BASE_TYPE = {name: num for num, name in Profile["types"]["fit_base_type"].items()}

# Developer field numbers: (name, base type, units, native message).
LAP_NAME = 0
BACKWARD_TIME = 1
BACKWARD_DISTANCE = 2
DESCRIPTION = 3
FACING_BACKWARD = 4
DEVELOPER_FIELDS: dict[int, tuple[str, str, str, str]] = {
    LAP_NAME: ("lap_name", "string", "", "lap"),
    BACKWARD_TIME: ("backward_time", "float32", "s", "session"),
    BACKWARD_DISTANCE: ("backward_distance", "float32", "m", "session"),
    DESCRIPTION: ("description", "string", "", "session"),
    FACING_BACKWARD: ("facing_backward", "uint8", "", "record"),
}


def _text(value: str) -> str:
    """``value`` cut to what a FIT string field holds, on a character boundary."""
    data = value.encode("utf-8")[:MAX_STRING_BYTES]
    return data.decode("utf-8", errors="ignore")


def _mesg(name: str, **fields: Any) -> dict[str, Any]:
    return {"mesg_num": _MESG[name], **{k: v for k, v in fields.items() if v is not None}}


class _Writer:
    def __init__(self, activity: Activity) -> None:
        self.activity = activity
        self.encoder = Encoder()
        self.start = activity.start.astimezone(dt.UTC)

    def at(self, t_s: float) -> dt.datetime:
        return self.start + dt.timedelta(seconds=t_s)

    def write(self, name: str, **fields: Any) -> None:
        self.encoder.write_mesg(_mesg(name, **fields))

    def header(self) -> None:
        self.write(
            "file_id",
            type="activity",
            manufacturer=DEVELOPMENT,
            product=0,
            serial_number=_serial(self.activity),
            time_created=self.start,
            product_name="treadctl",
        )
        developer: DeveloperDataIdMesg = _mesg(  # type: ignore[assignment]
            "developer_data_id",
            developer_data_index=0,
            application_id=list(APPLICATION_ID),
            application_version=_version_number(),
        )
        self.encoder.write_mesg(dict(developer))
        for number, (field_name, base, units, native) in DEVELOPER_FIELDS.items():
            description: FieldDescriptionMesg = _mesg(  # type: ignore[assignment]
                "field_description",
                developer_data_index=0,
                field_definition_number=number,
                fit_base_type_id=_BASE_TYPE[base],
                field_name=field_name,
                units=units or None,
                native_mesg_num=_MESG[native],
            )
            self.encoder.write_mesg(dict(description))
            self.encoder.add_developer_field(number, developer, description)
        self.write(
            "device_info",
            timestamp=self.start,
            device_index="creator",
            manufacturer=DEVELOPMENT,
            product=0,
            product_name="treadctl",
            software_version=_version_number() / 100,
        )
        treadmill = self.activity.log.header.get("treadmill")
        if isinstance(treadmill, dict):
            info = treadmill.get("device_info")
            model = info.get("model") if isinstance(info, dict) else None
            self.write(
                "device_info",
                timestamp=self.start,
                device_index=1,
                manufacturer=DEVELOPMENT,
                product_name=_text(str(model or treadmill.get("name") or "treadmill")),
                descriptor=_text(str(treadmill.get("kind") or "")),
            )

    def timer(self, t_s: float, event_type: str) -> None:
        self.write("event", timestamp=self.at(t_s), event="timer", event_type=event_type, data=0)

    def record(self, p: TrackPoint) -> None:
        self.encoder.write_mesg(
            _mesg(
                "record",
                timestamp=self.at(p.t_s),
                distance=round(p.distance_m, 2),
                speed=round(p.speed_kmh / 3.6, 3),
                enhanced_speed=round(p.speed_kmh / 3.6, 3),
                grade=round(p.incline_pct, 2),
                heart_rate=p.heart_rate_bpm,
                # FIT's walking and running cadence counts strides (two steps) a minute.
                cadence=None if p.cadence_spm is None else min(254, round(p.cadence_spm / 2)),
                developer_fields={FACING_BACKWARD: int(p.facing == "backward")},
            )
        )

    def lap(self, index: int, lap: Lap) -> None:
        a = self.activity
        self.encoder.write_mesg(
            _mesg(
                "lap",
                message_index=index,
                timestamp=self.at(lap.end_s),
                event="lap",
                event_type="stop",
                start_time=self.at(lap.start_s),
                total_elapsed_time=round(lap.elapsed_s, 3),
                total_timer_time=round(lap.timer_s, 3),
                total_distance=round(lap.distance_m, 2),
                total_calories=round(lap.kcal),
                avg_speed=round(lap.avg_speed_kmh / 3.6, 3),
                max_speed=round(lap.max_speed_kmh / 3.6, 3),
                enhanced_avg_speed=round(lap.avg_speed_kmh / 3.6, 3),
                enhanced_max_speed=round(lap.max_speed_kmh / 3.6, 3),
                avg_heart_rate=lap.avg_heart_rate_bpm,
                max_heart_rate=lap.max_heart_rate_bpm,
                avg_cadence=None
                if lap.avg_cadence_spm is None
                else min(254, round(lap.avg_cadence_spm / 2)),
                intensity="active" if lap.kind == "segment" else "rest",
                lap_trigger="session_end" if index == len(a.laps) - 1 else "manual",
                sport=a.sport,
                sub_sport="treadmill",
                wkt_step_index=index,
                developer_fields={LAP_NAME: _text(lap.name)},
            )
        )

    def body(self) -> None:
        """Records in time order; each lap and timer event just before the first record
        at or after its time."""
        a = self.activity
        self.timer(0.0, "start")
        timers = sorted(
            [(start, "stop") for start, _ in a.pauses] + [(end, "start") for _, end in a.pauses]
        )
        laps = list(enumerate(a.laps))
        for point in a.track:
            while laps and laps[0][1].end_s <= point.t_s:
                self.lap(*laps.pop(0))
            while timers and timers[0][0] <= point.t_s:
                t_s, kind = timers.pop(0)
                self.timer(t_s, kind)
            self.record(point)
        for index, lap in laps:
            self.lap(index, lap)
        for t_s, kind in timers:
            self.timer(t_s, kind)
        self.timer(a.duration_s, "stop_all")

    def totals(self) -> None:
        a = self.activity
        end = self.at(a.duration_s)
        heart_rates = a.heart_rates
        cadences = [p.cadence_spm for p in a.track if p.cadence_spm is not None]
        self.write(
            "session",
            message_index=0,
            timestamp=end,
            event="session",
            event_type="stop",
            start_time=self.start,
            sport=a.sport,
            sub_sport="treadmill",
            total_elapsed_time=round(a.duration_s, 3),
            total_timer_time=round(a.timer_s, 3),
            total_distance=round(a.distance_m, 2),
            total_calories=round(a.energy.kcal),
            avg_speed=round(a.distance_m / a.timer_s, 3) if a.timer_s > 0 else 0.0,
            max_speed=round(a.max_speed_kmh / 3.6, 3),
            enhanced_avg_speed=round(a.distance_m / a.timer_s, 3) if a.timer_s > 0 else 0.0,
            enhanced_max_speed=round(a.max_speed_kmh / 3.6, 3),
            avg_heart_rate=round(sum(heart_rates) / len(heart_rates)) if heart_rates else None,
            max_heart_rate=max(heart_rates) if heart_rates else None,
            avg_cadence=round(sum(cadences) / len(cadences) / 2) if cadences else None,
            first_lap_index=0,
            num_laps=len(a.laps),
            trigger="activity_end",
            sport_profile_name=_text("Backward " + a.sport),
            developer_fields={
                BACKWARD_TIME: round(a.backward_s, 1),
                BACKWARD_DISTANCE: round(a.backward_distance_m, 1),
                DESCRIPTION: _text(a.description),
            },
        )
        local_offset = a.start.utcoffset() or dt.timedelta(0)
        self.write(
            "activity",
            timestamp=end,
            total_timer_time=round(a.timer_s, 3),
            num_sessions=1,
            type="manual",
            event="activity",
            event_type="stop",
            local_timestamp=round((end + local_offset).timestamp()) - 631065600,
        )


def _version_number() -> int:
    """treadctl's version as FIT wants it: 0.1.0 is 10 (hundredths)."""
    parts = [int(p) if p.isdigit() else 0 for p in __version__.split(".")[:3]]
    while len(parts) < 3:
        parts.append(0)
    return parts[0] * 10000 + parts[1] * 100 + parts[2]


def _serial(activity: Activity) -> int:
    """A stable number for the file id: the session's start, as FIT seconds."""
    return max(1, int(activity.start.timestamp()) - 631065600) & 0xFFFFFFFF


def encode_fit(activity: Activity) -> bytes:
    """The FIT file for ``activity``."""
    writer = _Writer(activity)
    writer.header()
    writer.body()
    writer.totals()
    return writer.encoder.close()
