"""A vehicle-day as GPX, KML and CSV: parsed as XML / CSV, the fixes equal the GeoJSON track's, the trips
equal the segments' and the plate and labels are there; `format=` and `Accept` choose; vendors see only
their own vehicles."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from houqin_common.auth import Role
from support import auth
from telemetry_ingest.fleet.synthetic import Track

TZ = ZoneInfo("Asia/Shanghai")
HQ = (31.81, 119.97)
GPX = "{http://www.topografix.com/GPX/1/1}"
KML = "{http://www.opengis.net/kml/2.2}"


def _ts(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.fixture
async def day(service_client: Callable[..., Any], make_token: Callable[..., str], fleet_data: Any) -> dict[str, Any]:
    vendor = fleet_data.uid("export-vendor")
    vehicle = fleet_data.vehicle(vendor_id=vendor)
    start = datetime(2026, 6, 3, tzinfo=TZ)
    t = Track(start.replace(hour=9), *HQ).stand(120, ignition=False).drive(900, 36).stand(1200, ignition=False)
    t.drive(600, 30, heading_deg=0).jump(8000).drive(300, 30, heading_deg=0).stand(900, ignition=False)
    fleet_data.positions(vehicle, t.fixes)
    client = await service_client("telemetry")
    headers = auth(make_token(Role.vendor, vendor_id=vendor))
    window = {"start": start.isoformat(), "end": (start + timedelta(days=1)).isoformat()}
    track = (await client.get(f"/v1/fleet/vehicles/{vehicle}/track", params=window, headers=headers)).json()
    segments = (await client.get(f"/v1/fleet/vehicles/{vehicle}/segments", params=window, headers=headers)).json()
    plate = fleet_data.fetch("SELECT plate FROM telemetry.vehicle WHERE id = %s", (vehicle,))[0][0]
    assert len(segments["trips"]) == 2 and track["properties"]["jumps_dropped"] == 1
    return {
        "client": client,
        "headers": headers,
        "vehicle": vehicle,
        "window": window,
        "track": track,
        "trips": segments["trips"],
        "plate": plate,
    }


async def _get(day: dict[str, Any], fmt: str | None, *, accept: str | None = None, lang: str = "en") -> Any:
    params = dict(day["window"]) | ({"format": fmt} if fmt else {})
    headers = day["headers"] | {"Accept-Language": lang} | ({"Accept": accept} if accept else {})
    return await day["client"].get(f"/v1/fleet/vehicles/{day['vehicle']}/export", params=params, headers=headers)


async def test_gpx_holds_the_json_track_and_one_track_per_trip(day: dict[str, Any]) -> None:
    r = await _get(day, "gpx", lang="zh-CN")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/gpx+xml")
    root = ET.fromstring(r.content)
    assert root.tag == f"{GPX}gpx" and root.attrib["version"] == "1.1"
    tracks = root.findall(f"{GPX}trk")
    assert len(tracks) == 1 + len(day["trips"])
    assert tracks[0].findtext(f"{GPX}name") == day["plate"]
    points = tracks[0].findall(f"{GPX}trkseg/{GPX}trkpt")
    coords = [[float(p.attrib["lon"]), float(p.attrib["lat"])] for p in points]
    assert coords == day["track"]["geometry"]["coordinates"]
    times = [_ts(p.findtext(f"{GPX}time") or "") for p in points]
    assert times == sorted(times) and all(p.findtext(f"{GPX}time", "").endswith("Z") for p in points)
    assert times[0] == _ts(day["track"]["properties"]["first_ts"])
    assert times[-1] == _ts(day["track"]["properties"]["last_ts"])
    for trk, trip in zip(tracks[1:], day["trips"], strict=True):
        name = trk.findtext(f"{GPX}name") or ""
        assert "行程" in name and "准许" in name, name  # Chinese labels by default
        pts = trk.findall(f"{GPX}trkseg/{GPX}trkpt")
        assert _ts(pts[0].findtext(f"{GPX}time") or "") == _ts(trip["start_at"])
        assert _ts(pts[-1].findtext(f"{GPX}time") or "") == _ts(trip["end_at"])
        assert [float(pts[0].attrib["lon"]), float(pts[0].attrib["lat"])] == trip["start"]
        assert [float(pts[-1].attrib["lon"]), float(pts[-1].attrib["lat"])] == trip["end"]


async def test_kml_has_a_placemark_for_the_track_and_each_trip(day: dict[str, Any]) -> None:
    r = await _get(day, None, accept="application/vnd.google-earth.kml+xml")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.google-earth.kml+xml")
    root = ET.fromstring(r.content)
    marks = root.findall(f"{KML}Document/{KML}Placemark")
    assert len(marks) == 1 + len(day["trips"])
    assert marks[0].findtext(f"{KML}name") == day["plate"]
    text = marks[0].findtext(f"{KML}LineString/{KML}coordinates") or ""
    coords = [[float(v) for v in c.split(",")] for c in text.split()]
    assert coords == day["track"]["geometry"]["coordinates"]
    assert _ts(marks[0].findtext(f"{KML}TimeSpan/{KML}begin") or "") == _ts(day["track"]["properties"]["first_ts"])
    for mark, trip in zip(marks[1:], day["trips"], strict=True):
        assert "trip" in (mark.findtext(f"{KML}name") or "")  # English on request (the session's locale)
        assert _ts(mark.findtext(f"{KML}TimeSpan/{KML}begin") or "") == _ts(trip["start_at"])
        assert _ts(mark.findtext(f"{KML}TimeSpan/{KML}end") or "") == _ts(trip["end_at"])


async def test_csv_has_one_row_per_fix_with_its_trip(day: dict[str, Any]) -> None:
    r = await _get(day, "csv", lang="zh-CN")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == ["车牌", "时间", "纬度", "经度", "速度（km/h）", "行程"]
    body = rows[1:]
    assert [[float(row[3]), float(row[2])] for row in body] == day["track"]["geometry"]["coordinates"]
    assert {row[0] for row in body} == {day["plate"]}
    for n, trip in enumerate(day["trips"], start=1):
        mine = [row for row in body if row[5] == str(n)]
        assert _ts(mine[0][1]) == _ts(trip["start_at"]) and _ts(mine[-1][1]) == _ts(trip["end_at"])
    assert any(row[5] == "" for row in body)  # parked fixes belong to no trip


async def test_the_format_parameter_wins_and_gpx_is_the_default(day: dict[str, Any]) -> None:
    r = await _get(day, "csv", accept="application/gpx+xml")
    assert r.headers["content-type"].startswith("text/csv")
    assert (await _get(day, None)).headers["content-type"].startswith("application/gpx+xml")
    assert (await _get(day, "shp")).status_code == 422


async def test_another_vendor_gets_404(day: dict[str, Any], make_token: Callable[..., str]) -> None:
    other = auth(make_token(Role.vendor, vendor_id="someone-else"))
    r = await day["client"].get(
        f"/v1/fleet/vehicles/{day['vehicle']}/export", params=day["window"] | {"format": "gpx"}, headers=other
    )
    assert r.status_code == 404
    sup = auth(make_token(Role.supervisor))
    ok = await day["client"].get(
        f"/v1/fleet/vehicles/{day['vehicle']}/export", params=day["window"] | {"format": "gpx"}, headers=sup
    )
    assert ok.status_code == 200
    anonymous = await day["client"].get(f"/v1/fleet/vehicles/{day['vehicle']}/export", params=day["window"])
    assert anonymous.status_code == 401


def test_gpx_times_and_escaped_names_written_as_text() -> None:
    """The GPX is written as text: each point's time is `_utc` of the fix (whole seconds without a fraction,
    others with six digits), and a plate or title with XML's special characters still parses."""
    import numpy as np

    from telemetry_ingest.fleet import exports
    from telemetry_ingest.fleet.arrays import FixArrays

    base = 1_740_787_200 * 1_000_000
    us = np.array([base, base + 10_500_000, base + 20_000_001, base + 30_000_000], dtype=np.int64)
    fixes = FixArrays.from_columns(us, [31.8, 31.81, 31.82, 31.83], [119.9] * 4, [0.0] * 4, [True] * 4)
    assert exports._utc_column(fixes) == [exports._utc(fixes.ts(k)) for k in range(len(fixes))]
    assert exports._utc_column(fixes)[:2] == ["2025-03-01T00:00:00Z", "2025-03-01T00:00:10.500000Z"]
    start = fixes.ts(0)
    day = exports.VehicleDay("v", '苏D<&>"01', start, start + timedelta(days=1), fixes, [], TZ)
    root = ET.fromstring(exports.gpx(day))
    trk = root.findall(f"{GPX}trk")
    assert [t.findtext(f"{GPX}name") for t in trk] == ['苏D<&>"01']  # positive: the name read back as written
    points = trk[0].findall(f"{GPX}trkseg/{GPX}trkpt")
    assert [(float(p.get("lat", "nan")), p.findtext(f"{GPX}time")) for p in points] == [
        (31.8, "2025-03-01T00:00:00Z"),
        (31.81, "2025-03-01T00:00:10.500000Z"),
        (31.82, "2025-03-01T00:00:20.000001Z"),
        (31.83, "2025-03-01T00:00:30Z"),
    ]


