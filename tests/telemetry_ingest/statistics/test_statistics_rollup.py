"""The yearly statistics and the cost rows from the cost rollups answer exactly like the raw readings (own
database: the invalidation log is global). The like-for-like pairing reads whole months from the monthly cost
rollup and pairs only the partly reported months day by day: the meters here have gaps, start and end mid-month,
and the years around a leap year (29 February has no pair; February 2040 and 2041 differ in length). A late
reading on a past day adds a meter-day; the monthly rows count it once the worker has repriced it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from houqin_common.db import libpq_url
from oracles.answers import rounded
from oracles.energy_synthetic import register
from telemetry_ingest.analytics.config import AnalyticsSettings
from telemetry_ingest.energy.repository import MeterFilter
from telemetry_ingest.statistics import service as statistics
from telemetry_ingest.statistics.config import AccountingSettings
from telemetry_ingest.tariffs import service as tariffs
from telemetry_ingest.tariffs.schemas import TariffCreate

TZ = ZoneInfo("Asia/Shanghai")
RAW = AnalyticsSettings(use_rollup=False)
ROLLED = AnalyticsSettings(use_rollup=True)
FIRST, LAST = datetime(2039, 1, 1, tzinfo=TZ), datetime(2042, 1, 1, tzinfo=TZ)
STEP = timedelta(hours=8)


def _at(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, tzinfo=TZ)


#: meter -> (energy type, first reading, last reading, gaps without readings (open intervals))
METERS: dict[str, tuple[str, datetime, datetime, list[tuple[datetime, datetime]]]] = {
    "A": ("01000", FIRST, LAST, []),
    # gaps: July 2040 (the previous year of 2041) and March 2041 partly reported
    "B": ("01000", FIRST, LAST, [(_at(2040, 7, 10), _at(2040, 7, 15)), (_at(2041, 3, 5), _at(2041, 3, 12))]),
    "C": ("01000", _at(2040, 5, 17) + timedelta(hours=8), LAST, []),  # added mid-May 2040
    "D": ("02000", FIRST, _at(2041, 9, 20), []),  # water, removed in September 2041
    "G": ("03000", FIRST, LAST, []),  # gas: no tariff prices it (unpriced quantity)
}


@pytest.fixture
def seeded(fresh_database_url: str) -> Iterator[str]:
    with psycopg.connect(libpq_url(fresh_database_url), autocommit=True) as conn:
        for n, (mid, (code, first, last, gaps)) in enumerate(METERS.items()):
            conn.execute(
                "INSERT INTO telemetry.meter (id, name, building, energy_type) VALUES (%s, %s, %s, %s)",
                (mid, mid, "B1" if n % 2 else "B2", code),
            )
            rows = [
                (ts, v)
                for ts, v in register(first, last, STEP, lambda ts, n=n: 2.0 + n + (ts.hour % 7) + (ts.month % 4))
                if not any(a < ts < b for a, b in gaps)
            ]
            with conn.cursor() as cur, cur.copy("COPY telemetry.reading (meter_id, ts, energy_kwh) FROM STDIN") as cp:
                for ts, v in rows:
                    cp.write_row((mid, ts, v))
    yield fresh_database_url


def _tariff(tid: str, code: str, prices: dict[str, str], windows: list[dict[str, str]]) -> TariffCreate:
    return TariffCreate.model_validate(
        {
            "id": tid,
            "name": tid,
            "energy_type": code,
            "effective_from": "2030-01-01",
            "unit": "kWh" if code == "01000" else "m³",
            "prices": prices,
            "windows": windows,
        }
    )


async def _stats(session: AsyncSession, settings: AnalyticsSettings, year: int) -> Any:
    return await statistics.statistics(session, settings=settings, cfg=AccountingSettings(), year=year)


async def _costs(session: AsyncSession, settings: AnalyticsSettings) -> list[Any]:
    """Cost rows of whole local days (the shapes the cost rollup answers in SQL): days per meter over the gap's
    month and over parts of three months, months per building over 2041 and over a window that does not start
    on the 1st."""
    out = []
    for gran, group, start, end in (
        ("day", "meter", _at(2041, 3, 1), _at(2041, 4, 1)),
        ("day", "meter", _at(2040, 2, 20), _at(2040, 5, 20)),  # 29 February, C's first day, partial months
        ("month", "building", _at(2041, 1, 1), _at(2042, 1, 1)),
        ("month", "energy_type", _at(2040, 2, 10), _at(2040, 7, 1)),
    ):
        out.append(
            await tariffs.consumption(
                session, settings=settings, flt=MeterFilter(), start=start, end=end, granularity=gran, group_by=group
            )
        )
    return out


async def _monthly_days_match(session: AsyncSession) -> bool:
    """Every monthly cost row counts the meter-days of its month in the daily cost rollup."""
    wrong = await session.scalar(
        text(
            "SELECT count(*) FROM telemetry.energy_monthly_cost e LEFT JOIN ("
            " SELECT meter_id, CAST(date_trunc('month', day) AS date) AS month, count(DISTINCT day) AS n"
            " FROM telemetry.energy_daily_cost GROUP BY 1, 2) d ON d.meter_id = e.meter_id AND d.month = e.month"
            " WHERE d.n IS DISTINCT FROM e.days"
        )
    )
    return wrong == 0


async def _month_days(session: AsyncSession, meter: str, month: date) -> int:
    """Meter-days of a meter-month in the monthly cost rollup."""
    days = await session.scalar(
        text("SELECT max(days) FROM telemetry.energy_monthly_cost WHERE meter_id = :meter AND month = :m"),
        {"meter": meter, "m": month},
    )
    return int(days or 0)


async def _covered(session: AsyncSession) -> bool:
    return await tariffs.covered(session, settings=ROLLED, flt=MeterFilter(), start=_at(2039, 1, 1), end=LAST)


async def test_statistics_and_cost_rows_from_the_rollups_answer_like_the_raw_readings(session: AsyncSession) -> None:
    await tariffs.save_tariff(
        session,
        tariff_in=_tariff(
            "e",
            "01000",
            {"peak": "1.07", "flat": "0.65", "valley": "0.27"},
            [
                {"start": "23:00", "end": "07:00", "period": "valley"},
                {"start": "08:00", "end": "11:00", "period": "peak"},
            ],
        ),
    )
    await tariffs.save_tariff(session, tariff_in=_tariff("w", "02000", {"single": "4.90"}, []))
    years = (2040, 2041)
    raw = {y: rounded(await _stats(session, RAW, y)) for y in years}
    raw_costs = rounded(await _costs(session, RAW))
    for y in years:
        compared = raw[y]["scope"]
        # positive controls: the gaps and the added and removed meters make a part of each year uncompared
        assert 0 < compared["meter_days_compared"] < compared["meter_days_current"], compared
    assert raw[2041]["unpriced_quantity"] > 0  # the gas meter

    assert not await _covered(session)  # nothing rolled up: every answer is the raw one
    await tariffs.refresh_rollups(session, settings=ROLLED)
    assert await _covered(session)  # the cost rollups answer both years of both statistics
    assert await _monthly_days_match(session)
    for y in years:
        assert rounded(await _stats(session, ROLLED, y)) == raw[y], y
    assert rounded(await _costs(session, ROLLED)) == raw_costs
    assert await _month_days(session, "B", date(2041, 3, 1)) < 31  # the gap leaves days without an interval
    assert await _month_days(session, "D", date(2041, 9, 1)) == 19  # removed on the 20th

    # late readings: D reports once more on 20 September 2041 (a meter-day more, compared with 2040), and A
    # reads mid-interval on a past day of 2040 (the same kWh, split otherwise across the price periods)
    await session.execute(
        text(
            "INSERT INTO telemetry.reading (meter_id, ts, energy_kwh) SELECT 'D', :ts, r.energy_kwh + 5"
            " FROM telemetry.reading r WHERE r.meter_id = 'D' AND r.ts = :last"
        ),
        {"ts": _at(2041, 9, 20) + timedelta(hours=8), "last": _at(2041, 9, 20)},
    )
    await session.execute(
        text(
            "INSERT INTO telemetry.reading (meter_id, ts, energy_kwh)"
            " SELECT 'A', :ts, a.energy_kwh + 0.9 * (b.energy_kwh - a.energy_kwh) FROM telemetry.reading a"
            " JOIN telemetry.reading b ON b.meter_id = a.meter_id AND b.ts = :b WHERE a.meter_id = 'A' AND a.ts = :a"
        ),
        {
            "ts": _at(2040, 3, 10) + timedelta(hours=10),
            "a": _at(2040, 3, 10) + timedelta(hours=8),
            "b": _at(2040, 3, 10) + timedelta(hours=16),
        },
    )
    late = {y: rounded(await _stats(session, RAW, y)) for y in years}
    assert late[2041]["scope"]["meter_days_current"] == raw[2041]["scope"]["meter_days_current"] + 1
    assert late[2041]["scope"]["meter_days_compared"] == raw[2041]["scope"]["meter_days_compared"] + 1
    assert late[2040]["scope"] == raw[2040]["scope"] and late[2040]["indicators"] != raw[2040]["indicators"]
    late_costs = rounded(await _costs(session, RAW))
    assert not await _covered(session)  # pending: answered raw until the worker has repriced the days
    for y in years:
        assert rounded(await _stats(session, ROLLED, y)) == late[y], y
    await tariffs.refresh_rollups(session, settings=ROLLED)
    assert await _covered(session)
    assert await _monthly_days_match(session)
    assert await _month_days(session, "D", date(2041, 9, 1)) == 20  # the monthly row counts 20 September now
    for y in years:
        assert rounded(await _stats(session, ROLLED, y)) == late[y], y
    assert rounded(await _costs(session, ROLLED)) == late_costs
