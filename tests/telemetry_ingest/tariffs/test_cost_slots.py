"""Cost buckets finer than a day are priced from slots that SQL pre-sums inside one price period and one bucket;
the answer is what pricing every reading interval on its own gives (the interval split between the periods it
spans, booked whole into the bucket where it starts), to the fen. The tariff has an edge off the hour (07:30)
and a second version from the second day; one meter reads every 20 minutes from 00:05 (intervals over hour and
quarter-hour edges, one over 07:30), one has a gap over midnight and several price edges, one is water with no
tariff (unpriced)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import psycopg
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from houqin_common.db import libpq_url
from oracles.cost_intervals import interval_consumption
from oracles.energy_synthetic import register
from tariff_testkit import tariff
from telemetry_ingest.analytics.config import AnalyticsSettings
from telemetry_ingest.energy.arithmetic import bucket_start
from telemetry_ingest.energy.repository import MeterFilter
from telemetry_ingest.energy.service import window
from telemetry_ingest.tariffs import repository, service
from telemetry_ingest.tariffs.arithmetic import CostTotal, Period, Pricer, to_decimal, yuan

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 7, 14, tzinfo=TZ)
RAW = AnalyticsSettings(use_rollup=False)
#: differences allowed below the fen: the slots sum floats in SQL before the Decimal, the intervals are summed
#: as Decimals (the last bits of a float sum)
TINY = Decimal("1e-9")


@pytest.fixture
def seeded(fresh_database_url: str) -> Iterator[str]:
    with psycopg.connect(libpq_url(fresh_database_url), autocommit=True) as conn:
        meters = [
            # every 20 minutes from 00:05, 1.3 kW: each interval 0.4333... kWh, three per hour
            (
                "t0",
                "A",
                "01000",
                register(
                    START + timedelta(minutes=5), START + timedelta(days=3), timedelta(minutes=20), lambda ts: 1.3
                ),
            ),
            (
                "t1",
                "B",
                "01000",
                register(START, START + timedelta(days=3), timedelta(minutes=15), lambda ts: 2.1 + ts.hour % 4),
            ),
            ("t2", "B", "02000", register(START, START + timedelta(days=3), timedelta(minutes=15), lambda ts: 0.7)),
        ]
        # t1 is silent from 20:07 to 09:52 the next day: one interval over 23:00, midnight, 07:30, 08:00
        gap = (START + timedelta(hours=20, minutes=7), START + timedelta(days=1, hours=9, minutes=52))
        for mid, building, energy_type, rows in meters:
            conn.execute(
                "INSERT INTO telemetry.meter (id, name, building, energy_type) VALUES (%s, %s, %s, %s)",
                (mid, mid, building, energy_type),
            )
            with conn.cursor() as cur, cur.copy("COPY telemetry.reading (meter_id, ts, energy_kwh) FROM STDIN") as cp:
                for ts, v in rows:
                    if not (mid == "t1" and gap[0] < ts < gap[1]):
                        cp.write_row((mid, ts, v))
    yield fresh_database_url


async def _per_interval(
    session: AsyncSession, *, start: datetime, end: datetime, granularity: str, group_by: str
) -> dict[tuple[str, datetime], CostTotal]:
    """Every reading interval priced on its own and booked whole into the bucket where it starts."""
    pricer = Pricer([service.to_domain(r) for r in await repository.list_tariffs(session)], TZ)
    attr = service.GROUP_ATTR[group_by]
    out: dict[tuple[str, datetime], CostTotal] = defaultdict(CostTotal)
    for it in await interval_consumption(session, flt=MeterFilter(), win=window(RAW, start, end)):
        cost = pricer.cost(
            it.start,
            it.end,
            to_decimal(it.quantity),
            energy_type=it.energy_type,
            meter_id=it.meter_id,
            building=it.building,
        )
        out[("total" if attr is None else str(getattr(it, attr)), bucket_start(it.start, granularity, TZ))].merge(cost)
    return dict(out)


def _same(a: CostTotal, b: CostTotal) -> bool:
    """The same periods, quantities and yuan below the fen, and the same yuan to the fen."""
    return (
        set(a.quantity) == set(b.quantity)
        and all(abs(a.quantity[p] - b.quantity[p]) < TINY and abs(a.cost[p] - b.cost[p]) < TINY for p in a.quantity)
        and abs(a.unpriced - b.unpriced) < TINY
        and yuan(a.total_cost) == yuan(b.total_cost)
        and all(yuan(a.cost[p]) == yuan(b.cost[p]) for p in a.cost)
    )


async def test_buckets_finer_than_a_day_cost_what_each_interval_costs(session: AsyncSession) -> None:
    await service.save_tariff(session, tariff_in=tariff("v1", START.date(), "1.07"))
    await service.save_tariff(session, tariff_in=tariff("v2", START.date() + timedelta(days=1), "1.31"))
    # the whole data, and a window that starts and ends off the hour (buckets stay whole local hours)
    windows = [
        (START, START + timedelta(days=3)),
        (START + timedelta(hours=6, minutes=40), START + timedelta(days=2, hours=13, minutes=10)),
    ]
    for start, end in windows:
        for granularity in ("hour", "15min"):
            for group_by in ("meter", "building", "total"):
                priced = await service.price(
                    session,
                    settings=RAW,
                    flt=MeterFilter(),
                    start=start,
                    end=end,
                    granularity=granularity,
                    group_by=group_by,
                )
                expected = await _per_interval(
                    session, start=start, end=end, granularity=granularity, group_by=group_by
                )
                assert priced.buckets.keys() == expected.keys()
                different = [k for k, c in expected.items() if not _same(priced.buckets[k], c)]
                assert different == [], (granularity, group_by, different[:3])
                total = CostTotal()
                for c in expected.values():
                    total.merge(c)
                assert _same(priced.total, total)

    # an interval over an hour edge counts whole in the hour where it starts: every hour of t0 holds three
    # intervals (00:05, 00:25, 00:45-01:05 in the first), 1.3 kWh, not the 55 minutes of 1.19 kWh after 00:05
    hourly = await service.price(
        session,
        settings=RAW,
        flt=MeterFilter(meter_ids=["t0"]),
        start=START,
        end=START + timedelta(days=1),
        granularity="hour",
        group_by="meter",
    )
    assert len(hourly.buckets) == 24
    assert all(abs(c.total_quantity - Decimal("1.3")) < TINY for c in hourly.buckets.values())
    # 07:00-08:00 holds 07:05-07:25 valley, 07:25-07:45 split at 07:30 (5 minutes valley, 15 flat) and 07:45-08:05
    # split at 08:00 (15 minutes flat, 5 peak)
    seven = hourly.buckets[("t0", datetime.combine(START.date(), time(7), TZ))]
    third = Decimal("1.3") / 3
    assert abs(seven.quantity[Period.valley] - third * Decimal("1.25")) < TINY
    assert abs(seven.quantity[Period.flat] - third * Decimal("1.5")) < TINY
    assert abs(seven.quantity[Period.peak] - third * Decimal("0.25")) < TINY

    # positive controls: the slots are summed in SQL (fewer than the intervals), and apart come exactly the
    # intervals over a price edge or a midnight, not those over an hour edge only (00:45-01:05 and the like)
    price_edges = [27_000.0, 28_800.0, 39_600.0, 82_800.0]  # 07:30, 08:00, 11:00, 23:00
    win = window(RAW, START, START + timedelta(days=3))
    slots, crossing = await repository.slot_consumption(
        session,
        flt=MeterFilter(),
        win=win,
        edges_s=sorted({*price_edges, *(3600.0 * h for h in range(1, 24))}),
        split_s=price_edges,
    )
    intervals = await interval_consumption(session, flt=MeterFilter(), win=win)
    assert len(slots) < len(intervals) / 2
    assert any(i.meter_id == "t0" and i.start.astimezone(TZ).time() == time(0, 45) for i in intervals)
    assert {c.start.astimezone(TZ).time() for c in crossing if c.meter_id == "t0"} == {
        time(7, 25),
        time(7, 45),
        time(10, 45),
        time(22, 45),
        time(23, 45),
    }
    assert [(c.start.astimezone(TZ).time(), c.end - c.start) for c in crossing if c.meter_id != "t0"] == [
        (time(20), timedelta(hours=14))
    ]
