"""Analytics query benchmark: 15-minute readings of meters over a year and 10-second positions of
vehicles over a week, generated server-side into a throw-away database (the insert triggers fill the
invalidation log as for any write), one analytics-worker refresh and the worker's VACUUM ANALYZE after a
bulk pass, then every energy, fleet, KPI, cost, tariff, payback, statistics, base-load, waste and vehicle
query (the tariffs and the investment they price are saved through the services first) timed (p95 over
``BENCH_REPEAT`` runs) and printed beside the raw-data answer of the same query, computed in the same run with
the rollups switched off, with "identical" checked (values rounded to 1e-6). A raw baseline slower than 2 s is
run once.

Full size is the issue's (400 meters x 365 days, 250 vehicles x 7 days: 14.0 M readings, 15.1 M
positions); on a shared 2-core box it takes a long time to build, so the size is an option.

Environment: ``BENCH_DATABASE_URL`` (server, default postgresql://postgres@127.0.0.1:5432/postgres),
``BENCH_METERS`` (400), ``BENCH_METER_DAYS`` (365), ``BENCH_VEHICLES`` (250), ``BENCH_VEHICLE_DAYS`` (7),
``BENCH_REPEAT`` (20), ``BENCH_KEEP`` (1 keeps the database), ``BENCH_DATABASE_NAME`` (reuse this database:
created and generated only when it holds no readings yet, migrated to the newest revision on every run (a
migration that adds a rollup logs the days to fill, the refresh below fills them), and always kept, so query
work can be iterated without regenerating 29 M rows; the worker refresh still runs and only has work if
something is pending), ``BENCH_REFRESH`` (0 skips the worker refresh and the evaluator day on a reused database),
``BENCH_ONLY`` (comma-separated substrings, matched case-insensitively against the query labels: only those
queries are timed, e.g. ``BENCH_ONLY=statistics,daily CNY per meter``; unset times every query).
"""

from __future__ import annotations

import asyncio
import gc
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
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


def _only() -> list[str]:
    """The ``BENCH_ONLY`` substrings (lower case); empty: every query."""
    return [s.strip().lower() for s in os.environ.get("BENCH_ONLY", "").split(",") if s.strip()]


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


async def timed(fn: Callable[[], Awaitable[Any]], repeat: int, *, slow_ms: float | None = None) -> tuple[float, Any]:
    """p95 wall time in ms over ``repeat`` runs (after one warm-up), and the last result. With ``slow_ms``, a
    warm-up slower than that is the only sample: a raw baseline over a year of readings takes minutes, and
    repeating it would only lengthen the run (it is the reference, not the figure under test)."""
    t0 = time.perf_counter()
    result = await fn()
    first = (time.perf_counter() - t0) * 1000
    if slow_ms is not None and first > slow_ms:
        return first, result
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = await fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return p95(samples), result


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
        for table in ("reading", "position", "meter", "vehicle", "touched_range"):
            conn.execute(f"VACUUM ANALYZE telemetry.{table}")
        figures["analyze_s"] = time.perf_counter() - t0
    return figures


