"""Base load from the daily rollup equals base load from the raw readings: whole days split at the calendar's
working hours (07:30, off the hour), a sealed holiday and a swapped working day, a gap across midnight, before
and after the worker and after a late reading (own database: the invalidation log is global)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from houqin_common.db import libpq_url
from oracles.energy_synthetic import register
from telemetry_ingest.analytics.calendar import UseCalendar
from telemetry_ingest.analytics.config import AnalyticsSettings
from telemetry_ingest.analytics.profiles import Profile
from telemetry_ingest.energy import repository, service, waste
from telemetry_ingest.energy.repository import CalendarRule, MeterFilter

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 1, tzinfo=TZ)
RAW = AnalyticsSettings(use_rollup=False)
ROLLED = AnalyticsSettings(use_rollup=True)


@pytest.fixture
def seeded(fresh_database_url: str) -> Iterator[str]:
    with psycopg.connect(libpq_url(fresh_database_url), autocommit=True) as conn:
        conn.execute(
            "INSERT INTO telemetry.calendar (id, name, holidays, extra_workdays) VALUES ('office', 'office', %s, %s)",
            ([date(2026, 3, 10)], [date(2026, 3, 14)]),
        )
        conn.execute(
            "INSERT INTO telemetry.calendar (id, name, work_start, work_end) VALUES ('late', 'late', '09:00', '21:00')"
        )
        for i in range(2):
            conn.execute(
                "INSERT INTO telemetry.meter (id, name, building, energy_type) VALUES (%s, %s, 'L', '01000')",
                (f"l{i}", f"l{i}"),
            )
            rows = list(
                register(
                    START, START + timedelta(days=21), timedelta(minutes=15), lambda ts, i=i: 2.0 + i + ts.hour % 7
                )
            )
            gap = (START + timedelta(days=5, hours=22, minutes=3), START + timedelta(days=6, hours=8, minutes=1))
            rows = [r for r in rows if not (i == 1 and gap[0] < r[0] < gap[1])]
            with conn.cursor() as cur, cur.copy("COPY telemetry.reading (meter_id, ts, energy_kwh) FROM STDIN") as cp:
                for ts, v in rows:
                    cp.write_row((f"l{i}", ts, v))
    yield fresh_database_url


async def _loads(session: AsyncSession, settings: AnalyticsSettings) -> list[object]:
    out: list[object] = []
    for calendar_id in ("office", "late"):
        read = await service.base_load(
            session,
            settings=settings,
            flt=MeterFilter(),
            start=START + timedelta(days=1),
            end=START + timedelta(days=20),
            calendar_id=calendar_id,
        )
        out.append(read.model_dump())
    return out


async def test_base_load_from_the_daily_rollup_equals_the_raw_answer(session: AsyncSession) -> None:
    settings = ROLLED.model_copy(update={"energy_calendar_id": "office"})
    raw = RAW.model_copy(update={"energy_calendar_id": "office"})
    expected = await _loads(session, raw)
    assert await _loads(session, settings) == expected
    assert (await service.refresh_rollup(session, settings=settings)).meter_days == 2 * 22
    office = CalendarRule(time(7, 30), time(18, 30), [1, 2, 3, 4, 5], [date(2026, 3, 10)], [date(2026, 3, 14)])
    late = CalendarRule(time(9), time(21), [1, 2, 3, 4, 5], [], [])
    days = {"flt": MeterFilter(), "first": date(2026, 3, 2), "after": date(2026, 3, 21)}
    # rolled up at the office calendar's hours: it answers from the rollup; the other hours read raw
    assert not await repository.rolled_work_hours_differ(session, **days, cal=office)  # type: ignore[arg-type]
    assert await repository.rolled_work_hours_differ(session, **days, cal=late)  # type: ignore[arg-type]
    assert await _loads(session, settings) == expected
    loads = expected[0]["rows"]  # type: ignore[index]
    assert (
        loads[0]["holiday"]["hours"] == 24 and loads[0]["working"]["hours"] == 15 * 11
    )  # 14 weekdays (not 10 Mar) + Sat 14 Mar

    late_ts = START + timedelta(days=12, hours=7, minutes=37)
    await session.execute(
        text("INSERT INTO telemetry.reading (meter_id, ts, energy_kwh) VALUES ('l0', :ts, 0.5)"), {"ts": late_ts}
    )
    changed = await _loads(session, raw)
    assert changed != expected  # positive control: the late reading (a reset) changes the loads
    assert await _loads(session, settings) == changed  # pending: raw
    assert (await service.refresh_rollup(session, settings=settings)).meter_days == 1
    assert await _loads(session, settings) == changed


@pytest.mark.parametrize("profile", ["office", "outdoor_lighting", "continuous"])
async def test_waste_categories_in_sql_equal_the_python_rule(session: AsyncSession, profile: str) -> None:
    """The waste evaluation sums each meter-day's hour categories in SQL; the pure rule says what they are."""
    settings = ROLLED.model_copy(update={"energy_calendar_id": "office"})
    rule = await service.calendar_rule(session, settings, None)
    cal = UseCalendar(
        work_start=rule.work_start,
        work_end=rule.work_end,
        working_weekdays=tuple(rule.working_weekdays),
        holidays=frozenset(rule.holidays),
        extra_workdays=frozenset(rule.extra_workdays),
    )
    start, end = START + timedelta(days=1), START + timedelta(days=20)
    win = service.window(settings, start, end)
    hourly = await repository.consumption(session, flt=MeterFilter(), win=win, granularity="hour", group_by="meter")
    got = await repository.daily_category_load(
        session, flt=MeterFilter(), win=win, profiles={"l0": profile, "l1": profile}, cal=rule, daylight=waste.DAYLIGHT
    )
    for meter in ("l0", "l1"):
        series = [(r["bucket"], r["kwh"]) for r in hourly if r["group"] == meter]
        expected = waste.daily_category_kw(series, Profile(profile), cal, TZ)
        mine = {(d, c): kwh / n for m, d, c, kwh, n in got if m == meter}
        assert mine.keys() == expected.keys() and len(mine) >= 19  # a category or more per day
        assert all(abs(mine[k] - expected[k]) < 1e-9 for k in mine)


