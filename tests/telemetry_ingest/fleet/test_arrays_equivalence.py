"""The column evaluator (fleet.arrays, alert_rules) against the per-fix reference (fleet.rules, reference):
identical trips, stops, distances, runs and alerts on generated days with jumps, gaps, ignition flapping,
speeding, idling, midnight-crossing trips, missing speeds/ignition, shared instants, empty days, one fix."""

from __future__ import annotations

import random
from dataclasses import asdict
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from oracles import fleet_per_fix as reference
from oracles import fleet_rules as rules
from telemetry_ingest.analytics.calendar import UseCalendar
from telemetry_ingest.analytics.config import AnalyticsSettings
from telemetry_ingest.fleet import alert_rules, arrays
from telemetry_ingest.fleet.synthetic import Track
from telemetry_ingest.models import Vehicle

HQ = (31.81, 119.97)
SQUARE_WITH_HOLE = {
    "type": "Polygon",
    "coordinates": [
        [[119.96, 31.80], [119.98, 31.80], [119.98, 31.82], [119.96, 31.82], [119.96, 31.80]],
        [[119.968, 31.808], [119.972, 31.808], [119.972, 31.812], [119.968, 31.812], [119.968, 31.808]],
    ],
}
FENCES = [
    None,
    rules.Fence("circle", center_lat=HQ[0], center_lon=HQ[1], radius_m=300),
    rules.Fence("polygon", geometry=SQUARE_WITH_HOLE),
    rules.Fence("polygon", geometry={"type": "MultiPolygon", "coordinates": [SQUARE_WITH_HOLE["coordinates"]]}),
]

CALENDAR = UseCalendar(
    holidays=frozenset({date(2026, 3, 8), date(2026, 4, 5)}), extra_workdays=frozenset({date(2026, 3, 14)})
)


def generated_day(seed: int, tz: ZoneInfo) -> list[rules.Fix]:
    """A random day of driving, standing, idling, speeding, flapping ignition, silences and jumps, with
    some fixes lacking speed or ignition, shared instants, sub-second times and out-of-order delivery."""
    rng = random.Random(seed)
    day = date(2026, 3, 1) + timedelta(days=rng.randrange(60))
    start_hour = rng.choice([0, 6, 7, 9, 17, 21, 23])  # evening starts cross midnight
    t = Track(datetime.combine(day, time(start_hour, rng.randrange(60)), tz), *HQ, step_s=rng.choice([10, 10, 5, 30]))
    for _ in range(rng.randint(2, 30)):
        op = rng.choices(
            ["drive", "stand_on", "stand_off", "silent", "jump", "flap", "speeding", "crawl", "broken_run"],
            weights=[30, 10, 15, 5, 4, 4, 6, 4, 4],
        )[0]
        if op == "drive":
            t.drive(rng.uniform(20, 2400), rng.uniform(6, 70), heading_deg=rng.uniform(0, 360))
        elif op == "stand_on":  # a light or idling, sometimes longer than allowed
            t.stand(rng.choice([30, 120, 400, 700, 1500]), ignition=True)
        elif op == "stand_off":
            t.stand(rng.choice([60, 290, 300, 310, 900, 3600]), ignition=False)
        elif op == "silent":
            # a silence making the gap between two fixes exactly a threshold (runs: 60/120 s, parking: 300 s)
            gap = rng.choice([30, 60, 120, 121, 200, 299, 300, 301, 4000])
            t.silent(max(0.0, gap - t.step.total_seconds()))
        elif op == "jump":
            t.jump(rng.choice([800, 5000, 30000]))
        elif op == "flap":
            for _ in range(rng.randint(2, 12)):
                t.stand(rng.choice([10, 20, 40]), ignition=rng.random() < 0.5)
                t.drive(rng.choice([10, 20, 40]), rng.uniform(3, 30))
        elif op == "speeding":
            t.drive(rng.uniform(10, 200), rng.uniform(75, 120))
        elif op == "crawl":
            t.drive(rng.uniform(20, 300), rng.uniform(1, 6))
        else:  # a speeding or idling run with a silence of exactly its gap limit (60 / 120 s) or just over
            gap = rng.choice([60, 61, 120, 121])
            speeding = rng.random() < 0.5
            for _ in range(2):
                if speeding:
                    t.drive(rng.uniform(40, 120), 95)
                else:
                    t.stand(rng.uniform(200, 500), ignition=True)
                t.silent(max(0.0, gap - t.step.total_seconds()))
    fixes = list(t.fixes)
    out = []
    for f in fixes:
        r = rng.random()
        if r < 0.03:
            f = rules.Fix(f.ts, f.lat, f.lon, None, f.ignition)
        elif r < 0.05:
            f = rules.Fix(f.ts, f.lat, f.lon, f.speed_kmh, None)
        elif r < 0.055:  # a speed reported with the ignition off (towed, or a stale ignition bit)
            f = rules.Fix(f.ts, f.lat, f.lon, f.speed_kmh, False)
        elif r < 0.06:
            f = rules.Fix(
                f.ts + timedelta(microseconds=rng.randrange(1, 999_999)), f.lat, f.lon, f.speed_kmh, f.ignition
            )
        out.append(f)
        if rng.random() < 0.01:  # a second fix at the same instant (the first one counts)
            out.append(rules.Fix(f.ts, f.lat + 0.001, f.lon, f.speed_kmh, f.ignition))
    if rng.random() < 0.3 and len(out) > 20:  # a late batch delivered out of order
        k = rng.randrange(len(out) - 10)
        out[k : k + 10] = reversed(out[k : k + 10])
    return out


