"""A vehicle-day's track and trips as the files fleet tools read: GPX 1.1, KML 2.2 and CSV."""

from __future__ import annotations

import csv
import io
import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from enum import StrEnum
from itertools import accumulate
from xml.sax.saxutils import escape

import numpy as np

from houqin_common.i18n import N_, _
from telemetry_ingest.fleet.arrays import EPOCH, FixArrays
from telemetry_ingest.fleet.schemas import TripRead

GPX_NS = "http://www.topografix.com/GPX/1/1"
KML_NS = "http://www.opengis.net/kml/2.2"
MICROSECOND = timedelta(microseconds=1)


class ExportFormat(StrEnum):
    gpx = "gpx"
    kml = "kml"
    csv = "csv"


MEDIA_TYPES = {
    ExportFormat.gpx: "application/gpx+xml",
    ExportFormat.kml: "application/vnd.google-earth.kml+xml",
    ExportFormat.csv: "text/csv; charset=utf-8",
}

USE_LABELS = {
    "permitted": N_("permitted use"),
    "off_hours": N_("outside permitted hours"),
    "sealed_holiday": N_("on a sealed holiday"),
}


def negotiate(requested: ExportFormat | None, accept: str | None) -> ExportFormat:
    """``format=`` wins; otherwise the first media type of ``Accept`` we serve; GPX when none is named."""
    if requested is not None:
        return requested
    for part in (accept or "").split(","):
        media = part.split(";")[0].strip().lower()
        for fmt, served in MEDIA_TYPES.items():
            if media == served.split(";")[0]:
                return fmt
    return ExportFormat.gpx


@dataclass(frozen=True)
class VehicleDay:
    """What one export holds: the vehicle, the window, its fixes (GPS jumps removed) and its trips."""

    vehicle_id: str
    plate: str
    start: datetime
    end: datetime
    fixes: FixArrays
    trips: list[TripRead]
    tz: tzinfo


def _utc(ts: datetime) -> str:
    return ts.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ").replace(".000000Z", "Z")


def _local(ts: datetime, tz: tzinfo) -> str:
    return ts.astimezone(tz).isoformat()


def _title(day: VehicleDay) -> str:
    return _(
        "{plate}: track {start} to {end}",
        plate=day.plate,
        start=day.start.astimezone(day.tz).strftime("%Y-%m-%d %H:%M"),
        end=day.end.astimezone(day.tz).strftime("%Y-%m-%d %H:%M"),
    )


def _trip_name(n: int, trip: TripRead, tz: tzinfo) -> str:
    return _(
        "trip {n}: {start} to {end}, {km} km, {use}",
        n=n,
        start=trip.start_at.astimezone(tz).strftime("%H:%M"),
        end=trip.end_at.astimezone(tz).strftime("%H:%M"),
        km=f"{trip.distance_km:.1f}",
        use=_(USE_LABELS[trip.use]),
    )


def _trip_slices(day: VehicleDay) -> list[tuple[int, int]]:
    """Index range [i, j) of each trip's fixes in ``day.fixes``."""
    out = []
    for trip in day.trips:
        lo = (trip.start_at - EPOCH) // MICROSECOND  # exact, like FixArrays.us
        hi = (trip.end_at - EPOCH) // MICROSECOND
        i = int(day.fixes.us.searchsorted(lo, side="left"))
        j = int(day.fixes.us.searchsorted(hi, side="right"))
        out.append((i, j))
    return out


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data


def _utc_column(fixes: FixArrays) -> list[str]:
    """:func:`_utc` of every fix at once (numpy formats the column; a datetime per fix cost more than the
    rest of the file): whole seconds without a fraction, the others (rare) with six digits."""
    stamps = fixes.us.astype("datetime64[us]")
    column: list[str] = np.datetime_as_string(stamps.astype("datetime64[s]"), unit="s", timezone="UTC").tolist()
    fine = np.flatnonzero(fixes.us % 1_000_000 != 0)
    if len(fine):
        texts = np.datetime_as_string(stamps[fine], unit="us", timezone="UTC").tolist()
        for k, text in zip(fine.tolist(), texts, strict=True):
            column[k] = text
    return column


TRKPT = '      <trkpt lat="%s" lon="%s">\n        <time>%s</time>\n      </trkpt>\n'


def _reprs(values: np.ndarray) -> list[str]:
    """``repr`` of every value, each distinct value formatted once (a parked vehicle repeats its fix for
    hours). Zeros are formatted one by one: 0.0 and -0.0 are one value to ``np.unique``, not to ``repr``."""
    if not len(values) or bool((values == 0).any()):
        return list(map(repr, values.tolist()))
    distinct, inverse = np.unique(values, return_inverse=True)
    texts = np.array(list(map(repr, distinct.tolist())), dtype=object)
    column: list[str] = texts[inverse].tolist()
    return column