async def test_base_load_from_the_month_rows_equals_the_daily_rollup(session: AsyncSession) -> None:
    """``energy_month_days`` answers whole days of built months split at the calendar's hours, exactly as the
    daily rollup rows it holds (holidays and extra working days sorted under the calendar of the request, a
    window that starts and ends inside a month); other hours, or months still to build, are not its to answer."""
    from telemetry_ingest.rollups.service import DERIVE

    settings = ROLLED.model_copy(update={"energy_calendar_id": "office"})
    expected = await _loads(session, RAW.model_copy(update={"energy_calendar_id": "office"}))
    await service.refresh_rollup(session, settings=settings)
    office = await service.calendar_rule(session, settings, "office")
    late = await service.calendar_rule(session, settings, "late")
    first, after = date(2026, 3, 2), date(2026, 3, 21)
    window = (START + timedelta(days=1), START + timedelta(days=20))

    async def months(cal: CalendarRule) -> list[dict[str, object]] | None:
        return await service._load_by_category_months(
            session, flt=MeterFilter(), window=window, days=(first, after), cal=cal
        )

    got = await months(office)
    daily = await repository.load_by_category_rolled(session, flt=MeterFilter(), first=first, after=after, cal=office)
    assert got is not None and len(got) == 2 * 4  # positive control: the month rows answer, every category
    key = lambda r: (r["meter_id"], r["cat"])  # noqa: E731
    assert sorted(got, key=key) == sorted(({**r, "hours": float(r["hours"])} for r in daily), key=key)
    assert await months(late) is None  # split at 07:30-18:30, asked for 09:00-21:00
    assert await _loads(session, settings) == expected
    await session.execute(
        text("INSERT INTO telemetry.touched_range (kind, subject_id, hour) VALUES (:k, 'l1', :h)"),
        {"k": DERIVE, "h": START + timedelta(days=9, hours=3)},
    )
    assert await months(office) is None  # a month row still to build
    assert await _loads(session, settings) == expected
    await service.refresh_rollup(session, settings=settings)
    assert await months(office) == got
