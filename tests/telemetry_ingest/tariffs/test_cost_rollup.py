"""The daily cost rollup answers every cost query exactly like pricing the raw readings: before the worker ran,
after it, after a late reading (pending again, then refreshed) and after a tariff change (own database: the
invalidation log is global). The tariff has a window edge off the hour (07:30) and a version that starts
mid-window; one meter has a gap whose interval crosses edges and a midnight, one resets, one rolls over."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import psycopg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from houqin_common.db import libpq_url
from oracles.energy_synthetic import register
from tariff_testkit import tariff
from telemetry_ingest.analytics.config import AnalyticsSettings
from telemetry_ingest.devices import service as devices
from telemetry_ingest.devices.schemas import MeterUpdate
from telemetry_ingest.energy import service as energy
from telemetry_ingest.energy.repository import MeterFilter
from telemetry_ingest.tariffs import service

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 1, 1, tzinfo=TZ)
RAW = AnalyticsSettings(use_rollup=False)
ROLLED = AnalyticsSettings(use_rollup=True)


@pytest.fixture
def seeded(fresh_database_url: str) -> Iterator[str]:
    with psycopg.connect(libpq_url(fresh_database_url), autocommit=True) as conn:
        for i in range(3):
            conn.execute(
                "INSERT INTO telemetry.meter (id, name, building, zone, energy_type, multiplier, rollover)"
                " VALUES (%s, %s, %s, %s, '01000', %s, 5000)",
                (f"c{i}", f"c{i}", "A" if i else "B", f"z{i % 2}", 1 + i),
            )
            rows = list(
                register(
                    START,
                    START + timedelta(days=50),
                    timedelta(minutes=15),
                    lambda ts, i=i: 3.0 + i + (ts.hour % 5),
                    initial=4000.0,
                    rollover=5000,
                )
            )
            rows = [(ts, v if not (i == 1 and ts > START + timedelta(days=7)) else v / 3) for ts, v in rows]  # reset
            # a gap from 20:07 to 09:52 the next day: one interval crosses 23:00, midnight, 07:30 and 08:00
            gap = (START + timedelta(days=30, hours=20, minutes=7), START + timedelta(days=31, hours=9, minutes=52))
            rows = [r for r in rows if not (i == 2 and gap[0] < r[0] < gap[1])]
            with conn.cursor() as cur, cur.copy("COPY telemetry.reading (meter_id, ts, energy_kwh) FROM STDIN") as cp:
                for ts, v in rows:
                    cp.write_row((f"c{i}", ts, v))
    yield fresh_database_url


def _r(value: Decimal) -> Decimal:
    """To 1e-12: the rollup's sums are exact in SQL, Python's decimal context keeps 28 significant digits (a
    split interval's share is a long fraction), so exact sums differ beyond that, never at a shown fen."""
    return value.quantize(Decimal("1e-12"))


async def _answers(session: AsyncSession, settings: AnalyticsSettings, start: datetime, end: datetime) -> list[object]:
    """Every bucket of every cost query shape, with quantities and yuan per period (exact decimals), over the
    window and over its whole local days from 1 January (January whole: the monthly cost rollup answers it)."""
    out: list[object] = []
    for gran, start, end in [(g, start, end) for g in (None, "day", "month")] + [
        (g, START, end.replace(hour=0)) for g in (None, "month")
    ]:
        for group in ("meter", "zone", "building", "total"):
            priced = await service.price(
                session, settings=settings, flt=MeterFilter(), start=start, end=end, granularity=gran, group_by=group
            )
            out.append(
                sorted(
                    (
                        g,
                        b,
                        [(p, _r(q)) for p, q in sorted(c.quantity.items())],
                        [(p, _r(y)) for p, y in sorted(c.cost.items())],
                        _r(c.unpriced),
                    )
                    for (g, b), c in priced.buckets.items()
                )
            )
            out.append((_r(priced.total.total_cost), _r(priced.total.total_quantity), _r(priced.total.unpriced)))
    return out


async def _cost_rows(session: AsyncSession) -> int:
    return int(await session.scalar(text("SELECT count(*) FROM telemetry.energy_daily_cost")) or 0)


async def test_cost_rollup_answers_like_the_raw_readings(session: AsyncSession) -> None:
    await service.save_tariff(session, tariff_in=tariff("all-2025", date(2025, 1, 1), "1.07"))
    await service.save_tariff(
        session, tariff_in=tariff("b-2026", date(2026, 1, 20), "1.31", scope="building", scope_id="A")
    )
    # partial first and last days, a whole month inside, the gap and the building version's start
    start, end = START + timedelta(days=1, hours=5), START + timedelta(days=45, hours=7)
    expected = await _answers(session, RAW, start, end)
    assert await _answers(session, ROLLED, start, end) == expected  # nothing rolled up: all raw
    assert await _cost_rows(session) == 0

    done = await energy.refresh_rollup(session, settings=ROLLED)
    assert done.meter_days == 3 * 51
    assert await _cost_rows(session) == 0  # energy rolled up, not yet priced: cost answers stay raw
    assert await _answers(session, ROLLED, start, end) == expected
    assert (await service.refresh_daily_costs(session, settings=ROLLED)).subject_days == 3 * 51
    assert await _cost_rows(session) > 3 * 50  # a row per meter, day and period
    days = await service._rolled_days(
        session, settings=ROLLED, flt=MeterFilter(), start=start, end=end, granularity="month"
    )
    assert days == (date(2026, 1, 3), date(2026, 2, 15))  # the rollup answers the whole days
    assert await _answers(session, ROLLED, start, end) == expected
    crossing = await service.price(
        session,
        settings=ROLLED,
        flt=MeterFilter(meter_ids=["c2"]),
        start=START + timedelta(days=30),
        end=START + timedelta(days=31),
        granularity="day",
        group_by="meter",
    )
    # the gap's interval starts on day 30 and is split across valley, flat and peak
    assert len(crossing.total.quantity) == 3

    # a late reading 20 days back: that meter-day is pending (answered raw) until the worker reprices it
    late = START + timedelta(days=20, hours=7, minutes=37)
    await session.execute(
        text("INSERT INTO telemetry.reading (meter_id, ts, energy_kwh) VALUES ('c0', :ts, 4000.5)"), {"ts": late}
    )
    changed = await _answers(session, RAW, start, end)
    assert changed != expected  # positive control: the late reading changes the answer
    assert await _answers(session, ROLLED, start, end) == changed
    assert (await energy.refresh_rollup(session, settings=ROLLED)).meter_days == 1
    assert await _answers(session, ROLLED, start, end) == changed
    assert (await service.refresh_daily_costs(session, settings=ROLLED)).subject_days == 1
    assert await _answers(session, ROLLED, start, end) == changed

    # a dearer version from 2026-02-01: the rolled-up days from there are logged as touched and repriced
    before_cost = changed[-1]
    await service.save_tariff(session, tariff_in=tariff("all-2026-02", date(2026, 2, 1), "1.50"))
    repriced = await _answers(session, RAW, start, end)
    assert repriced[-1] != before_cost and isinstance(repriced[-1], tuple)
    assert repriced[-1][0] > before_cost[0]  # type: ignore[index]
    assert await _answers(session, ROLLED, start, end) == repriced  # pending days answered raw
    assert (await energy.refresh_rollup(session, settings=ROLLED)).meter_days == 0  # kWh unchanged
    again = await service.refresh_daily_costs(session, settings=ROLLED)
    assert again.subject_days == 3 * 19  # 1 to 19 February of every meter
    assert await _answers(session, ROLLED, start, end) == repriced
    # deleting it prices those days as before again
    await service.delete_tariff(session, "all-2026-02")
    await service.refresh_rollups(session, settings=ROLLED)
    assert await _answers(session, ROLLED, start, end) == changed
    assert isinstance(changed[-1], tuple) and changed[-1][0] > Decimal(0)

    # meter c0 moves to building A: the building's own version now prices it; its days are recomputed
    await devices.update_meter(session, meter_id="c0", meter_in=MeterUpdate(building="A"))
    moved = await _answers(session, RAW, start, end)
    assert moved != changed  # positive control: the other tariff prices c0 now
    assert await _answers(session, ROLLED, start, end) == moved  # its days are pending: raw
    assert (await service.refresh_rollups(session, settings=ROLLED)).meter_days == 50  # its days with readings
    assert await _answers(session, ROLLED, start, end) == moved