async def test_vehicle_day_reads_the_fixes_once_and_cuts_the_track_at_track_max_points(
    database_url: str, fleet_data: Any
) -> None:
    """The export reads the window's fixes once: its trips equal the segments', its track the fixes the track
    query reads with ``track_max_points`` (jumps dropped), also when that limit cuts the day (a jump right at
    the cut: the limited track judges it as the track endpoint does)."""
    import numpy as np

    from houqin_common.db import create_engine, make_sessionmaker
    from telemetry_ingest.analytics.config import AnalyticsSettings
    from telemetry_ingest.fleet import arrays, repository, service

    vehicle = fleet_data.vehicle()
    start = datetime(2026, 6, 4, tzinfo=TZ)
    t = Track(start.replace(hour=9), *HQ).stand(120, ignition=False).drive(900, 36).stand(600, ignition=False)
    t.drive(300, 30, heading_deg=0).jump(8000).drive(300, 30, heading_deg=0).stand(300, ignition=False)
    fleet_data.positions(vehicle, t.fixes)
    end = start + timedelta(days=1)
    engine = create_engine(database_url, pool_size=1)
    try:
        async with make_sessionmaker(engine)() as session:
            everything = await repository.track(session, vehicle_id=vehicle, start=start, end=end)
            jump = next(i for i in range(1, len(everything)) if everything.lat[i] - everything.lat[i - 1] > 0.05)
            sizes: dict[int, int] = {}
            for limit in (100_000, jump + 1, jump, 7):
                cfg = AnalyticsSettings(track_max_points=limit)
                got = await service.vehicle_day(
                    session, settings=cfg, vehicle_id=vehicle, vendor_id=None, start=start, end=end
                )
                cols = await repository.track(session, vehicle_id=vehicle, start=start, end=end, limit=limit)
                want = arrays.drop_jumps(cols, max_speed_kmh=cfg.max_plausible_speed_kmh)
                assert np.array_equal(got.fixes.us, want.us) and np.array_equal(got.fixes.lat, want.lat), limit
                seg = await service.segments(
                    session, settings=cfg, vehicle_id=vehicle, vendor_id=None, start=start, end=end
                )
                assert got.trips == seg.trips and len(seg.trips) == 2
                sizes[limit] = len(got.fixes)
            # positive controls: the whole day lost its jump; cut right after the jump, the jump is the last fix
            # and still dropped; cut before it, nothing is dropped
            assert len(everything) == len(t.fixes) and seg.jumps_dropped == 1
            assert sizes == {100_000: len(everything) - 1, jump + 1: jump, jump: jump, 7: 7}
    finally:
        await engine.dispose()


def test_coordinates_are_written_as_repr_each_distinct_value_once() -> None:
    """A parked vehicle repeats its fix: each distinct coordinate is formatted once, every value as ``repr``
    (the shortest text that reads back as the same float); 0.0 and -0.0 keep their own text."""
    import numpy as np

    from telemetry_ingest.fleet import exports

    values = np.array([31.800000000000001, 119.9, 31.8, 1e-05, 119.90000000000002, 31.8])
    assert exports._reprs(values) == [repr(v) for v in values.tolist()]
    assert exports._reprs(values) == ["31.8", "119.9", "31.8", "1e-05", "119.90000000000002", "31.8"]
    signed = np.array([-0.0, 0.0, 2.5, -0.0])
    assert exports._reprs(signed) == ["-0.0", "0.0", "2.5", "-0.0"]
    assert exports._reprs(np.array([], dtype=np.float64)) == []