def cases() -> list[tuple[int, str]]:
    return [(seed, "Asia/Shanghai") for seed in range(60)] + [(seed, "Europe/Berlin") for seed in range(60, 75)]


def _vehicle(seed: int) -> Vehicle:
    return Vehicle(id=f"veh-{seed}", plate=f"苏D{seed:05d}", department="office", vendor_id="v1", speed_limit_kmh=60.0)


def _requests(fixes: list[rules.Fix], rng: random.Random) -> list[rules.RequestWindow]:
    if not fixes:
        return []
    first, last = min(f.ts for f in fixes), max(f.ts for f in fixes)
    span = max(1, int((last - first).total_seconds()))
    out = []
    for i in range(rng.randint(0, 4)):
        s = first + timedelta(seconds=rng.randrange(span))
        out.append(rules.RequestWindow(f"r{i}", s, s + timedelta(minutes=rng.choice([30, 120, 600]))))
    return out


@pytest.mark.parametrize(("seed", "zone"), cases())
def test_column_rules_equal_the_per_fix_reference(seed: int, zone: str) -> None:
    tz = ZoneInfo(zone)
    raw = generated_day(seed, tz)
    rng = random.Random(seed)
    settings = AnalyticsSettings(timezone=zone)
    if seed % 3 == 2:  # other policy numbers, a fractional parking threshold among them
        settings = AnalyticsSettings(
            timezone=zone, min_parking_s=120.5, moving_speed_kmh=10, idle_max_s=300, overspeed_min_s=0
        )
    params = alert_rules.segment_params(settings)

    clean = rules.drop_jumps(raw, max_speed_kmh=settings.max_plausible_speed_kmh)
    cols = arrays.drop_jumps(arrays.FixArrays.from_fixes(raw), max_speed_kmh=settings.max_plausible_speed_kmh)
    assert [cols.fix(i) for i in range(len(cols))] == clean

    for limit in (None, settings.max_plausible_speed_kmh):
        assert arrays.distance_km(cols, max_speed_kmh=limit) == rules.distance_km(clean, max_speed_kmh=limit)

    trips, stops = rules.segment(clean, params)
    col_trips, col_stops = arrays.segment(cols, params)
    assert [
        (t.start_at, t.end_at, t.start_lat, t.start_lon, t.end_lat, t.end_lon, t.distance_m, t.max_speed_kmh)
        for t in col_trips
    ] == [
        (t.start.ts, t.end.ts, t.start.lat, t.start.lon, t.end.lat, t.end.lon, t.distance_m, t.max_speed_kmh)
        for t in trips
    ]
    assert col_stops == stops

    assert arrays.overspeed(cols, limit_kmh=60, min_duration_s=30) == rules.overspeed(
        clean, limit_kmh=60, min_duration_s=30
    )
    assert arrays.idling(cols, idle_speed_kmh=2, max_idle_s=600) == rules.idling(
        clean, idle_speed_kmh=2, max_idle_s=600
    )

    ctx_args = {
        "vehicle": _vehicle(seed),
        "settings": settings,
        "cal": CALENDAR,
        "fence": FENCES[seed % len(FENCES)],
        "requests": _requests(clean, rng),
        "now": None,
        "last_fix_at": None,
    }
    expected = reference.detect(reference.FixContext(fixes=clean, **ctx_args))  # type: ignore[arg-type]
    actual = alert_rules.detect(alert_rules.VehicleContext(track=cols, **ctx_args))  # type: ignore[arg-type]
    assert actual == expected


