"""Demo data of telemetry-ingest for `make seed`: the energy accounting of the Administrative Center.

Three years (2024-2026) of hourly electricity and daily water and gas readings of two buildings, the example
tariff set, floor areas, headcounts, goals and the energy monitoring system (800 000 yuan, in service from
2025-01-01), so that `GET /v1/energy/statistics?year=2025` shows the yuan saved year on year and
`GET /v1/energy/investments/monitoring-system/payback` its payback. Consumption falls about 12 % in 2025 and
again in 2026 (DOMAIN.md: over 12 % a year). Idempotent: rows are upserted and readings loaded once.
"""

from __future__ import annotations

import math
import random
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from houqin_common.db import create_engine, make_sessionmaker
from houqin_common.demo import vendor_for_project
from telemetry_ingest.models import Meter
from telemetry_ingest.models.accounting import BuildingArea, EnergyGoal, Headcount, Investment
from telemetry_ingest.tariffs import service as tariff_service
from telemetry_ingest.tariffs.examples import EXAMPLE_TARIFFS

TZ = ZoneInfo("Asia/Shanghai")
FIRST, AFTER = date(2024, 1, 1), date(2026, 12, 1)
#: consumption of each year against 2024 (the monitoring system starts in 2025)
YEAR_FACTOR = {2024: 1.0, 2025: 0.875, 2026: 0.77}
#: meter id -> (name, building, energy type, sub-item, unit, working-hours kW or units per day)
METERS = {
    "demo-A-elec": ("A座总表", "A座", "01000", None, "kWh", 620.0),
    "demo-B-elec": ("B座总表", "B座", "01000", None, "kWh", 340.0),
    "demo-A-water": ("A座给水总表", "A座", "02000", None, "m³", 95.0),
    "demo-A-gas": ("食堂燃气表", "A座", "03000", None, "m³", 160.0),
}
AREAS = {"A座": Decimal("32000"), "B座": Decimal("18500")}
HEADCOUNTS = {2024: 1180, 2025: 1200, 2026: 1210}
GOALS = (  # the five-year plan's yearly share: per capita and per m² down 2 %, water per capita down 1 %
    ("energy_per_capita_kgce", 2025, Decimal("0.02")),
    ("energy_per_m2_kgce", 2025, Decimal("0.02")),
    ("water_per_capita_m3", 2025, Decimal("0.01")),
    ("energy_per_capita_kgce", 2026, Decimal("0.02")),
    ("energy_per_m2_kgce", 2026, Decimal("0.02")),
    ("water_per_capita_m3", 2026, Decimal("0.01")),
)


def _electric_kw(ts: datetime, peak_kw: float, rng: random.Random) -> float:
    """Office load: working hours on weekdays, a base load at night and on weekends, more in summer."""
    working = ts.weekday() < 5 and 8 <= ts.hour < 18
    season = 1.0 + 0.25 * math.cos((ts.timetuple().tm_yday - 200) / 365 * 2 * math.pi)
    load = peak_kw * (1.0 if working else 0.3) * season
    return load * YEAR_FACTOR[ts.year] * (0.95 + 0.1 * rng.random())


def series(meter_id: str) -> list[tuple[datetime, float]]:
    """Register values: hourly for electricity, daily for water and gas (deterministic per meter)."""
    _name, _building, code, _sub, _unit, size = METERS[meter_id]
    rng = random.Random(meter_id)
    step = timedelta(hours=1) if code == "01000" else timedelta(days=1)
    ts, end, value = (
        datetime.combine(FIRST, datetime.min.time(), TZ),
        datetime.combine(AFTER, datetime.min.time(), TZ),
        0.0,
    )
    rows = []
    while ts <= end:
        rows.append((ts, round(value, 3)))
        if code == "01000":
            value += _electric_kw(ts, size, rng)
        else:
            workday = 1.0 if ts.weekday() < 5 else 0.35
            value += size * workday * YEAR_FACTOR[ts.year] * (0.95 + 0.1 * rng.random())
        ts += step
    return rows


async def _readings(session: AsyncSession, meter_id: str) -> None:
    loaded = await session.scalar(text("SELECT 1 FROM telemetry.reading WHERE meter_id = :m LIMIT 1"), {"m": meter_id})
    if loaded:
        return
    rows = series(meter_id)
    await session.execute(
        text(
            "INSERT INTO telemetry.reading (meter_id, ts, energy_kwh) SELECT :m, t.ts, t.v"
            " FROM unnest(CAST(:ts AS timestamptz[]), CAST(:v AS float8[])) AS t(ts, v) ON CONFLICT DO NOTHING"
        ),
        {"m": meter_id, "ts": [r[0] for r in rows], "v": [r[1] for r in rows]},
    )


async def load(session: AsyncSession) -> None:
    vendor = vendor_for_project("maintenance").id
    for mid, (name, building, code, sub, unit, _size) in METERS.items():
        await session.execute(
            insert(Meter)
            .values(id=mid, name=name, building=building, energy_type=code, sub_item=sub, unit=unit, vendor_id=vendor)
            .on_conflict_do_nothing()
        )
    await session.flush()
    for mid in METERS:
        await _readings(session, mid)
    for tariff in EXAMPLE_TARIFFS:
        await tariff_service.save_tariff(session, tariff_in=tariff)
    for building, area in AREAS.items():
        await session.execute(
            insert(BuildingArea)
            .values(building=building, valid_from=date(2020, 1, 1), floor_area_m2=area, note="演示数据")
            .on_conflict_do_nothing()
        )
    for year, people in HEADCOUNTS.items():
        await session.execute(insert(Headcount).values(year=year, headcount=people).on_conflict_do_nothing())
    for indicator, year, reduction in GOALS:
        await session.execute(
            insert(EnergyGoal)
            .values(indicator=indicator, year=year, min_reduction=reduction, note="演示数据：五年规划目标分解")
            .on_conflict_do_nothing()
        )
    if await session.get(Investment, "monitoring-system") is None:
        session.add(
            Investment(
                id="monitoring-system",
                name="能耗监测系统",
                cost_cny=Decimal("800000.00"),
                start_date=date(2025, 1, 1),
                note="演示数据：能耗监测系统（约 80 万元）",
            )
        )


async def seed(database_url: str) -> None:
    """Load the demo energy accounting (once), then the demo telemetry history (idempotent)."""
    from telemetry_ingest.simulator import seed as history

    engine = create_engine(database_url, pool_size=2)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            await load(session)
    finally:
        await engine.dispose()
    await history.seed(database_url)
