"""The hourly rollup answers exactly like the raw readings, wholly or in part (own database: the rollup
watermark is global)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncSession

from houqin_common.db import create_engine, libpq_url, make_sessionmaker
from telemetry_ingest.energy import service
from telemetry_ingest.energy.config import AnalyticsSettings
from telemetry_ingest.energy.repository import MeterFilter
from telemetry_ingest.energy.schemas import Granularity, GroupBy
from telemetry_ingest.energy.synthetic import register

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
                    START + timedelta(days=20),
                    timedelta(minutes=15),
                    lambda ts, i=i: 3.0 + i + (ts.hour % 5),
                    initial=4000.0,
                    rollover=5000,
                )
            )
            rows = [(ts, v if not (i == 1 and ts > START + timedelta(days=7)) else v / 3) for ts, v in rows]  # reset
            with conn.cursor() as cur, cur.copy("COPY telemetry.reading (meter_id, ts, energy_kwh) FROM STDIN") as cp:
                for ts, v in rows:
                    cp.write_row((f"r{i}", ts, v))
    yield fresh_database_url


@pytest_asyncio.fixture
async def session(seeded: str) -> AsyncSession:  # type: ignore[misc]
    engine = create_engine(seeded, pool_size=1)
    async with make_sessionmaker(engine)() as s:
        yield s
    await engine.dispose()


async def _all(session: AsyncSession, settings: AnalyticsSettings, start: datetime, end: datetime) -> list[object]:
    out: list[object] = []
    for gran in (Granularity.hour, Granularity.day, Granularity.month):
        for group in (GroupBy.meter, GroupBy.zone, GroupBy.total):
            read = await service.consumption(
                session, settings=settings, flt=MeterFilter(), start=start, end=end, granularity=gran, group_by=group
            )
            out.append([(r.group, r.bucket, round(r.kwh, 6), r.intervals) for r in read.rows])
    return out


async def test_rollup_and_raw_give_identical_answers(session: AsyncSession) -> None:
    raw = AnalyticsSettings(use_rollup=False)
    rolled = AnalyticsSettings(use_rollup=True)
    start, end = START + timedelta(days=1), START + timedelta(days=15, hours=7)
    expected = await _all(session, raw, start, end)
    assert await service.rollup_split(session, settings=rolled, start=start, end=end, granularity="day") is None

    # the rollup covers the first 10 days only: rollup for those hours, raw readings for the rest
    done = await service.refresh_rollup(
        session, settings=rolled, start=START, end=START + timedelta(days=10), now=START + timedelta(days=30)
    )
    assert done.rows == 3 * 24 * 10
    split = await service.rollup_split(session, settings=rolled, start=start, end=end, granularity="day")
    assert split == START + timedelta(days=10)
    assert await _all(session, rolled, start, end) == expected

    # default refresh: from the watermark (minus the recheck margin) to the last whole hour
    more = await service.refresh_rollup(
        session, settings=rolled, start=None, end=None, now=START + timedelta(days=30, minutes=20)
    )
    assert more.rolled_from == START and more.rolled_until == START + timedelta(days=30)
    assert await service.rollup_split(
        session, settings=rolled, start=start, end=end, granularity="day"
    ) == START + timedelta(days=15, hours=7)
    assert await _all(session, rolled, start, end) == expected
    # 15-minute buckets and windows not starting on a whole hour always read the raw readings
    assert await service.rollup_split(session, settings=rolled, start=start, end=end, granularity="15min") is None
    assert (
        await service.rollup_split(
            session, settings=rolled, start=start + timedelta(minutes=15), end=end, granularity="day"
        )
        is None
    )
