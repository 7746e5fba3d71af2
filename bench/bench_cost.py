"""Cost benchmark (issue 16): pricing a year of 15-minute readings under the example time-of-use tariff.

Ours: whole-day buckets (statistics, payback, KPI, `?measure=cost` by day/month) let the SQL pre-sum the
intervals of each meter, local day and price slot, and Python splits only the intervals crossing a window
edge. Baseline, same run: every interval priced in Python (what hour/15-minute buckets do). The kWh total of
the same window (the existing energy query) is shown as the floor: what the readings cost to read at all.

Environment: ``BENCH_DATABASE_URL`` (server), ``BENCH_COST_METERS`` (20), ``BENCH_COST_DAYS`` (365),
``BENCH_COST_OFFSET_MIN`` (5: readings at :05/:20/:35/:50 so that intervals straddle the edges; 0 aligns them),
``BENCH_KEEP`` (1 keeps the database).
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

from houqin_common.db import create_engine, libpq_url, make_sessionmaker, run_migrations, with_database

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2025, 1, 1, tzinfo=TZ)


def _env(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def generate(url: str, meters: int, days: int, offset_min: int) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO telemetry.meter (id, name, building, energy_type) SELECT 'cm' || i, 'cost meter ' || i,"
            " 'B' || (i %% 3), '01000' FROM generate_series(1, %s) i",
            (meters,),
        )
        first = START + timedelta(minutes=offset_min)
        conn.execute(
            "INSERT INTO telemetry.reading (meter_id, ts, energy_kwh) SELECT m.id, g.ts,"
            " extract(epoch FROM g.ts - %s) / 900.0 * (1 + mod(abs(hashtext(m.id)), 7))"
            " FROM telemetry.meter m CROSS JOIN generate_series(%s, %s, interval '15 minutes') g(ts)",
            (first, first, first + timedelta(days=days)),
        )
        conn.execute("VACUUM ANALYZE telemetry.reading")
        row = conn.execute("SELECT count(*) FROM telemetry.reading").fetchone()
        return int(row[0]) if row else 0


async def timed(fn: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = await fn()
    return time.perf_counter() - started, result


async def run(url: str, days: int) -> list[tuple[str, float, str]]:
    from telemetry_ingest.analytics.config import AnalyticsSettings
    from telemetry_ingest.energy import service as energy_service
    from telemetry_ingest.energy.repository import MeterFilter
    from telemetry_ingest.tariffs import service as tariff_service
    from telemetry_ingest.tariffs.arithmetic import yuan
    from telemetry_ingest.tariffs.examples import EXAMPLE_TARIFFS

    settings = AnalyticsSettings(use_rollup=False)
    start, end = START, START + timedelta(days=days)
    engine = create_engine(url, pool_size=2)
    out = []
    try:
        async with make_sessionmaker(engine)() as session:
            for tariff in EXAMPLE_TARIFFS:
                await tariff_service.save_tariff(session, tariff_in=tariff)
            await session.commit()
            kwh_s, kwh = await timed(
                lambda: energy_service.totals(
                    session, settings=settings, flt=MeterFilter(), start=start, end=end, group_by="total"
                )
            )
            ours_s, ours = await timed(
                lambda: tariff_service.price(session, settings=settings, flt=MeterFilter(), start=start, end=end)
            )
            base_s, base = await timed(
                lambda: tariff_service.price(
                    session, settings=settings, flt=MeterFilter(), start=start, end=end, granularity="hour"
                )
            )
            same = yuan(ours.total.total_cost) == yuan(base.total.total_cost)
            out.append(("kWh total (energy query, the floor)", kwh_s, f"{sum(kwh.values()):,.0f} kWh"))
            out.append(("cost, slots pre-summed in SQL (ours)", ours_s, f"{yuan(ours.total.total_cost):,} CNY"))
            out.append(("cost, every interval in Python (baseline)", base_s, f"equal to the fen: {same}"))
    finally:
        await engine.dispose()
    return out


def main() -> None:
    admin = os.environ.get("BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    meters, days, offset = _env("BENCH_COST_METERS", 20), _env("BENCH_COST_DAYS", 365), _env("BENCH_COST_OFFSET_MIN", 5)
    name = f"houqin_bench_cost_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(libpq_url(admin), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = with_database(libpq_url(admin), name)
    try:
        run_migrations("telemetry_ingest", url)
        readings = generate(url, meters, days, offset)
        print(f"{meters} meters x {days} days of 15-min readings (offset {offset} min): {readings:,} readings")
        for label, seconds, note in asyncio.run(run(url, days)):
            per_meter_year = seconds / meters * 365 / days
            print(f"  {label:<46} {seconds:8.2f} s  ({per_meter_year * 400:7.0f} s for 400 meters)  {note}")
    finally:
        if os.environ.get("BENCH_KEEP") != "1":
            with psycopg.connect(libpq_url(admin), autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
