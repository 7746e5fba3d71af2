"""Scripted vehicle days carry a known number of each violation, and the rules find exactly those."""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from oracles import fleet_rules as rules
from telemetry_ingest.analytics.calendar import UseCalendar
from telemetry_ingest.analytics.config import AnalyticsSettings
from telemetry_ingest.fleet import alert_rules, arrays
from telemetry_ingest.models import Vehicle
from telemetry_ingest.simulator.history import vehicle_day
from telemetry_ingest.simulator.model import HOLIDAYS, HQ

TZ = ZoneInfo("Asia/Shanghai")


def test_the_rules_find_the_injected_violations_of_a_scripted_month() -> None:
    vehicle = Vehicle(id="V-T", plate="苏D12345", vendor_id="op", department="d", speed_limit_kmh=80)
    cal = UseCalendar(holidays=HOLIDAYS)
    fence = rules.Fence("circle", center_lat=HQ[0], center_lon=HQ[1], radius_m=300)
    expected: Counter[str] = Counter()
    found: Counter[str] = Counter()
    trips = requests = rejected = idling = 0
    for i in range(61):
        day = date(2026, 9, 1) + timedelta(days=i)  # includes the sealed holidays of 25-27 Sep and 1-7 Oct
        script = vehicle_day(day, random.Random(f"V-T/{day}"), TZ)
        expected.update(script.violations)
        windows = [
            rules.RequestWindow(str(n), r.window_start, r.window_end)
            for n, r in enumerate(script.requests)
            if r.approved
        ]
        requests += len(script.requests)
        rejected += sum(1 for r in script.requests if not r.approved)
        clean = arrays.drop_jumps(arrays.FixArrays.from_fixes(script.fixes), max_speed_kmh=200)
        trip_rows, alerts = alert_rules.detect(
            alert_rules.VehicleContext(vehicle, clean, AnalyticsSettings(), cal, fence, windows, None, None)
        )
        trips += len(trip_rows)
        found.update(a["kind"] for a in alerts if a["severity"] == "violation")
        idling += sum(1 for a in alerts if a["kind"] == "idling")
    assert +found == +expected
    assert trips > 40 and requests > 30 and rejected > 0 and idling > 0
    assert expected["unrequested_use"] > 0 and expected["overspeed"] > 0 and expected["off_hours"] > 0
