"""Analytics query benchmark: a year of 15-minute readings for 400 meters and a month of 10-second
positions for 25 vehicles, generated server-side into a throw-away database, then the main energy and
fleet queries timed beside a naive baseline measured in the same run.

Scale: the energy data set is the issue's full size (400 meters x 365 days x 96 = 14.0 M readings).
A year of 10-second positions for 250 vehicles is 789 M rows (~100 GB with indexes), too much for a CI
box; the default generates 25 vehicles x 31 days (6.7 M rows) and the report extrapolates linearly per
vehicle-day where the query cost is proportional to it (distance of the fleet) and states so. Queries
scoped to one vehicle and one day do not depend on the fleet size (primary-key range scan).

Environment: ``BENCH_DATABASE_URL`` (server, default postgresql://postgres@127.0.0.1:5432/postgres),
``BENCH_METERS`` (400), ``BENCH_METER_DAYS`` (365), ``BENCH_VEHICLES`` (25), ``BENCH_VEHICLE_DAYS`` (31),
``BENCH_REPEAT`` (3), ``BENCH_KEEP`` (1 keeps the database).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from houqin_common.db import create_engine, libpq_url, make_sessionmaker, run_migrations, with_database

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2025, 1, 1, tzinfo=TZ)
FLEET_START = datetime(2025, 3, 1, tzinfo=TZ)

METERS_SQL = """
INSERT INTO telemetry.meter (id, name, building, zone, energy_type, sub_item, multiplier, rollover, vendor_id)
SELECT 'bm' || lpad(i::text, 4, '0'), 'bench meter ' || i, 'B' || (i % 10), 'Z' || (i % 40), '01000',
       (ARRAY['01A10','01B10','01B20','01C10','01D10'])[1 + i % 5], 1 + (i % 3) * 10,
       CASE WHEN i % 40 = 0 THEN 100000 END, 'bench-vendor-' || (i % 10)
FROM generate_series(1, :n) i
"""

# cumulative register with a daily cycle: d/dh = rate + amp * (1 - cos(2 pi h / 24)) >= 0; 1 meter in 40 wraps
READINGS_SQL = """
INSERT INTO telemetry.reading (meter_id, ts, energy_kwh)
SELECT m.id, g.ts,
       CASE WHEN m.rollover IS NOT NULL THEN CAST(mod(CAST(v.val AS numeric), 100000) AS float8) ELSE v.val END
FROM telemetry.meter m
CROSS JOIN generate_series(CAST(:start AS timestamptz), CAST(:end AS timestamptz), interval '15 minutes') g(ts)
CROSS JOIN LATERAL (SELECT extract(epoch FROM g.ts - CAST(:start AS timestamptz)) / 3600.0 AS h) x
CROSS JOIN LATERAL (SELECT (2 + mod(abs(hashtext(m.id)), 20)) * x.h
                         + 3 * (x.h - sin(2 * pi() * x.h / 24) * 24 / (2 * pi())) AS val) v
WHERE left(m.id, 2) = 'bm'
"""

VEHICLES_SQL = """
INSERT INTO telemetry.vehicle (id, plate, department, vendor_id, speed_limit_kmh)
SELECT 'bv' || lpad(i::text, 3, '0'), 'BENCH' || i, 'dept ' || (i % 5), 'bench-vendor-' || (i % 10), 80
FROM generate_series(1, :n) i
"""

# on a 5 km circle around the depot, moving 40 km/h 09:00-11:00 and 14:00-16:00 local; one fix in 5000 jumps
POSITIONS_SQL = """
INSERT INTO telemetry.position (vehicle_id, ts, lat, lon, speed_kmh, ignition)
SELECT v.id, g.ts,
       31.8 + mod(i.n, 7) * 0.01 + 0.045 * sin(a.ang) + CASE WHEN mod(extract(epoch FROM g.ts)::bigint / 10, 5000) = 0
                                                        THEN 0.05 ELSE 0 END,
       119.9 + mod(i.n, 5) * 0.01 + 0.053 * cos(a.ang),
       CASE WHEN t.moving THEN 40 ELSE 0 END, t.moving