async def run_queries(url: str, repeat: int, vehicles: int, vehicle_days: int) -> list[tuple[str, float, float, str]]:
    """(label, ours p95 ms, raw p95 ms, identical?) per query."""
    from oracles import fleet_per_fix
    from oracles.answers import rounded
    from telemetry_ingest.analytics.config import AnalyticsSettings
    from telemetry_ingest.energy import service as energy
    from telemetry_ingest.energy.repository import MeterFilter
    from telemetry_ingest.energy.schemas import Granularity, GroupBy
    from telemetry_ingest.fleet import geojson, repository
    from telemetry_ingest.fleet import service as fleet
    from telemetry_ingest.kpis import service as kpis
    from telemetry_ingest.statistics.config import AccountingSettings

    ours_cfg, raw_cfg = AnalyticsSettings(), AnalyticsSettings(use_rollup=False)
    engine = create_engine(url, pool_size=2)
    maker = make_sessionmaker(engine)
    out: list[tuple[str, float, float, str]] = []
    year_end = START + timedelta(days=365)
    month = (datetime(2025, 6, 1, tzinfo=TZ), datetime(2025, 7, 1, tzinfo=TZ))
    fleet_end = FLEET_START + timedelta(days=vehicle_days)
    gc.collect()
    gc.freeze()  # as every service does once it is up (houqin_common.app.frozen_startup_objects)

    only = _only()

    async def compare(label: str, query: Callable[[AsyncSession, AnalyticsSettings], Awaitable[Any]]) -> None:
        if only and not any(s in label.lower() for s in only):
            return
        async with maker() as session:
            ours, a = await timed(lambda: query(session, ours_cfg), repeat)
            raw, b = await timed(lambda: query(session, raw_cfg), max(1, min(repeat, 2)), slow_ms=2000)
        same = "identical" if rounded(a) == rounded(b) else "DIFFERENT"
        out.append((label, ours, raw, same))
        print(f"  {label:<62} {ours:9.1f} {raw:10.1f}  {same}", flush=True)

    def consumption(gran: Granularity, group: GroupBy, flt: MeterFilter, start: datetime, end: datetime) -> Any:
        async def q(session: AsyncSession, cfg: AnalyticsSettings) -> Any:
            return await energy.consumption(
                session, settings=cfg, flt=flt, start=start, end=end, granularity=gran, group_by=group
            )

        return q

    print(f"\n  {'query (service call behind the endpoint)':<62} {'ours p95':>9} {'raw p95':>10}  answer", flush=True)
    everything = MeterFilter()
    await compare(
        "monthly kWh by building, all meters, 1 year",
        consumption(Granularity.month, GroupBy.building, everything, START, year_end),
    )
    await compare(
        "hourly kWh per meter, 1 building, 1 month",
        consumption(Granularity.hour, GroupBy.meter, MeterFilter(building="B1"), *month),
    )

    async def hourly_series(session: AsyncSession, cfg: AnalyticsSettings) -> Any:
        return await energy.consumption_series(
            session,
            settings=cfg,
            flt=MeterFilter(building="B1"),
            start=month[0],
            end=month[1],
            granularity=Granularity.hour,
            group_by=GroupBy.meter,
        )

    await compare("  the same, layout=series (40 series of 720 hours)", hourly_series)
    await compare(
        "daily kWh, 1 meter, 1 year",
        consumption(Granularity.day, GroupBy.total, MeterFilter(meter_ids=["bm0001"]), START, year_end),
    )
    await compare(
        "daily kWh by sub-item (HVAC tree), 1 month",
        consumption(Granularity.day, GroupBy.sub_item, MeterFilter(sub_item="01B00"), *month),
    )

    async def top(session: AsyncSession, cfg: AnalyticsSettings) -> Any:
        return await energy.top_consumers(
            session, settings=cfg, flt=everything, start=month[0], end=month[1], group_by=GroupBy.meter, limit=10
        )

    await compare("top 10 meters, all meters, 1 month", top)

    async def yoy(session: AsyncSession, cfg: AnalyticsSettings) -> Any:
        return await energy.year_on_year(
            session,
            settings=cfg,
            cfg=AccountingSettings(),
            flt=everything,
            start=month[0],
            end=month[1],
            group_by=GroupBy.building,
        )

    await compare("year-on-year by building, 1 month", yoy)

    async def energy_kpi(session: AsyncSession, cfg: AnalyticsSettings) -> Any:
        kpi, _compared = await kpis.energy_kpi(
            session, settings=cfg, cfg=AccountingSettings(), vendor_id="bench-vendor-1", period="2025", now=year_end
        )
        return kpi

    await compare("GET /v1/kpis/energy, 1 vendor (40 meters), year + previous", energy_kpi)

    async def latest(session: AsyncSession, cfg: AnalyticsSettings) -> Any:
        rows = await repository.latest_positions(session, vendor_id=None)
        return geojson.position_collection(rows, now=fleet_end, offline_after_min=cfg.offline_after_min)

    await compare(f"latest position of {vehicles} vehicles", latest)
    day = (FLEET_START, FLEET_START + timedelta(days=1))

    # track and segments: ours is the column path, raw the per-fix reference over Fix objects
    def one_vehicle_day(cfg: AnalyticsSettings) -> dict[str, Any]:
        return {
            "settings": cfg,
            "vehicle_id": "bv001",
            "vendor_id": None,
            "start": day[0],
            "end": day[1],
        }

    async def track(session: AsyncSession, cfg: AnalyticsSettings) -> Any:
        how = fleet if cfg.use_rollup else fleet_per_fix
        return await how.track(session, simplify_m=10, **one_vehicle_day(cfg))

    await compare("track of 1 vehicle, 1 day (8 640 fixes), simplified 10 m", track)

    async def segments(session: AsyncSession, cfg: AnalyticsSettings) -> Any:
        how = fleet if cfg.use_rollup else fleet_per_fix
        return await how.segments(session, **one_vehicle_day(cfg))

    await compare("trips and stops of 1 vehicle, 1 day", segments)

    async def distance(session: AsyncSession, cfg: AnalyticsSettings) -> Any:
        return await fleet.distance(
            session, settings=cfg, start=FLEET_START, end=fleet_end, unit="day", vehicle_id=None, vendor_id=None
        )

    await compare(f"daily km of {vehicles} vehicles x {vehicle_days} days", distance)

    async def vehicle_kpi(session: AsyncSession, cfg: AnalyticsSettings) -> Any:
        return await kpis.vehicle_kpis(session, settings=cfg, period="2025-03", vendor_id=None, group_by="vendor")

    await compare(f"GET /v1/kpis/vehicles, {vehicles} vehicles, 1 month", vehicle_kpi)

    async def alerts(session: AsyncSession, cfg: AnalyticsSettings) -> Any:
        rows, total = await repository.list_alerts(
            session, filters={"start": FLEET_START, "end": fleet_end}, order=text("started_at DESC"), limit=50, offset=0
        )
        return [r.id for r in rows], total

    await compare("GET /v1/alerts, newest 50 of the week", alerts)
    await cost_queries(compare, vehicles, vehicle_days)
    await engine.dispose()
    return out


