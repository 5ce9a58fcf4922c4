"""TCX (Garmin Training Center Database v2) files, written with ``xml.etree.ElementTree``.

TCX knows the sports Running, Biking and Other: a walking session is Other (FIT, which
has walking, is the better choice for walkers). Speed and run cadence go in the
ActivityExtension v2 elements that Garmin's and Strava's importers read. Each lap's name
(and its direction) is in the lap's Notes; the session's backward time, distance and the
energy estimate's basis in the activity's Notes.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

from treadctl import __version__
from treadctl.export.activity import Activity, Lap, TrackPoint

TCD = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
AX = "http://www.garmin.com/xmlschemas/ActivityExtension/v2"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{TCD} http://www.garmin.com/xmlschemas/TrainingCenterDatabasev2.xsd"

ET.register_namespace("", TCD)
ET.register_namespace("ax", AX)
ET.register_namespace("xsi", XSI)


def _q(tag: str, ns: str = TCD) -> str:
    return f"{{{ns}}}{tag}"


def _sub(parent: ET.Element, tag: str, text: str | None = None, ns: str = TCD) -> ET.Element:
    element = ET.SubElement(parent, _q(tag, ns))
    if text is not None:
        element.text = text
    return element


def _time(when: dt.datetime) -> str:
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _number(value: float, places: int = 2) -> str:
    return f"{value:.{places}f}"


def _trackpoint(track: ET.Element, start: dt.datetime, p: TrackPoint) -> None:
    tp = _sub(track, "Trackpoint")
    _sub(tp, "Time", _time(start + dt.timedelta(seconds=p.t_s)))
    _sub(tp, "DistanceMeters", _number(p.distance_m))
    if p.heart_rate_bpm is not None:
        _sub(_sub(tp, "HeartRateBpm"), "Value", str(p.heart_rate_bpm))
    tpx = _sub(_sub(tp, "Extensions"), "TPX", ns=AX)
    _sub(tpx, "Speed", _number(p.speed_kmh / 3.6, 3), ns=AX)
    if p.cadence_spm is not None:
        # RunCadence counts strides (two steps) a minute, as Garmin's devices write it.
        _sub(tpx, "RunCadence", str(min(254, round(p.cadence_spm / 2))), ns=AX)


def _lap(activity: ET.Element, a: Activity, lap: Lap) -> None:
    element = _sub(activity, "Lap")
    element.set("StartTime", _time(a.start + dt.timedelta(seconds=lap.start_s)))
    _sub(element, "TotalTimeSeconds", _number(lap.timer_s, 3))
    _sub(element, "DistanceMeters", _number(lap.distance_m))
    _sub(element, "MaximumSpeed", _number(lap.max_speed_kmh / 3.6, 3))
    _sub(element, "Calories", str(round(lap.kcal)))
    if lap.avg_heart_rate_bpm is not None and lap.max_heart_rate_bpm is not None:
        _sub(_sub(element, "AverageHeartRateBpm"), "Value", str(lap.avg_heart_rate_bpm))
        _sub(_sub(element, "MaximumHeartRateBpm"), "Value", str(lap.max_heart_rate_bpm))
    _sub(element, "Intensity", "Active" if lap.kind == "segment" else "Resting")
    _sub(element, "TriggerMethod", "Manual")
    track = _sub(element, "Track")
    for point in a.track:
        if lap.start_s <= point.t_s < lap.end_s or (lap is a.laps[-1] and point.t_s >= lap.start_s):
            _trackpoint(track, a.start, point)
    _sub(element, "Notes", lap.name)
    lx = _sub(_sub(element, "Extensions"), "LX", ns=AX)
    _sub(lx, "AvgSpeed", _number(lap.avg_speed_kmh / 3.6, 3), ns=AX)
    if lap.avg_cadence_spm is not None:
        _sub(lx, "AvgRunCadence", str(min(254, round(lap.avg_cadence_spm / 2))), ns=AX)


def encode_tcx(a: Activity) -> bytes:
    """The TCX document for ``a``, UTF-8 with an XML declaration."""
    root = ET.Element(_q("TrainingCenterDatabase"))
    root.set(_q("schemaLocation", XSI), SCHEMA_LOCATION)
    activities = _sub(root, "Activities")
    activity = _sub(activities, "Activity")
    activity.set("Sport", "Running" if a.sport == "running" else "Other")
    _sub(activity, "Id", _time(a.start))
    for lap in a.laps:
        _lap(activity, a, lap)
    _sub(activity, "Notes", a.description)
    creator = _sub(activity, "Creator")
    creator.set(_q("type", XSI), "Device_t")
    _sub(creator, "Name", "treadctl")
    _sub(creator, "UnitId", "0")
    _sub(creator, "ProductID", "0")
    version = _sub(creator, "Version")
    major, minor, *_ = [*__version__.split("."), "0", "0"]
    _sub(version, "VersionMajor", major if major.isdigit() else "0")
    _sub(version, "VersionMinor", minor if minor.isdigit() else "0")
    ET.indent(root, space="  ")
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"
