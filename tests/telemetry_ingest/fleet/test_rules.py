"""Pure fleet rules on synthetic tracks: segmentation, jumps, overspeed, idling, fences, calendars."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from oracles import fleet_rules as rules
from telemetry_ingest.analytics.calendar import UseCalendar
from telemetry_ingest.fleet.synthetic import Track

TZ = ZoneInfo("Asia/Shanghai")
HQ = (31.81, 119.97)  # Changzhou administrative center
PARAMS = rules.SegmentParams(moving_speed_kmh=5, min_trip_distance_m=300, min_trip_duration_s=120, min_parking_s=300)


def synthetic_day() -> Track:
    """Three real trips, a red light inside trip 1, a short manoeuvre that is no trip, a GPS jump."""
    t = Track(datetime(2026, 5, 12, 8, 0, tzinfo=TZ), *HQ)
    t.stand(600, ignition=False)
    t.drive(600, 36)  # trip 1: 6 km ...
    t.stand(60, ignition=True)  # ... a 1-minute red light does not split it ...
    t.drive(300, 36)  # ... 3 km more
    t.stand(1800, ignition=False)  # parked 30 min
    t.drive(30, 18)  # moving the car 150 m in the yard: not a trip
    t.stand(900, ignition=False)
    t.drive(900, 48, heading_deg=270)  # trip 2: 12 km back west
    t.jump(5000)  # one fix 5 km off
    t.drive(300, 48, heading_deg=270)  # trip 2 continues: 4 km
    t.stand(3600, ignition=False)
    t.at(datetime(2026, 5, 12, 14, 0, tzinfo=TZ)).stand(60, ignition=False)
    t.drive(1200, 30, heading_deg=0)  # trip 3: 10 km north
    t.stand(600, ignition=False)
    return t


def test_segmentation_finds_the_known_trips_and_stops() -> None:
    raw = synthetic_day().fixes
    clean = rules.drop_jumps(raw, max_speed_kmh=200)
    assert len(raw) - len(clean) == 1
    trips, stops = rules.segment(clean, PARAMS)
    assert len(trips) == 3
    assert [round(t.distance_m / 1000, 1) for t in trips] == [9.0, 16.0, 10.0]
    assert trips[0].start.ts == datetime(2026, 5, 12, 8, 9, 50, tzinfo=TZ)  # last standstill fix before motion
    assert trips[0].duration_s == pytest.approx(970, abs=10)
    assert trips[2].start.ts.astimezone(TZ).time() == time(14, 0, 50)
    assert all(s.duration_s >= PARAMS.min_parking_s for s in stops)
    assert len(stops) == 4  # before trip 1, between 1-2 (with the yard manoeuvre), 2-3, after 3
    # raw distance with the jump would be 10 km longer
    assert rules.distance_km(raw) - rules.distance_km(clean) == pytest.approx(10.0, abs=0.2)


def test_daily_distance_ignores_jumps() -> None:
    clean = rules.drop_jumps(synthetic_day().fixes, max_speed_kmh=200)
    daily = rules.daily_distance_km(clean, TZ)
    assert daily == {date(2026, 5, 12): pytest.approx(35.2, abs=0.3)}


def test_overspeed_needs_the_minimum_duration() -> None:
    t = Track(datetime(2026, 5, 12, 9, tzinfo=TZ), *HQ)
    t.drive(120, 50).drive(20, 75).drive(120, 50).drive(60, 82).drive(60, 50)
    found = rules.overspeed(t.fixes, limit_kmh=60, min_duration_s=30)
    assert len(found) == 1
    assert found[0].peak == 82 and found[0].duration_s == 50


def test_idling_longer_than_allowed() -> None:
    t = Track(datetime(2026, 5, 12, 9, tzinfo=TZ), *HQ)
    t.drive(60, 30).stand(300, ignition=True).drive(60, 30).stand(1200, ignition=True).stand(600, ignition=False)
    found = rules.idling(t.fixes, idle_speed_kmh=2, max_idle_s=600)
    assert len(found) == 1 and found[0].duration_s == pytest.approx(1190)


def test_fence_exits_circle_and_polygon() -> None:
    t = (
        Track(datetime(2026, 5, 12, 9, tzinfo=TZ), *HQ)
        .stand(60, ignition=False)
        .drive(120, 36)
        .stand(60, ignition=True)
    )
    circle = rules.Fence("circle", center_lat=HQ[0], center_lon=HQ[1], radius_m=200)
    exits = rules.fence_exits(t.fixes, circle)
    assert len(exits) == 1 and rules.haversine_m(exits[0].lat, exits[0].lon, *HQ) > 200
    lat, lon = HQ
    square = {
        "type": "Polygon",
        "coordinates": [
            [
                [lon - 0.002, lat - 0.002],
                [lon + 0.002, lat - 0.002],
                [lon + 0.002, lat + 0.002],
                [lon - 0.002, lat + 0.002],
                [lon - 0.002, lat - 0.002],
            ]
        ],
    }
    polygon = rules.Fence("polygon", geometry=square)
    assert polygon.contains(lat, lon) and not polygon.contains(lat, lon + 0.01)
    assert len(rules.fence_exits(t.fixes, polygon)) == 1


def test_calendar_classes() -> None:
    cal = UseCalendar(holidays=frozenset({date(2026, 10, 1)}), extra_workdays=frozenset({date(2026, 10, 10)}))
    assert cal.classify(datetime(2026, 9, 30, 10, tzinfo=TZ), TZ) == "permitted"
    assert cal.classify(datetime(2026, 9, 30, 22, tzinfo=TZ), TZ) == "off_hours"
    assert cal.classify(datetime(2026, 10, 1, 10, tzinfo=TZ), TZ) == "sealed_holiday"
    assert cal.classify(datetime(2026, 10, 10, 10, tzinfo=TZ), TZ) == "permitted"  # Saturday made a workday
    assert cal.classify(datetime(2026, 10, 11, 10, tzinfo=TZ), TZ) == "off_hours"  # Sunday


def test_request_matching_window_and_grace() -> None:
    t = Track(datetime(2026, 5, 12, 9, 50, tzinfo=TZ), *HQ).stand(30, ignition=False).drive(900, 40)
    t.stand(400, ignition=False)
    trip = rules.segment(t.fixes, PARAMS)[0][0]
    grace = timedelta(minutes=30)
    ok = rules.RequestWindow("r1", datetime(2026, 5, 12, 10, tzinfo=TZ), datetime(2026, 5, 12, 12, tzinfo=TZ))
    late = rules.RequestWindow("r2", datetime(2026, 5, 12, 11, tzinfo=TZ), datetime(2026, 5, 12, 12, tzinfo=TZ))
    assert rules.match_request(trip, [late, ok], grace=grace) == "r1"
    assert rules.match_request(trip, [late], grace=grace) is None


def test_douglas_peucker_keeps_corners_and_ends() -> None:
    line = [(119.0 + i * 0.001, 31.0) for i in range(50)] + [(119.049, 31.0 + i * 0.001) for i in range(1, 50)]
    simple = rules.douglas_peucker(line, tolerance_m=5)
    assert simple == [line[0], line[49], line[-1]]
    assert rules.douglas_peucker(line, tolerance_m=0) == line


def test_relocation_is_kept_but_not_counted_as_driven() -> None:
    """A terminal that comes back 20 km away 30 s later (towed, or a cold start) is no spike: its fixes
    agree with each other, so they are kept; the impossible hop itself adds no distance."""
    t = Track(datetime(2026, 5, 12, 9, tzinfo=TZ), *HQ).drive(120, 36)
    t.silent(30)
    t.lat += 0.18  # 20 km north
    t.drive(120, 36)
    clean = rules.drop_jumps(t.fixes, max_speed_kmh=200)
    assert len(clean) == len(t.fixes)
    assert rules.distance_km(clean, max_speed_kmh=200) == pytest.approx(2 * 1.1, abs=0.01)  # 11 steps of 100 m each
    assert rules.distance_km(clean) > 20