TARIFFS = [
    {
        "id": "bench-tou-2024",
        "name": "bench time-of-use (whole-hour windows)",
        "energy_type": "01000",
        "effective_from": "2024-01-01",
        "prices": {"critical": "1.2836", "peak": "1.0697", "flat": "0.6685", "valley": "0.2674"},
        "windows": [
            {"start": "00:00", "end": "08:00", "period": "valley"},
            {"start": "08:00", "end": "11:00", "period": "peak"},
            {"start": "17:00", "end": "22:00", "period": "peak"},
            {"start": "14:00", "end": "15:00", "period": "critical", "months": [7, 8]},
        ],
    },
    {
        # a building's own version from mid-June, with a window edge off the hour (07:30)
        "id": "bench-b3-2025",
        "name": "bench building B3 (07:30 edge)",
        "energy_type": "01000",
        "scope": "building",
        "scope_id": "B3",
        "effective_from": "2025-06-15",
        "prices": {"peak": "1.12", "flat": "0.70", "valley": "0.29"},
        "windows": [
            {"start": "22:30", "end": "07:30", "period": "valley"},
            {"start": "08:00", "end": "11:30", "period": "peak"},
        ],
    },
]
INVESTMENT = {"name": "bench monitoring system", "cost_cny": "800000.00", "start_date": "2025-07-01", "building": "B1"}


async def fixtures(url: str) -> str:
    """The tariffs and the investment the cost queries price (saved through the services, so the tariff saves
    log the meter-days they reprice, as in production); the investment's id."""
    from telemetry_ingest.statistics import service as statistics
    from telemetry_ingest.statistics.schemas import InvestmentIn
    from telemetry_ingest.tariffs import service as tariffs
    from telemetry_ingest.tariffs.schemas import TariffCreate

    engine = create_engine(url, pool_size=1)
    maker = make_sessionmaker(engine)
    async with maker() as session, session.begin():
        existing = {t.id for t in await tariffs.list_tariffs(session, energy_type=None)}
        for t in TARIFFS:
            if t["id"] not in existing:
                await tariffs.save_tariff(session, tariff_in=TariffCreate.model_validate(t))
        found = [i for i in await statistics.list_investments(session) if i.name == INVESTMENT["name"]]
        inv = (
            found[0]
            if found
            else await statistics.create_investment(session, investment_in=InvestmentIn.model_validate(INVESTMENT))
        )
    await engine.dispose()
    return inv.id