def test_the_generated_days_exercise_every_rule() -> None:
    """Positive control: the days above do contain what the equality is meant to cover."""
    seen: dict[str, int] = {}
    kinds: set[str] = set()
    for seed, zone in cases():
        tz = ZoneInfo(zone)
        raw = generated_day(seed, tz)
        clean = rules.drop_jumps(raw, max_speed_kmh=200)
        _, alerts = reference.detect(
            reference.FixContext(
                vehicle=_vehicle(seed),
                fixes=clean,
                settings=AnalyticsSettings(timezone=zone),
                cal=CALENDAR,
                fence=FENCES[seed % len(FENCES)],
                requests=_requests(clean, random.Random(seed)),
                now=None,
                last_fix_at=None,
            )
        )
        kinds |= {a["kind"] for a in alerts}
        trips, _ = rules.segment(clean, rules.SegmentParams())
        counts = {
            "jumps": len({f.ts for f in raw}) - len(clean),
            "trips": len(trips),
            "midnight": sum(1 for t in trips if t.start.ts.astimezone(tz).date() != t.end.ts.astimezone(tz).date()),
            "overspeed": len(rules.overspeed(clean, limit_kmh=60, min_duration_s=30)),
            "idling": len(rules.idling(clean, idle_speed_kmh=2, max_idle_s=600)),
            "no_speed": sum(1 for f in clean if f.speed_kmh is None),
            "sub_second": sum(1 for f in clean if f.ts.microsecond),
        }
        for k, v in counts.items():
            seen[k] = seen.get(k, 0) + (1 if v > 0 else 0)
    assert all(v > 0 for v in seen.values()), seen
    assert kinds == {k.value for k in alert_rules.TRACK_KINDS}


@pytest.mark.parametrize("n", [0, 1, 2])
def test_tiny_days(n: int) -> None:
    tz = ZoneInfo("Asia/Shanghai")
    raw = Track(datetime(2026, 5, 12, 9, tzinfo=tz), *HQ).drive(n * 10, 40).fixes
    cols = arrays.drop_jumps(arrays.FixArrays.from_fixes(raw), max_speed_kmh=200)
    clean = rules.drop_jumps(raw, max_speed_kmh=200)
    assert len(cols) == len(clean) == n
    params = rules.SegmentParams(min_trip_distance_m=0, min_trip_duration_s=0)
    col_trips, col_stops = arrays.segment(cols, params)
    trips, stops = rules.segment(clean, params)
    assert [(t.start_at, t.end_at, t.distance_m) for t in col_trips] == [
        (t.start.ts, t.end.ts, t.distance_m) for t in trips
    ]
    assert col_stops == stops
    assert arrays.distance_km(cols) == rules.distance_km(clean)


def test_use_classes_across_a_dst_change() -> None:
    """Offsets are looked up per hour: the night Berlin moves its clocks, classes still match per fix."""
    tz = ZoneInfo("Europe/Berlin")
    # UTC instants as the database returns them (wall-clock arithmetic in Berlin would make times that
    # do not exist)
    raw = Track(datetime(2026, 3, 28, 21, tzinfo=UTC), *HQ, step_s=60).stand(12 * 3600, ignition=False).fixes
    cal = UseCalendar(work_start=time(1, 30), work_end=time(3, 30), working_weekdays=(7,))
    cols = arrays.FixArrays.from_fixes(raw)
    got = [arrays.USE_CLASSES[c] for c in arrays.use_classes(cols, cal, tz).tolist()]
    want = [cal.classify(f.ts, tz) for f in raw]
    assert got == want
    assert "permitted" in want and "off_hours" in want  # positive control


def test_fix_columns_round_trip() -> None:
    tz = ZoneInfo("Asia/Shanghai")
    raw = [
        rules.Fix(datetime(2026, 5, 12, 9, 0, 0, 123456, tzinfo=tz), 31.8, 119.9, None, None),
        rules.Fix(datetime(2026, 5, 12, 9, 0, 10, tzinfo=tz), 31.81, 119.91, 12.5, False),
    ]
    cols = arrays.FixArrays.from_fixes(raw)
    assert [cols.fix(i) for i in range(2)] == raw
    assert [asdict(cols.fix(i))["ts"].timestamp() for i in range(2)] == (cols.us / 1e6).tolist()
