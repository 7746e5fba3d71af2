"""The waste evaluation from the weekly hours rollup (``energy_week_hours``) raises exactly the alerts of the
raw evaluation: before the worker, after it, with a late reading pending in a past day (the rollup answers the
days before it, the raw readings the rest), after the refresh, after a calendar change (the categories are not
stored: no refresh needed) and while a week row is still to build (kind ``derive``, as after the migration).
The rollup's rows equal the hourly buckets of the raw readings (own database: the invalidation log is
global)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from houqin_common.db import libpq_url
from oracles.energy_synthetic import register
from telemetry_ingest.analytics.calendar import UseCalendar
from telemetry_ingest.analytics.config import AnalyticsSettings
from telemetry_ingest.energy import repository, service, waste_evaluation
from telemetry_ingest.energy.repository import MeterFilter
from telemetry_ingest.simulator.model import load_factor
from telemetry_ingest.simulator.waste import boost, day_range, plan_events

TZ = ZoneInfo("Asia/Shanghai")
FIRST = date(2026, 3, 2)
EVALUATED = day_range(FIRST + timedelta(days=28), FIRST + timedelta(days=42))
HOLIDAY = date(2026, 4, 6)
SUB_ITEMS = ("01A10", "01A30", "01B10", "01D10", "01C10", "01B20")
RAW = AnalyticsSettings(use_rollup=False)
ROLLED = AnalyticsSettings(use_rollup=True)
START = datetime.combine(EVALUATED[0], time(0), TZ)
END = datetime.combine(EVALUATED[-1] + timedelta(days=1), time(0), TZ)


@pytest.fixture
def seeded(fresh_database_url: str) -> Iterator[str]:
    rng = random.Random(17)
    cal = UseCalendar(holidays=frozenset({HOLIDAY}), extra_workdays=frozenset({date(2026, 4, 11)}))
    meters = [(f"w{i}", SUB_ITEMS[i % len(SUB_ITEMS)]) for i in range(8)]
    events = {
        (e.meter_id, e.day): e.category for e in plan_events(meters, EVALUATED, cal=cal, tz=TZ, rate=0.2, rng=rng)
    }
    with psycopg.connect(libpq_url(fresh_database_url), autocommit=True) as conn:
        conn.execute(
            "INSERT INTO telemetry.calendar (id, name, holidays, extra_workdays) VALUES ('office', 'office', %s, %s)",
            ([HOLIDAY], [date(2026, 4, 11)]),
        )
        for meter_id, sub in meters:
            conn.execute(
                "INSERT INTO telemetry.meter (id, name, building, energy_type, sub_item)"
                " VALUES (%s, %s, 'W', '01000', %s)",
                (meter_id, meter_id, sub),
            )
            peak = rng.uniform(10, 50)

            def load(ts: datetime, meter_id: str = meter_id, sub: str = sub, peak: float = peak) -> float:
                return peak * (load_factor(ts, sub) + boost(events, meter_id, sub, ts, cal, TZ))

            start = datetime.combine(FIRST, time(0), TZ)
            rows = list(register(start, END, timedelta(minutes=15), load, initial=1000.0))
            rows = [r for r in rows if not (meter_id == "w2" and date(2026, 3, 20) <= r[0].date() <= date(2026, 3, 21))]
            with conn.cursor() as cur, cur.copy("COPY telemetry.reading (meter_id, ts, energy_kwh) FROM STDIN") as cp:
                for ts, v in rows:
                    cp.write_row((meter_id, ts, v))
    yield fresh_database_url


async def _alerts(session: AsyncSession, settings: AnalyticsSettings) -> list[tuple[Any, ...]]:
    """The waste alerts one evaluation of the fortnight raises (rolled back: each call starts clean)."""
    try:
        await waste_evaluation.evaluate_waste(
            session, settings=settings, flt=MeterFilter(), start=START, end=END, calendar_id="office"
        )
        rows = await session.execute(
            text(
                "SELECT subject_id, kind, started_at, message, details FROM telemetry.alert"
                " WHERE kind LIKE 'energy_waste_%' ORDER BY 1, 2, 3"
            )
        )
        return [tuple(r) for r in rows]
    finally:
        await session.rollback()


async def _week_rows_equal_raw_hours(session: AsyncSession) -> int:
    """Every hour of ``energy_week_hours`` is the raw hourly bucket of that meter and local hour (the mask marks
    exactly the buckets with intervals); the number of hours compared."""
    win = service.window(RAW, datetime.combine(FIRST, time(0), TZ), END)
    raw = {
        (r["group"], r["bucket"]): r["kwh"]
        for r in await repository.consumption(session, flt=MeterFilter(), win=win, granularity="hour", group_by="meter")
    }
    rows = (await session.execute(text("SELECT meter_id, week, kwh, hours FROM telemetry.energy_week_hours"))).all()
    stored = {}
    for meter_id, week, kwh, hours in rows:
        values = np.frombuffer(kwh, dtype=">f8").reshape(7, 24)
        masks = np.frombuffer(hours, dtype=">i4")
        for d in range(7):
            for i in range(24):
                if int(masks[d]) >> i & 1:
                    stored[(meter_id, datetime.combine(week + timedelta(days=d), time(i), TZ))] = float(values[d, i])
                else:
                    assert np.isnan(values[d, i])
    assert stored.keys() == raw.keys()
    assert all(abs(stored[k] - raw[k]) < 1e-9 for k in raw)
    return len(stored)


async def test_waste_from_the_week_hours_rollup_equals_the_raw_evaluation(session: AsyncSession) -> None:
    expected = await _alerts(session, RAW)
    assert len(expected) >= 5 and len({r[1] for r in expected}) >= 3  # positive control: waste of several kinds
    assert await _alerts(session, ROLLED) == expected  # nothing rolled up: raw

    assert (await service.refresh_rollup(session, settings=ROLLED)).meter_days == 8 * 43
    await session.commit()
    assert await _week_rows_equal_raw_hours(session) > 8 * 40 * 24
    how = await service.plan(session, settings=ROLLED, flt=MeterFilter(), start=START, end=END, granularity="hour")
    assert how.raw_start == END  # the rollup answers the whole window
    assert await _alerts(session, ROLLED) == expected

    # a late reading (a spike, then the register falls back: a reset) on an evaluated day
    late = datetime.combine(EVALUATED[5], time(2, 7), TZ)
    before = await session.scalar(
        text("SELECT energy_kwh FROM telemetry.reading WHERE meter_id = 'w0' AND ts < :ts ORDER BY ts DESC LIMIT 1"),
        {"ts": late},
    )
    await session.execute(
        text("INSERT INTO telemetry.reading (meter_id, ts, energy_kwh) VALUES ('w0', :ts, :v)"),
        {"ts": late, "v": before + 400},
    )
    await session.commit()
    changed = await _alerts(session, RAW)
    assert changed != expected  # positive control: the late reading raised an alert
    how = await service.plan(session, settings=ROLLED, flt=MeterFilter(), start=START, end=END, granularity="hour")
    assert START < how.raw_start < END  # in part from the rollup, in part raw
    assert await _alerts(session, ROLLED) == changed
    assert (await service.refresh_rollup(session, settings=ROLLED)).meter_days >= 1
    await session.commit()
    assert await _alerts(session, ROLLED) == changed
    await _week_rows_equal_raw_hours(session)

    # a calendar change: other categories, the same rollup rows
    await session.execute(
        text("UPDATE telemetry.calendar SET holidays = :h, work_start = '09:00' WHERE id = 'office'"),
        {"h": [HOLIDAY, EVALUATED[3], EVALUATED[8]]},
    )
    await session.commit()
    recalendared = await _alerts(session, RAW)
    assert recalendared != changed  # positive control: the calendar changes what is waste
    assert (await service.refresh_rollup(session, settings=ROLLED)).meter_days == 0  # nothing to recompute
    assert await _alerts(session, ROLLED) == recalendared

    # week rows still to build (kind ``derive``, as the migration logs them): from a Monday in the history of
    # two meters; the weeks before it answer from the rollup, those days from the raw readings until built
    monday = EVALUATED[0] - timedelta(days=7 + EVALUATED[0].weekday())
    await session.execute(
        text("DELETE FROM telemetry.energy_week_hours WHERE meter_id IN ('w0', 'w1') AND week >= :d"), {"d": monday}
    )
    await session.execute(
        text(
            "INSERT INTO telemetry.touched_range (kind, subject_id, hour) SELECT 'derive', meter_id,"
            " CAST(day AS timestamp) AT TIME ZONE 'UTC' + interval '12 hours' FROM telemetry.energy_daily"
            " WHERE meter_id IN ('w0', 'w1') AND day >= :d"
        ),
        {"d": monday},
    )
    await session.commit()
    assert await _alerts(session, ROLLED) == recalendared
    done = await service.refresh_rollup(session, settings=ROLLED)
    await session.commit()
    assert done.meter_days == 0  # the readings did not change: only the week rows were built
    assert await session.scalar(text("SELECT count(*) FROM telemetry.touched_range WHERE kind = 'derive'")) == 0
    assert await _week_rows_equal_raw_hours(session) > 8 * 40 * 24
    assert await _alerts(session, ROLLED) == recalendared