async def cost_queries(compare: Callable[..., Awaitable[None]], vehicles: int, vehicle_days: int) -> None:
    """Cost, tariff, payback, statistics, base-load, waste and the remaining vehicle endpoints (issue 22)."""
    from telemetry_ingest.analytics.config import AnalyticsSettings
    from telemetry_ingest.energy import service as energy
    from telemetry_ingest.energy import waste_evaluation
    from telemetry_ingest.energy.repository import MeterFilter
    from telemetry_ingest.fleet import exports
    from telemetry_ingest.fleet import service as fleet
    from telemetry_ingest.kpis import service as kpis
    from telemetry_ingest.statistics import service as statistics
    from telemetry_ingest.statistics.config import AccountingSettings
    from telemetry_ingest.tariffs import service as tariffs

    year = (START, START + timedelta(days=365))
    month = (datetime(2025, 6, 1, tzinfo=TZ), datetime(2025, 7, 1, tzinfo=TZ))
    everything, b1 = MeterFilter(), MeterFilter(building="B1")

    def cost(gran: str, group: str, flt: MeterFilter, start: datetime, end: datetime) -> Any:
        async def q(session: AsyncSession, cfg: AnalyticsSettings) -> Any:
            return await tariffs.consumption(
                session, settings=cfg, flt=flt, start=start, end=end, granularity=gran, group_by=group
            )

        return q

    await compare(
        "measure=cost: monthly CNY by building, all meters, 1 year", cost("month", "building", everything, *year)
    )
    await compare("measure=cost: daily CNY per meter, all meters, 1 month", cost("day", "meter", everything, *month))
    await compare(
        "measure=cost: daily CNY, 1 meter, 1 year", cost("day", "total", MeterFilter(meter_ids=["bm0003"]), *year)
    )
    await compare(
        "measure=cost: hourly CNY (tariff-priced series), 1 building, 1 day",
        cost("hour", "total", b1, month[0], month[0] + timedelta(days=1)),
    )

    async def cost_top(session: AsyncSession, cfg: AnalyticsSettings) -> Any:
        return await tariffs.top_consumers(
            session, settings=cfg, flt=everything, start=month[0], end=month[1], group_by="meter", limit=10
        )

    await compare("measure=cost: top 10 meters by CNY, 1 month", cost_top)

    async def cost_yoy(session: AsyncSession, cfg: AnalyticsSettings) -> Any:
        return await tariffs.year_on_year(
            session,
            settings=cfg,
            flt=everything,
            start=month[0],
            end=month[1],
            previous_start=energy.year_earlier(month[0]),
            previous_end=energy.year_earlier(month[1]),
            group_by="building",
        )

    await compare("measure=cost: year-on-year by building, 1 month", cost_yoy)

    async def cost_savings(session: AsyncSession, cfg: AnalyticsSettings) -> Any:
        return await tariffs.savings(
            session,
            settings=cfg,
            flt=everything,
            baseline_start=date(2025, 1, 1),
            baseline_end=date(2025, 7, 1),
            start=date(2025, 7, 1),
            end=date(2026, 1, 1),
        )

    await compare("measure=cost: savings, H2 against H1 baseline, all meters", cost_savings)

    async def kpi_cost(session: AsyncSession, cfg: AnalyticsSettings) -> Any:
        kpi, cmp = await kpis.energy_kpi(
            session, settings=cfg, cfg=AccountingSettings(), vendor_id="bench-vendor-1", period="2025", now=year[1]
        )
        assert cmp is not None and kpi.period_end is not None
        return await tariffs.with_cost(
            session, settings=cfg, kpi=kpi, window=(year[0], kpi.period_end), pairs=cmp.pairs
        )

    await compare("GET /v1/kpis/energy?measure=cost, 1 vendor (40 meters), 2025", kpi_cost)

    async def stats(session: AsyncSession, cfg: AnalyticsSettings) -> Any:
        return await statistics.statistics(session, settings=cfg, cfg=AccountingSettings(), year=2025)

    await compare("GET /v1/energy/statistics?year=2025 (all meters)", stats)

    async def payback(session: AsyncSession, cfg: AnalyticsSettings) -> Any:
        found = [i for i in await statistics.list_investments(session) if i.name == INVESTMENT["name"]]
        return await statistics.payback(session, settings=cfg, investment_id=found[0].id, as_of=date(2026, 1, 1))

    await compare("GET /v1/energy/investments/{id}/payback (B1, 2025-07-01)", payback)

    def base_load(flt: MeterFilter, start: datetime, end: datetime) -> Any:
        async def q(session: AsyncSession, cfg: AnalyticsSettings) -> Any:
            return await energy.base_load(session, settings=cfg, flt=flt, start=start, end=end, calendar_id=None)

        return q

    await compare("GET /v1/energy/base-load, all meters, 1 year", base_load(everything, *year))
    await compare("GET /v1/energy/base-load, 1 building, 1 month", base_load(b1, *month))

    async def waste(session: AsyncSession, cfg: AnalyticsSettings) -> Any:
        try:
            found = await waste_evaluation.evaluate_waste(
                session, settings=cfg, flt=everything, start=month[0], end=month[1], calendar_id=None
            )
            return found.meters, found.waste_findings
        finally:
            await session.rollback()  # the alerts it raises are not kept (each run finds the same)

    await compare("POST /v1/energy/waste-alerts/evaluate, all meters, 1 month", waste)

    day = (FLEET_START, FLEET_START + timedelta(days=1))

    async def export(session: AsyncSession, cfg: AnalyticsSettings) -> Any:
        vday = await fleet.vehicle_day(
            session, settings=cfg, vehicle_id="bv001", vendor_id=None, start=day[0], end=day[1]
        )
        return exports.render(vday, exports.ExportFormat.gpx)

    await compare("GET /v1/fleet/vehicles/{id}/export?format=gpx, 1 day", export)

    async def positions_page(session: AsyncSession, cfg: AnalyticsSettings) -> Any:
        from houqin_common.pagination import PageParams
        from telemetry_ingest.devices import service as devices

        vehicle = await devices.get_vehicle(session, vehicle_id="bv001")
        rows, total = await devices.list_positions(
            session, PageParams(limit=100, offset=0, sort=None), vehicle=vehicle, since=day[0], until=day[1]
        )
        return [(r.ts, r.lat, r.lon, r.speed_kmh) for r in rows], total

    await compare("GET /v1/vehicles/{id}/positions, newest 100 of a day", positions_page)


