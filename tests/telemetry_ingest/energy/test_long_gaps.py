"""An interval longer than the register look-back counts where it starts, in every window and in the rollups
(own database: the invalidation log is global).

A meter that goes quiet late on one day and reports again days later used 1 interval's worth of energy between
the two readings. Raw answers used to count it only when the window's read range (its end plus the look-back)
reached the next reading, and the worker's refresh of that day never did: the rollup and a raw month disagreed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from houqin_common.db import libpq_url
from telemetry_ingest.analytics.config import AnalyticsSettings
from telemetry_ingest.energy import service
from telemetry_ingest.energy.repository import MeterFilter
from telemetry_ingest.energy.schemas import Granularity, GroupBy

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 1, tzinfo=TZ)
QUIET_FROM = START + timedelta(days=3, hours=22)  # the last reading before the gap
BACK_AT = START + timedelta(days=6, hours=10)  # the first one after it: 60 h later
RAW = AnalyticsSettings(use_rollup=False)
ROLLED = AnalyticsSettings(use_rollup=True)


def g0_value(ts: datetime) -> float:
    """g0's register: 2 kWh per quarter-hour, and 10 kWh over the whole gap."""
    if ts <= QUIET_FROM:
        return 100.0 + 2.0 * ((ts - START) // timedelta(minutes=15))
    return g0_value(QUIET_FROM) + 10.0 + 2.0 * ((ts - BACK_AT) // timedelta(minutes=15))


def _register() -> list[tuple[str, datetime, float]]:
    """g0 with the gap; g1 (the positive control) reads 1 kWh per quarter-hour without one."""
    rows = []
    for q in range(10 * 96):
        ts = START + q * timedelta(minutes=15)
        if not QUIET_FROM < ts < BACK_AT:
            rows.append(("g0", ts, g0_value(ts)))
        rows.append(("g1", ts, 500.0 + q))
    return rows


@pytest.fixture
def seeded(fresh_database_url: str) -> Iterator[str]:
    with psycopg.connect(libpq_url(fresh_database_url), autocommit=True) as conn:
        for meter in ("g0", "g1"):
            conn.execute(
                "INSERT INTO telemetry.meter (id, name, building, energy_type) VALUES (%s, %s, 'G', '01000')",
                (meter, meter),
            )
        with conn.cursor() as cur, cur.copy("COPY telemetry.reading (meter_id, ts, energy_kwh) FROM STDIN") as cp:
            for row in _register():
                cp.write_row(row)
    yield fresh_database_url


async def _daily(
    session: AsyncSession, settings: AnalyticsSettings, start: datetime, end: datetime
) -> dict[str, float]:
    read = await service.consumption(
        session,
        settings=settings,
        flt=MeterFilter(),
        start=start,
        end=end,
        granularity=Granularity.day,
        group_by=GroupBy.meter,
    )
    return {f"{r['group']} {r['bucket'].date()}": round(r["kwh"], 6) for r in read.rows}


async def test_a_long_gap_counts_on_its_first_day_in_every_window_and_in_the_rollups(session: AsyncSession) -> None:
    day3 = START + timedelta(days=3)
    one_day = await _daily(session, RAW, day3, day3 + timedelta(days=1))
    ten_days = await _daily(session, RAW, START, START + timedelta(days=10))
    # g0 on day 3: 88 quarter-hours of 2 kWh before 22:00, then the gap's 10 kWh; whichever window asks
    assert one_day["g0 2026-03-04"] == ten_days["g0 2026-03-04"] == 88 * 2.0 + 10.0
    # the positive control: a meter without a gap reads the same day the same way in both windows
    assert one_day["g1 2026-03-04"] == ten_days["g1 2026-03-04"] == 96 * 1.0
    assert "g0 2026-03-05" not in ten_days  # no interval starts on the quiet day

    done = await service.refresh_rollup(session, settings=ROLLED)
    assert done.meter_days > 0
    assert await _daily(session, ROLLED, START, START + timedelta(days=10)) == ten_days
    assert await _daily(session, ROLLED, day3, day3 + timedelta(days=1)) == one_day

    # a late reading lands in the gap, more than the look-back after day 3: raw and rolled still agree
    late = START + timedelta(days=5, hours=3)
    await session.execute(
        text("INSERT INTO telemetry.reading (meter_id, ts, energy_kwh) VALUES ('g0', :ts, :v)"),
        {"ts": late, "v": g0_value(QUIET_FROM) + 4.0},
    )
    expected = await _daily(session, RAW, START, START + timedelta(days=10))
    assert expected["g0 2026-03-04"] == 88 * 2.0 + 4.0 and expected["g0 2026-03-06"] == 6.0
    assert await _daily(session, ROLLED, START, START + timedelta(days=10)) == expected  # late hour answered raw
    await service.refresh_rollup(session, settings=ROLLED)
    assert await _daily(session, ROLLED, START, START + timedelta(days=10)) == expected
    assert await _daily(session, ROLLED, day3, day3 + timedelta(days=1)) == {
        k: v for k, v in expected.items() if k.endswith("2026-03-04")
    }