def _trkpts(fixes: FixArrays) -> tuple[bytes, list[int]]:
    """Every fix as a GPX ``trkpt`` (ASCII), and where the text of fix ``k`` starts (``[k]``; ``[n]`` is the
    end): a trip's points are a slice of the window's, written once."""
    lines = list(map(TRKPT.__mod__, zip(_reprs(fixes.lat), _reprs(fixes.lon), _utc_column(fixes), strict=True)))
    starts = [0]
    starts.extend(accumulate(map(len, lines)))
    return "".join(lines).encode("ascii"), starts


def gpx(day: VehicleDay) -> bytes:
    """GPX 1.1: the window's track, then one track per trip (its fixes), times in UTC as GPX requires.

    Written as text, one line per point (a day is ~8,640 fixes); each point is formatted once, a trip's
    track is a slice of the window's. Names are escaped, the rest are numbers and timestamps."""
    points, starts = _trkpts(day.fixes)
    head = (
        "<?xml version='1.0' encoding='utf-8'?>\n"
        f'<gpx xmlns="{GPX_NS}" version="1.1" creator="Houqin">\n'
        f"  <metadata>\n    <name>{escape(_title(day))}</name>\n    <time>{_utc(day.start)}</time>\n  </metadata>\n"
    )
    out = [head.encode()]

    def track(name: str, desc: str, i: int, j: int) -> None:
        head = f"  <trk>\n    <name>{escape(name)}</name>\n    <desc>{escape(desc)}</desc>\n    <trkseg>\n"
        out.extend((head.encode(), points[starts[i] : starts[j]], b"    </trkseg>\n  </trk>\n"))

    track(day.plate, _title(day), 0, len(day.fixes))
    for n, (trip, (i, j)) in enumerate(zip(day.trips, _trip_slices(day), strict=True), start=1):
        track(_trip_name(n, trip, day.tz), day.plate, i, j)
    out.append(b"</gpx>\n")
    return b"".join(out)


def kml(day: VehicleDay) -> bytes:
    """KML 2.2: a folder with the window's track and one placemark per trip, each a LineString with its
    time span (local time with offset)."""
    ET.register_namespace("", KML_NS)
    q = f"{{{KML_NS}}}"
    root = ET.Element(q + "kml")
    doc = ET.SubElement(root, q + "Document")
    ET.SubElement(doc, q + "name").text = _title(day)

    def placemark(name: str, desc: str, i: int, j: int) -> None:
        mark = ET.SubElement(doc, q + "Placemark")
        ET.SubElement(mark, q + "name").text = name
        ET.SubElement(mark, q + "description").text = desc
        if j > i:
            span = ET.SubElement(mark, q + "TimeSpan")
            ET.SubElement(span, q + "begin").text = _local(day.fixes.ts(i), day.tz)
            ET.SubElement(span, q + "end").text = _local(day.fixes.ts(j - 1), day.tz)
        line = ET.SubElement(mark, q + "LineString")
        ET.SubElement(line, q + "tessellate").text = "1"
        ET.SubElement(line, q + "coordinates").text = " ".join(
            f"{float(day.fixes.lon[k])!r},{float(day.fixes.lat[k])!r}" for k in range(i, j)
        )

    placemark(day.plate, _title(day), 0, len(day.fixes))
    for n, (trip, (i, j)) in enumerate(zip(day.trips, _trip_slices(day), strict=True), start=1):
        placemark(_trip_name(n, trip, day.tz), day.plate, i, j)
    return _xml(root)


def csv_rows(day: VehicleDay) -> bytes:
    """One row per fix (UTF-8 with BOM so spreadsheet programs read the Chinese): plate, local time, latitude,
    longitude, speed and the trip the fix belongs to (empty while parked)."""
    trip_of = [""] * len(day.fixes)
    for n, (i, j) in enumerate(_trip_slices(day), start=1):
        for k in range(i, j):
            trip_of[k] = str(n)
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow([_("plate"), _("time"), _("latitude"), _("longitude"), _("speed (km/h)"), _("trip")])
    for k in range(len(day.fixes)):
        speed = float(day.fixes.speed[k])
        out.writerow(
            [
                day.plate,
                _local(day.fixes.ts(k), day.tz),
                repr(float(day.fixes.lat[k])),
                repr(float(day.fixes.lon[k])),
                "" if math.isnan(speed) else f"{speed:g}",
                trip_of[k],
            ]
        )
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def render(day: VehicleDay, fmt: ExportFormat) -> bytes:
    return {ExportFormat.gpx: gpx, ExportFormat.kml: kml, ExportFormat.csv: csv_rows}[fmt](day)