async def refresh(url: str) -> dict[str, float]:
    """One analytics-worker pass over everything the generation wrote, and one evaluator day of the fleet."""
    from oracles import fleet_per_fix
    from telemetry_ingest.analytics.config import AnalyticsSettings
    from telemetry_ingest.fleet import repository
    from telemetry_ingest.fleet import service as fleet
    from telemetry_ingest.rollups import service as rollups
    from telemetry_ingest.tariffs import service as tariffs

    cfg = AnalyticsSettings()
    engine = create_engine(url, pool_size=1)
    maker = make_sessionmaker(engine)
    figures: dict[str, float] = {}
    async with maker() as session, session.begin():
        t0 = time.perf_counter()
        done = await rollups.refresh_energy(session, settings=cfg)
        figures["energy_refresh_s"], figures["meter_days"] = time.perf_counter() - t0, done.subject_days
    async with maker() as session, session.begin():
        t0 = time.perf_counter()
        costs = await tariffs.refresh_daily_costs(session, settings=cfg)
        figures["cost_refresh_s"], figures["cost_days"] = time.perf_counter() - t0, costs.subject_days
    async with maker() as session, session.begin():
        t0 = time.perf_counter()
        days = await rollups.refresh_vehicle_days(session, settings=cfg)
        figures["distance_refresh_s"], figures["vehicle_days"] = time.perf_counter() - t0, days.subject_days
    day = (FLEET_START, FLEET_START + timedelta(days=1))

    async def stored(session: AsyncSession) -> tuple[list[Any], list[Any]]:
        """The day's stored trips and alerts, to compare the two evaluators' results."""
        trips = await session.execute(
            text(
                "SELECT vehicle_id, start_at, end_at, distance_km, max_speed_kmh, start_lat, start_lon, end_lat,"
                " end_lon, request_id, violations FROM telemetry.trip WHERE start_at >= :s AND start_at < :e"
                " ORDER BY 1, 2"
            ),
            {"s": day[0], "e": day[1]},
        )
        alerts = await session.execute(
            text(
                "SELECT kind, subject_id, started_at, ended_at, severity, message, details, withdrawn_at IS NULL"
                " FROM telemetry.alert WHERE started_at >= :s AND started_at < :e ORDER BY 1, 2, 3"
            ),
            {"s": day[0], "e": day[1]},
        )
        return [tuple(r) for r in trips], [tuple(r) for r in alerts]

    async with maker() as session:
        # baseline: the evaluator as it was (per vehicle: one fixes query, Fix objects, the per-fix
        # reference rules, its own queries and inserts), rolled back
        t0 = time.perf_counter()
        base_trips = base_created = 0
        for vehicle in await repository.vehicles(session, vendor_id=None):
            t, c, _ = await fleet_per_fix.evaluate_vehicle_per_fix(
                session, settings=cfg, vehicle=vehicle, start=day[0], end=day[1], now=None
            )
            base_trips, base_created = base_trips + t, base_created + c
        figures["evaluator_day_base_s"] = time.perf_counter() - t0
        figures["base_trips"], figures["base_alerts"] = base_trips, base_created
        base_stored = await stored(session)
        await session.rollback()
    async with maker() as session, session.begin():
        t0 = time.perf_counter()
        ev = await fleet.evaluate(
            session,
            settings=cfg,
            start=FLEET_START,
            end=FLEET_START + timedelta(days=1),
            vehicle_id=None,
            vendor_id=None,
            now=None,
        )
        figures["evaluator_day_s"], figures["evaluated_vehicles"], figures["trips"] = (
            time.perf_counter() - t0,
            ev.vehicles,
            ev.trips,
        )
        figures["alerts"] = ev.alerts_created
        ours_stored = await stored(session)
    same = ours_stored == base_stored and (ev.trips, ev.alerts_created) == (base_trips, base_created)
    figures["evaluator_identical"] = float(same)
    ratio = figures["evaluator_day_base_s"] / figures["evaluator_day_s"]
    print(
        f"  evaluator, 1 day of {ev.vehicles} vehicles: columns {figures['evaluator_day_s']:.2f} s vs per-fix "
        f"baseline {figures['evaluator_day_base_s']:.2f} s (x{ratio:.1f});"
        f" {len(ours_stored[0])} trips, {len(ours_stored[1])} alerts stored; "
        f"{'identical' if same else 'DIFFERENT'} (every stored trip and alert compared)",
        flush=True,
    )
    async with maker() as session:
        pending = await session.scalar(text("SELECT count(*) FROM telemetry.touched_range"))
        figures["pending_after"] = float(pending or 0)
    await engine.dispose()
    return figures


