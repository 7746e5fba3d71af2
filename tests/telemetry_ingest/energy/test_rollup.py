"""The rollups answer exactly like the raw readings, wholly or in part, before and after a refresh
(own database: the invalidation log is global)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from houqin_common.db import libpq_url
from oracles.energy_synthetic import register
from telemetry_ingest.analytics.config import AnalyticsSettings
from telemetry_ingest.energy import service
from telemetry_ingest.energy.repository import MeterFilter
from telemetry_ingest.energy.schemas import Granularity, GroupBy

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 1, 1, tzinfo=TZ)


@pytest.fixture
def seeded(fresh_database_url: str) -> Iterator[str]:
    with psycopg.connect(libpq_url(fresh_database_url), autocommit=True) as conn:
        for i in range(3):
            conn.execute(
                "INSERT INTO telemetry.meter (id, name, building, zone, energy_type, multiplier, rollover)"
                " VALUES (%s, %s, 'R', %s, '01000', %s, 5000)",
                (f"r{i}", f"r{i}", f"z{i % 2}", 1 + i),
            )
            rows = list(
                register(
                    START,
                    START + timedelta(days=70),
                    timedelta(minutes=15),
                    lambda ts, i=i: 3.0 + i + (ts.hour % 5),
                    initial=4000.0,
                    rollover=5000,
                )
            )
            rows = [(ts, v if not (i == 1 and ts > START + timedelta(days=7)) else v / 3) for ts, v in rows]  # reset
            rows = [r for r in rows if not (i == 2 and START + timedelta(days=40) < r[0] < START + timedelta(days=41))]
            with conn.cursor() as cur, cur.copy("COPY telemetry.reading (meter_id, ts, energy_kwh) FROM STDIN") as cp:
                for ts, v in rows:
                    cp.write_row((f"r{i}", ts, v))
    yield fresh_database_url


async def _all(session: AsyncSession, settings: AnalyticsSettings, start: datetime, end: datetime) -> list[object]:
    out: list[object] = []
    for gran in (Granularity.hour, Granularity.day, Granularity.month):
        for group in (GroupBy.meter, GroupBy.zone, GroupBy.total):
            read = await service.consumption(
                session, settings=settings, flt=MeterFilter(), start=start, end=end, granularity=gran, group_by=group
            )
            rows = [(r["group"], r["bucket"], round(r["kwh"], 6), r["intervals"]) for r in read.rows]
            series = await service.consumption_series(
                session, settings=settings, flt=MeterFilter(), start=start, end=end, granularity=gran, group_by=group
            )
            # the series layout holds the same buckets and values, one series per group
            flat = [
                (s.group, b, round(k, 6), n)
                for s in series.series
                for b, k, n in zip(s.buckets, s.kwh, s.intervals, strict=True)
            ]
            assert sorted(flat) == sorted(rows) and [s.group for s in series.series] == sorted({r[0] for r in rows})
            assert round(series.total_kwh, 6) == round(read.total_kwh, 6)
            out.append(rows)
    top = await service.top_consumers(
        session, settings=settings, flt=MeterFilter(), start=start, end=end, group_by=GroupBy.meter, limit=3
    )
    out.append([(r.group, round(r.kwh, 6)) for r in top])
    return out


async def test_rollups_and_raw_give_identical_answers(session: AsyncSession) -> None:
    raw = AnalyticsSettings(use_rollup=False)
    rolled = AnalyticsSettings(use_rollup=True)
    # a window with partial first and last days and two whole months inside
    start, end = START + timedelta(days=1, hours=5), START + timedelta(days=66, hours=7)
    expected = await _all(session, raw, start, end)
    # nothing rolled up yet: every reading is pending, the plan reads raw
    how = await service.plan(session, settings=rolled, flt=MeterFilter(), start=start, end=end, granularity="month")
    assert how.rolled == ()
    assert await _all(session, rolled, start, end) == expected

    done = await service.refresh_rollup(session, settings=rolled)
    assert done.meter_days == 3 * 71 and done.rows > 0
    how = await service.plan(session, settings=rolled, flt=MeterFilter(), start=start, end=end, granularity=None)
    assert [p.grain for p in how.rolled] == ["hour", "day", "month", "day", "hour"]
    assert how.raw_start == end
    assert await _all(session, rolled, start, end) == expected
    assert (await service.refresh_rollup(session, settings=rolled)).meter_days == 0  # nothing left pending

    # a late reading lands between two stored ones 20 days back: answers stay right before and after a refresh
    late = START + timedelta(days=20, hours=3, minutes=7)
    await session.execute(
        text("INSERT INTO telemetry.reading (meter_id, ts, energy_kwh) VALUES ('r0', :ts, 4000.5)"), {"ts": late}
    )
    expected = await _all(session, raw, start, end)
    how = await service.plan(session, settings=rolled, flt=MeterFilter(), start=start, end=end, granularity="day")
    assert how.raw_start == late.replace(minute=0)  # the rollups answer up to the late hour
    assert await _all(session, rolled, start, end) == expected
    again = await service.refresh_rollup(session, settings=rolled)
    assert again.meter_days == 1
    assert await _all(session, rolled, start, end) == expected
    # 15-minute buckets and windows not starting on a whole hour always read the raw readings
    for gran, s in (("15min", start), ("day", start + timedelta(minutes=15))):
        assert (
            await service.plan(session, settings=rolled, flt=MeterFilter(), start=s, end=end, granularity=gran)
        ).rolled == ()