FROM telemetry.vehicle v
CROSS JOIN LATERAL (SELECT substr(v.id, 3)::int AS n) i
CROSS JOIN generate_series(CAST(:start AS timestamptz), CAST(:end AS timestamptz) - interval '10 seconds',
                           interval '10 seconds') g(ts)
CROSS JOIN LATERAL (SELECT extract(epoch FROM CAST(g.ts AT TIME ZONE 'Asia/Shanghai' AS time)) AS s) d
CROSS JOIN LATERAL (SELECT (d.s >= 32400 AND d.s < 39600) OR (d.s >= 50400 AND d.s < 57600) AS moving,
                           least(greatest(d.s - 32400, 0), 7200) + least(greatest(d.s - 50400, 0), 7200) AS moved) t
CROSS JOIN LATERAL (SELECT t.moved * 40 / 3.6 / 5000.0 AS ang) a
WHERE left(v.id, 2) = 'bv'
"""


def _env(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


async def timed(fn: Callable[[], Awaitable[Any]], repeat: int) -> tuple[float, Any]:
    """Median wall time in ms over ``repeat`` runs (after one warm-up), and the last result."""
    result = await fn()
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = await fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples), result


def generate(url: str, meters: int, meter_days: int, vehicles: int, vehicle_days: int) -> dict[str, float]:
    figures: dict[str, float] = {}
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("SET synchronous_commit = off")
        t0 = time.perf_counter()
        conn.execute(METERS_SQL.replace(":n", str(meters)))
        conn.execute(
            READINGS_SQL.replace(":start", "%(start)s").replace(":end", "%(end)s"),
            {"start": START, "end": START + timedelta(days=meter_days)},
        )
        figures["readings"] = conn.execute("SELECT count(*) FROM telemetry.reading").fetchone()[0]  # type: ignore[index]
        figures["readings_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        conn.execute(VEHICLES_SQL.replace(":n", str(vehicles)))
        conn.execute(
            POSITIONS_SQL.replace(":start", "%(start)s").replace(":end", "%(end)s"),
            {"start": FLEET_START, "end": FLEET_START + timedelta(days=vehicle_days)},
        )
        figures["positions"] = conn.execute("SELECT count(*) FROM telemetry.position").fetchone()[0]  # type: ignore[index]
        figures["positions_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        conn.execute("VACUUM ANALYZE telemetry.reading")
        conn.execute("VACUUM ANALYZE telemetry.position")
        conn.execute("ANALYZE telemetry.meter")
        conn.execute("ANALYZE telemetry.vehicle")
        figures["analyze_s"] = time.perf_counter() - t0
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()
        figures["db_mb"] = (size[0] if size else 0) / 1e6
    return figures


async def run_queries(
    url: str, repeat: int, vehicles: int, vehicle_days: int
) -> list[tuple[str, float, str, float, str]]:
    from telemetry_ingest.energy import service as energy
    from telemetry_ingest.energy.arithmetic import Sample, bucket_sums, intervals
    from telemetry_ingest.energy.config import AnalyticsSettings
    from telemetry_ingest.energy.repository import MeterFilter
    from telemetry_ingest.energy.schemas import Granularity, GroupBy
    from telemetry_ingest.fleet import geojson, repository, rules
    from telemetry_ingest.fleet import service as fleet
    from telemetry_ingest.kpis import service as kpis

    settings = AnalyticsSettings(require_trip_requests=False, use_rollup=False)
    rolled = AnalyticsSettings(require_trip_requests=False, use_rollup=True)
    engine = create_engine(url, pool_size=2)
    maker = make_sessionmaker(engine)
    rows: list[tuple[str, float, str, float, str]] = []
    year_end = START + timedelta(days=365)
    month_end = START + timedelta(days=31)
    day = FLEET_START + timedelta(days=5)  # a working day

    async with maker() as s:
        session: AsyncSession = s

        async def naive_python(meter_ids: list[str], start: datetime, end: datetime, gran: str) -> int:
            res = await session.execute(
                text(
                    "SELECT meter_id, ts, energy_kwh FROM telemetry.reading WHERE meter_id = ANY(:m)"
                    " AND ts >= :s AND ts <= :e ORDER BY meter_id, ts"
                ),
                {"m": meter_ids, "s": start, "e": end},
            )
            by_meter: dict[str, list[Sample]] = {}
            for r in res:
                by_meter.setdefault(r.meter_id, []).append(Sample(r.ts, r.energy_kwh))
            n = 0
            for samples in by_meter.values():
                n += len(bucket_sums(intervals(samples, rollover=100000.0), gran, TZ))
            return n

        one = MeterFilter(meter_ids=["bm0001"])
        ms, _ = await timed(
            lambda: energy.consumption(
                session,
                settings=settings,
                flt=one,
                start=START,
                end=year_end,
                granularity=Granularity.day,
                group_by=GroupBy.total,
            ),
            repeat,
        )
        base, _ = await timed(lambda: naive_python(["bm0001"], START, year_end, "day"), repeat)
        rows.append(("daily kWh, 1 meter, 1 year (35 k readings)", ms, "fetch rows + Python", base, ""))

        building = MeterFilter(building="B3")
        ids = [f"bm{i:04d}" for i in range(1, 401) if i % 10 == 3]
        ms, _ = await timed(
            lambda: energy.consumption(
                session,
                settings=settings,
                flt=building,
                start=START,
                end=month_end,
                granularity=Granularity.hour,
                group_by=GroupBy.meter,
            ),
            repeat,
        )
        base, _ = await timed(lambda: naive_python(ids, START, month_end, "hour"), repeat)
        rows.append(("hourly kWh per meter, 1 building (40 meters), 1 month", ms, "fetch rows + Python", base, ""))

        every = MeterFilter()

        def monthly(cfg: AnalyticsSettings) -> Awaitable[Any]:
            return energy.consumption(
                session,
                settings=cfg,
                flt=every,
                start=START,
                end=year_end,
                granularity=Granularity.month,
                group_by=GroupBy.building,
            )

        raw_ms, raw_result = await timed(lambda: monthly(settings), 1)
        naive_sql = text(
            "SELECT m.building, date_trunc('month', r.ts AT TIME ZONE 'Asia/Shanghai') AS mo,"
            " sum(r.mx - r.mn) FROM (SELECT meter_id, date_trunc('month', ts AT TIME ZONE 'Asia/Shanghai') AS mo,"
            " max(energy_kwh) AS mx, min(energy_kwh) AS mn, min(ts) AS ts FROM telemetry.reading"
            " GROUP BY 1, 2) r JOIN telemetry.meter m ON m.id = r.meter_id GROUP BY 1, 2"
        )
        base, _ = await timed(lambda: session.execute(naive_sql), 1)
        rows.append(
            (
                "monthly kWh by building, all meters, 1 year: raw lag() window",
                raw_ms,
                "max-min per month (wrong on resets)",
                base,
                "",
            )
        )

        t0 = time.perf_counter()
        async with maker() as s2, s2.begin():
            await energy.refresh_rollup(s2, settings=rolled, start=START, end=year_end, now=year_end)
        build_ms = (time.perf_counter() - t0) * 1000
        rows.append(
            (
                "hourly rollup build, all meters, 1 year (one-off; hourly refresh is ~1/8760)",
                build_ms,
                "-",
                float("nan"),
                f"an hourly refresh of 48 h: ~{build_ms * 48 / 8760:.0f} ms",
            )
        )
        ms, rolled_result = await timed(lambda: monthly(rolled), repeat)
        same = [(r.group, r.bucket, round(r.kwh, 3)) for r in rolled_result.rows] == [
            (r.group, r.bucket, round(r.kwh, 3)) for r in raw_result.rows
        ]
        rows.append(
            (
                "monthly kWh by building, all meters, 1 year: hourly rollup",
                ms,
                "raw lag() window",
                raw_ms,
                "identical answer" if same else "ANSWERS DIFFER",
            )
        )

        ms, _ = await timed(
            lambda: energy.top_consumers(
                session, settings=rolled, flt=every, start=START, end=month_end, group_by=GroupBy.meter, limit=10
            ),
            repeat,
        )
        base, _ = await timed(
            lambda: energy.top_consumers(
                session, settings=settings, flt=every, start=START, end=month_end, group_by=GroupBy.meter, limit=10
            ),
            1,
        )
        rows.append(("top 10 meters, all meters, 1 month", ms, "raw lag() window", base, ""))

        ms, kpi = await timed(
            lambda: kpis.energy_kpi(session, settings=rolled, vendor_id="bench-vendor-3", period="2025"), repeat
        )
        base, _ = await timed(
            lambda: kpis.energy_kpi(session, settings=settings, vendor_id="bench-vendor-3", period="2025"), 1
        )
        rows.append(
            (
                f"GET /v1/kpis/energy, 1 vendor ({kpi.meters} meters), year + previous year",
                ms,
                "raw lag() window",
                base,
                "",
            )
        )

        ms, fc = await timed(lambda: repository.latest_positions(session, vendor_id=None), repeat)
        naive_latest = text(
            "SELECT DISTINCT ON (vehicle_id) vehicle_id, ts, lat, lon FROM telemetry.position"
            " ORDER BY vehicle_id, ts DESC"
        )
        base, _ = await timed(lambda: session.execute(naive_latest), 1)
        rows.append(
            (
                f"latest position of {len(fc)} vehicles",
                ms,
                "DISTINCT ON over the table",
                base,
                "independent of history length",
            )
        )

        async def track() -> Any:
            fixes = await repository.fixes(session, vehicle_id="bv001", start=day, end=day + timedelta(days=1))
            return geojson.track_feature(
                "bv001",
                rules.drop_jumps(fixes, max_speed_kmh=200),
                start=day,
                end=day + timedelta(days=1),
                raw_points=len(fixes),
                tolerance_m=10,
            )

        ms, _ = await timed(track, repeat)
        rows.append(
            (
                "track of 1 vehicle, 1 day (8 640 fixes), Douglas-Peucker 10 m",
                ms,
                "-",
                float("nan"),
                "independent of fleet size",
            )
        )

        ms, seg = await timed(
            lambda: fleet.segments(
                session, settings=settings, vehicle_id="bv001", vendor_id=None, start=day, end=day + timedelta(days=1)
            ),
            repeat,
        )
        rows.append(
            (
                f"trips and stops of 1 vehicle, 1 day ({len(seg.trips)} trips)",
                ms,
                "-",
                float("nan"),
                "independent of fleet size",
            )
        )

        async def fleet_distance() -> Any:
            return await repository.distance(
                session,
                start=FLEET_START,
                end=FLEET_START + timedelta(days=vehicle_days),
                unit="day",
                tz=settings.timezone,
                max_speed_kmh=200,
            )

        async def naive_distance() -> float:
            res = await session.stream(
                text("SELECT vehicle_id, ts, lat, lon FROM telemetry.position ORDER BY vehicle_id, ts")
            )
            total, prev = 0.0, None
            async for r in res:
                if prev is not None and prev.vehicle_id == r.vehicle_id:
                    total += rules.haversine_m(prev.lat, prev.lon, r.lat, r.lon)
                prev = r
            return total

        ms, dist = await timed(fleet_distance, 1)
        base, _ = await timed(naive_distance, 1)
        scale = (250 * 365) / (vehicles * vehicle_days)
        rows.append(
            (
                f"daily km of {vehicles} vehicles x {vehicle_days} days ({len(dist)} rows)",
                ms,
                "stream rows + Python haversine (no jump filter)",
                base,
                f"x{scale:.0f} for 250 vehicles x 1 year: ~{ms * scale / 1000:.0f} s (linear extrapolation)",
            )
        )

        async def evaluate_day() -> Any:
            out = await fleet.evaluate(
                session,
                settings=settings,
                start=day,
                end=day + timedelta(days=1),
                vehicle_id=None,
                vendor_id=None,
                now=None,
            )
            await session.rollback()
            return out

        ms, ev = await timed(evaluate_day, 1)
        rows.append(
            (
                f"POST /v1/fleet/evaluate, {ev.vehicles} vehicles x 1 day ({ev.trips} trips)",
                ms,
                "-",
                float("nan"),
                f"~{ms * 250 / vehicles / 1000:.1f} s per day for 250 vehicles",
            )
        )

        period = FLEET_START.strftime("%Y-%m")
        raw_ms, raw_kpi = await timed(
            lambda: kpis.vehicle_kpis(session, settings=settings, period=period, vendor_id=None, group_by="vendor"), 1
        )
        t0 = time.perf_counter()
        async with maker() as s2, s2.begin():
            await fleet.evaluate(
                s2,
                settings=settings,
                start=FLEET_START,
                end=FLEET_START + timedelta(days=vehicle_days),
                vehicle_id=None,
                vendor_id=None,
                now=None,
            )
        eval_ms = (time.perf_counter() - t0) * 1000
        rows.append(
            (
                f"evaluator over {vehicles} vehicles x {vehicle_days} days (trips, alerts, daily rollup)",
                eval_ms,
                "-",
                float("nan"),
                "one-off; the worker does one day per vehicle per pass",
            )
        )
        ms, kpi_rows = await timed(
            lambda: kpis.vehicle_kpis(session, settings=settings, period=period, vendor_id=None, group_by="vendor"),
            repeat,
        )
        raw_km = {k.vendor_id: k.distance_km for k in raw_kpi}
        drift = max(
            (abs(k.distance_km - raw_km.get(k.vendor_id, 0.0)) / k.distance_km for k in kpi_rows if k.distance_km),
            default=0.0,
        )
        rows.append(
            (
                f"GET /v1/kpis/vehicles, {vehicles} vehicles, 1 month: daily rollup",
                ms,
                "raw lag() window over positions",
                raw_ms,
                f"km within {drift:.3%} of the raw path (jump handling)"
                + f"; raw x{250 / vehicles:.0f} for 250 vehicles ~{raw_ms * 250 / vehicles / 1000:.0f} s",
            )
        )
    await engine.dispose()
    return rows


def main() -> None:
    admin = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    meters, meter_days = _env("BENCH_METERS", 400), _env("BENCH_METER_DAYS", 365)
    vehicles, vehicle_days = _env("BENCH_VEHICLES", 25), _env("BENCH_VEHICLE_DAYS", 31)
    repeat = _env("BENCH_REPEAT", 3)
    name = f"houqin_bench_q_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(libpq_url(admin), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = with_database(libpq_url(admin), name)
    try:
        run_migrations("telemetry_ingest", url)
        print(
            f"generating {meters} meters x {meter_days} days of 15-min readings and {vehicles} vehicles x "
            f"{vehicle_days} days of 10-s positions (server-side generate_series) ...",
            flush=True,
        )
        fig = generate(url, meters, meter_days, vehicles, vehicle_days)
        print(
            f"  {fig['readings']:,.0f} readings in {fig['readings_s']:.0f} s, {fig['positions']:,.0f} positions "
            f"in {fig['positions_s']:.0f} s, VACUUM ANALYZE {fig['analyze_s']:.0f} s, database {fig['db_mb']:,.0f} MB"
        )
        rows = asyncio.run(run_queries(url, repeat, vehicles, vehicle_days))
        print(f"\n{'query':<66} {'ours ms':>9}   {'baseline':<40} {'ms':>9}  note")
        for label, ours, base_label, base, note in rows:
            b = "" if base != base else f"{base:9.0f}"
            print(f"{label:<66} {ours:9.1f}   {base_label:<40} {b:>9}  {note}")
    finally:
        if os.environ.get("BENCH_KEEP") != "1":
            with psycopg.connect(libpq_url(admin), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