async def vacuum(url: str) -> None:
    """The analytics worker's VACUUM ANALYZE after a pass over a bulk load (``vacuum_after_touched``): the pass
    deleted every row of the invalidation log and wrote millions of rollup rows the planner has no statistics
    for (autovacuum would do it too, but it is off on the shared dev server). ``refresh()`` calls the refresh
    functions, not the worker's pass, so the bench runs this step itself."""
    from telemetry_ingest.rollups import service as rollups

    engine = create_engine(url, pool_size=1)
    async with engine.connect() as conn:
        await rollups.vacuum(await conn.execution_options(isolation_level="AUTOCOMMIT"))
    await engine.dispose()


def _loadavg() -> str:
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def _prepare(admin: str, name: str) -> bool:
    """Create and migrate the database unless it exists; True when it already holds generated readings."""
    with psycopg.connect(libpq_url(admin), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is not None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    url = with_database(libpq_url(admin), name)
    run_migrations("telemetry_ingest", url)
    if not exists:
        return False
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        row = conn.execute("SELECT EXISTS (SELECT 1 FROM telemetry.reading WHERE left(meter_id, 2) = 'bm')").fetchone()
    return bool(row and row[0])


def main() -> None:
    admin = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    meters, meter_days = _env("BENCH_METERS", 400), _env("BENCH_METER_DAYS", 365)
    vehicles, vehicle_days = _env("BENCH_VEHICLES", 250), _env("BENCH_VEHICLE_DAYS", 7)
    repeat = _env("BENCH_REPEAT", 20)
    reuse = os.environ.get("BENCH_DATABASE_NAME")
    name = reuse or f"houqin_bench_q_{uuid.uuid4().hex[:8]}"
    url = with_database(libpq_url(admin), name)
    try:
        generated = _prepare(admin, name)
        if generated:
            with psycopg.connect(libpq_url(url)) as conn:
                counts = conn.execute(
                    "SELECT (SELECT count(*) FROM telemetry.reading), (SELECT count(*) FROM telemetry.position),"
                    " (SELECT count(*) FROM telemetry.meter), (SELECT count(*) FROM telemetry.vehicle),"
                    " (SELECT ceil(extract(epoch FROM max(ts) - min(ts)) / 86400) FROM telemetry.position)"
                ).fetchone()
            assert counts is not None
            vehicles, vehicle_days = int(counts[3]), int(counts[4] or 0)
            print(
                f"reusing database {name}: {counts[0]:,} readings of {counts[2]} meters, {counts[1]:,} positions of "
                f"{counts[3]} vehicles (generation skipped; BENCH_METERS/BENCH_*_DAYS ignored)",
                flush=True,
            )
        else:
            print(
                f"generating {meters} meters x {meter_days} days of 15-min readings and {vehicles} vehicles x "
                f"{vehicle_days} days of 10-s positions into {name} (server-side generate_series, insert triggers on)"
                " ...",
                flush=True,
            )
            fig = generate(url, meters, meter_days, vehicles, vehicle_days)
            print(
                f"  {fig['readings']:,.0f} readings in {fig['readings_s']:.0f} s, {fig['positions']:,.0f} positions "
                f"in {fig['positions_s']:.0f} s, VACUUM ANALYZE {fig['analyze_s']:.0f} s",
                flush=True,
            )
        asyncio.run(fixtures(url))
        if not generated or os.environ.get("BENCH_REFRESH", "1") != "0":
            ref = asyncio.run(refresh(url))  # prints the evaluator line itself
            print(
                f"  worker refresh: {ref['meter_days']:,.0f} meter-days rolled up (hour/day/month) in "
                f"{ref['energy_refresh_s']:.1f} s, {ref['cost_days']:,.0f} meter-days priced into the daily cost rollup"
                f" in {ref['cost_refresh_s']:.1f} s, {ref['vehicle_days']:,.0f} vehicle-days of distance in "
                f"{ref['distance_refresh_s']:.1f} s; pending ranges left: {ref['pending_after']:.0f}",
                flush=True,
            )
        t0 = time.perf_counter()
        asyncio.run(vacuum(url))
        print(
            f"  VACUUM ANALYZE of the invalidation log and the rollups after the pass (as the worker does after a bulk"
            f" load): {time.perf_counter() - t0:.1f} s\n  load average: {_loadavg()}",
            flush=True,
        )
        rows = asyncio.run(run_queries(url, repeat, vehicles, vehicle_days))
        slow = [r[0] for r in rows if r[1] >= 100]
        different = [r[0] for r in rows if r[3] != "identical"]
        print(f"\n  queries >= 100 ms p95: {slow or 'none'}; answers different from raw: {different or 'none'}")
        print(f"  load average: {_loadavg()}; {datetime.now(UTC):%Y-%m-%d %H:%M} UTC", flush=True)
    finally:
        if not reuse and os.environ.get("BENCH_KEEP") != "1":
            with psycopg.connect(libpq_url(admin), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
