"""Tariff rows, and the one narrow read the cost computation needs from the readings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from telemetry_ingest.energy import repository as energy_repository
from telemetry_ingest.energy.repository import MeterFilter, Window
from telemetry_ingest.models.accounting import Tariff


@dataclass(frozen=True)
class MeterInterval:
    """Consumption of one meter between two consecutive readings, with the meter's grouping attributes."""

    meter_id: str
    start: datetime
    end: datetime
    quantity: float
    building: str
    zone: str
    sub_item: str
    energy_type: str
    vendor_id: str


@dataclass(frozen=True)
class SlotConsumption:
    """Consumption of one meter summed over the intervals that start in one slot of one local day (a slot lies
    between two slot edges) and cross no price edge and no midnight: one price and one bucket apply to all of
    them."""

    meter_id: str
    start: datetime
    quantity: float
    building: str
    zone: str
    sub_item: str
    energy_type: str
    vendor_id: str


async def slot_consumption(
    session: AsyncSession, *, flt: MeterFilter, win: Window, edges_s: list[float], split_s: list[float] | None = None
) -> tuple[list[SlotConsumption], list[MeterInterval]]:
    """The reading intervals (the raw-readings CTE of ``energy.repository``: resets, rollovers, multiplier)
    pre-summed in SQL per meter, local day and slot between ``edges_s`` (seconds after local midnight), and apart
    the intervals that cross one of ``split_s`` (the price edges; default ``edges_s``) or a midnight, which must
    be split. An interval counts in the slot where it starts. With the price edges as ``edges_s`` it is exact
    for any bucket made of whole local days (a year of quarter-hours per meter comes back as a few rows per day
    instead of 96); with the bucket edges added (every whole hour) each slot also lies inside one bucket."""
    cte, params = energy_repository.intervals_cte(flt, win)
    sql = f"""{cte}
    , l AS MATERIALIZED (
        SELECT d.meter_id, d.start_ts, d.end_ts, d.kwh, d.start_ts AT TIME ZONE :tz AS lt,
               CAST(extract(epoch FROM d.end_ts - d.start_ts) AS float8) AS dur
        FROM d
    ), x AS MATERIALIZED (
        -- the time-zone conversion once per row: it is the expensive part of this query
        SELECT l.meter_id, l.start_ts, l.end_ts, l.kwh, l.dur, CAST(l.lt AS date) AS day,
               CAST(extract(epoch FROM CAST(l.lt AS time)) AS float8) AS s0
        FROM l
    ), s AS MATERIALIZED (
        -- width_bucket(v, edges) counts the edges <= v; an edge strictly inside (s0, s0 + dur) makes the
        -- count at the last microsecond of the interval larger than at its start
        SELECT x.*, width_bucket(x.s0, CAST(:edges AS float8[])) AS slot,
               (x.s0 + x.dur > 86400 OR width_bucket(x.s0 + x.dur - 0.000001, CAST(:split AS float8[]))
                                        > width_bucket(x.s0, CAST(:split AS float8[]))) AS crosses
        FROM x
    )
    SELECT s.meter_id, s.crosses, min(s.start_ts) AS start_ts, max(s.end_ts) AS end_ts, sum(s.kwh) AS kwh,
           m.building, coalesce(m.zone, '') AS zone, coalesce(m.sub_item, m.energy_type) AS sub_item,
           m.energy_type, coalesce(m.vendor_id, '') AS vendor_id
    FROM s JOIN m ON m.id = s.meter_id
    GROUP BY s.meter_id, s.day, s.slot, s.crosses, CASE WHEN s.crosses THEN s.start_ts END,
             m.building, m.zone, m.sub_item, m.energy_type, m.vendor_id
    ORDER BY 1, 3"""
    params["edges"] = edges_s
    params["split"] = edges_s if split_s is None else split_s
    slots: list[SlotConsumption] = []
    crossing: list[MeterInterval] = []
    for r in (await session.execute(text(sql), params)).tuples():
        if r[1]:
            crossing.append(MeterInterval(r[0], r[2], r[3], float(r[4]), r[5], r[6], r[7], r[8], r[9]))
        else:
            slots.append(SlotConsumption(r[0], r[2], float(r[4]), r[5], r[6], r[7], r[8], r[9]))
    return slots, crossing


async def list_tariffs(session: AsyncSession, *, energy_type: str | None = None) -> list[Tariff]:
    stmt = select(Tariff).order_by(Tariff.energy_type, Tariff.scope, Tariff.scope_id, Tariff.effective_from)
    if energy_type is not None:
        stmt = stmt.where(Tariff.energy_type == energy_type)
    return list((await session.scalars(stmt)).all())


async def get_tariff(session: AsyncSession, tariff_id: str) -> Tariff | None:
    return await session.get(Tariff, tariff_id)


async def upsert_tariff(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Insert or replace a version by id; True when it was new."""
    existed = await session.scalar(select(Tariff.id).where(Tariff.id == values["id"]))
    stmt = insert(Tariff).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[Tariff.id], set_={k: stmt.excluded[k] for k in values if k != "id"}
    )
    await session.execute(stmt)
    return existed is None


async def delete_tariff(session: AsyncSession, tariff_id: str) -> None:
    await session.execute(delete(Tariff).where(Tariff.id == tariff_id))


@dataclass(frozen=True)
class DailyCost:
    """A sum of cost rollup rows: one group and bucket, the quantity and yuan per price period (``''``: no
    tariff priced it)."""

    group: str
    bucket: datetime | None
    periods: list[str]
    quantities: list[Decimal]
    costs: list[Decimal]


COST_BUCKET = {
    None: "CAST(NULL AS timestamptz)",
    "day": "CAST(c.d AS timestamp) AT TIME ZONE :tz",
    "month": "CAST(date_trunc('month', c.d) AS timestamp) AT TIME ZONE :tz",
}


def _month_span(first: date, after: date) -> tuple[date, date]:
    """The whole months ``[m0, m1)`` inside the days ``[first, after)`` (empty when m0 >= m1)."""
    m0 = first if first.day == 1 else (first.replace(day=1) + timedelta(days=32)).replace(day=1)
    return m0, after.replace(day=1)


async def daily_costs(
    session: AsyncSession,
    *,
    flt: MeterFilter,
    first: date,
    after: date,
    granularity: str | None,
    group_by: str,
    tz: str,
) -> list[DailyCost]:
    """The cost rollup of the meters of ``flt`` over the local days ``[first, after)``, summed per group and
    bucket in SQL (periods as arrays): whole months from ``energy_monthly_cost`` unless the buckets are days,
    the other days from ``energy_daily_cost``."""
    where, params = flt.sql()
    m0, m1 = _month_span(first, after)
    if granularity == "day" or m0 >= m1:
        m0 = m1 = after
    sql = f"""WITH m AS (SELECT m.id, m.building, m.zone, m.sub_item, m.energy_type, m.vendor_id
                       FROM telemetry.meter m WHERE {where}),
    c AS (
        -- two plain day ranges (an OR of them made the planner scan the whole table)
        SELECT c.meter_id, c.day AS d, c.period, c.quantity, c.cost_cny FROM telemetry.energy_daily_cost c
        WHERE c.meter_id IN (SELECT id FROM m) AND c.day >= :first AND c.day < :m0
        UNION ALL
        SELECT c.meter_id, c.day AS d, c.period, c.quantity, c.cost_cny FROM telemetry.energy_daily_cost c
        WHERE c.meter_id IN (SELECT id FROM m) AND c.day >= :m1 AND c.day < :after
        UNION ALL
        SELECT c.meter_id, c.month, c.period, c.quantity, c.cost_cny FROM telemetry.energy_monthly_cost c
        WHERE c.meter_id IN (SELECT id FROM m) AND c.month >= :m0 AND c.month < :m1
    ), s AS (
        SELECT {energy_repository.GROUP_EXPR[group_by]} AS grp, {COST_BUCKET[granularity]} AS bucket, c.period,
               sum(c.quantity) AS quantity, sum(c.cost_cny) AS cost
        FROM c JOIN m ON m.id = c.meter_id GROUP BY 1, 2, 3
    )
    SELECT grp, bucket, array_agg(period), array_agg(quantity), array_agg(cost) FROM s GROUP BY 1, 2"""
    params.update(first=first, after=after, m0=m0, m1=m1, tz=tz)
    rows = await session.execute(text(sql), params)
    return [DailyCost(str(r[0]), r[1], r[2], r[3], r[4]) for r in rows.tuples()]


@dataclass(frozen=True)
class MeterMonthDays:
    """One meter-month of ``energy_month_day_cost``: element i of each list is day i + 1 of the month, summed
    over its price periods (None: no reading interval that day)."""

    meter_id: str
    month: date
    quantity: list[float | None]
    cost_cny: list[Decimal | None]


async def meter_month_days(
    session: AsyncSession, *, flt: MeterFilter, first: date, after: date
) -> list[MeterMonthDays]:
    """The day totals of the meters of ``flt`` in the months that reach the local days ``[first, after)`` (one row
    per meter and month; the caller keeps the days of the window). Quantities as float8: PostgreSQL converts the
    exact sum to the nearest double, as ``float(Decimal)`` does."""
    where, params = flt.sql()
    rows = await session.execute(
        text(
            "SELECT e.meter_id, e.month, CAST(e.quantity AS float8[]), e.cost_cny FROM telemetry.meter m"
            f" JOIN telemetry.energy_month_day_cost e ON e.meter_id = m.id WHERE {where}"
            " AND e.month >= :month0 AND e.month < :after"
        ),
        {**params, "month0": first.replace(day=1), "after": after},
    )
    return [MeterMonthDays(*r) for r in rows.all()]


async def local_midnights(session: AsyncSession, *, first: date, after: date, tz: str) -> list[datetime]:
    """The instants of the local midnights of the days ``[first, after)`` as the cost rollup's day buckets are
    (``CAST(day AS timestamp) AT TIME ZONE tz``)."""
    rows = await session.execute(
        text(
            "SELECT CAST(CAST(:first AS date) + i AS timestamp) AT TIME ZONE :tz"
            " FROM generate_series(0, CAST(:n AS integer) - 1) AS i ORDER BY i"
        ),
        {"first": first, "n": (after - first).days, "tz": tz},
    )
    return list(rows.scalars().all())


async def replace_daily_costs(
    session: AsyncSession, *, ranges: list[tuple[str, date, date]], rows: list[tuple[str, date, str, Decimal, Decimal]]
) -> int:
    """Delete the cost rollup of each (meter, [first, after)) and insert ``rows`` (meter, day, period, quantity,
    yuan) in their place."""
    await session.execute(
        text(
            "DELETE FROM telemetry.energy_daily_cost c"
            " USING unnest(CAST(:meters AS text[]), CAST(:firsts AS date[]), CAST(:afters AS date[])) AS g(m, f, a)"
            " WHERE c.meter_id = g.m AND c.day >= g.f AND c.day < g.a"
        ),
        {"meters": [r[0] for r in ranges], "firsts": [r[1] for r in ranges], "afters": [r[2] for r in ranges]},
    )
    if rows:
        await session.execute(
            text(
                "INSERT INTO telemetry.energy_daily_cost (meter_id, day, period, quantity, cost_cny)"
                " SELECT * FROM unnest(CAST(:meters AS text[]), CAST(:days AS date[]), CAST(:periods AS text[]),"
                " CAST(:quantities AS numeric[]), CAST(:costs AS numeric[]))"
            ),
            {
                "meters": [r[0] for r in rows],
                "days": [r[1] for r in rows],
                "periods": [r[2] for r in rows],
                "quantities": [r[3] for r in rows],
                "costs": [r[4] for r in rows],
            },
        )
    # every month the ranges reach is summed again from its days
    months = (
        "SELECT DISTINCT g.m, CAST(x AS date) AS month"
        " FROM unnest(CAST(:meters AS text[]), CAST(:firsts AS date[]), CAST(:afters AS date[])) AS g(m, f, a),"
        " generate_series(date_trunc('month', g.f), g.a - 1, interval '1 month') AS x"
    )
    spans = {"meters": [r[0] for r in ranges], "firsts": [r[1] for r in ranges], "afters": [r[2] for r in ranges]}
    await session.execute(
        text(
            f"DELETE FROM telemetry.energy_monthly_cost e USING ({months}) t"
            " WHERE e.meter_id = t.m AND e.month = t.month"
        ),
        spans,
    )
    # with the meter-days of each meter-month (the like-for-like pairing of the statistics reads it)
    await session.execute(
        text(
            f"WITH d AS (SELECT t.m, t.month, c.day, c.period, c.quantity, c.cost_cny FROM ({months}) t"
            " JOIN telemetry.energy_daily_cost c ON c.meter_id = t.m AND c.day >= t.month"
            " AND c.day < CAST(t.month + interval '1 month' AS date)),"
            " n AS (SELECT m, month, count(DISTINCT day) AS days FROM d GROUP BY 1, 2)"
            " INSERT INTO telemetry.energy_monthly_cost (meter_id, month, period, quantity, cost_cny, days)"
            " SELECT d.m, d.month, d.period, sum(d.quantity), sum(d.cost_cny), n.days"
            " FROM d JOIN n ON n.m = d.m AND n.month = d.month GROUP BY d.m, d.month, d.period, n.days"
        ),
        spans,
    )
    # and the day totals of each meter-month as arrays (element i: day i + 1; NULL: no daily row)
    await session.execute(
        text(
            f"DELETE FROM telemetry.energy_month_day_cost e USING ({months}) t"
            " WHERE e.meter_id = t.m AND e.month = t.month"
        ),
        spans,
    )
    await session.execute(
        text(
            f"WITH t AS ({months}) INSERT INTO telemetry.energy_month_day_cost (meter_id, month, quantity, cost_cny)"
            " SELECT t.m, t.month, array_agg(d.q ORDER BY g.i), array_agg(d.c ORDER BY g.i)"
            " FROM t CROSS JOIN LATERAL generate_series(0, CAST(t.month + interval '1 month' AS date) - t.month - 1)"
            " AS g(i)"
            " LEFT JOIN (SELECT c.meter_id, c.day, sum(c.quantity) AS q, sum(c.cost_cny) AS c"
            "   FROM telemetry.energy_daily_cost c JOIN t ON c.meter_id = t.m AND c.day >= t.month"
            "   AND c.day < CAST(t.month + interval '1 month' AS date) GROUP BY 1, 2) d"
            " ON d.meter_id = t.m AND d.day = t.month + g.i"
            " GROUP BY t.m, t.month HAVING count(d.day) > 0"
        ),
        spans,
    )
    return len(rows)


async def invalidate_costs(session: AsyncSession, *, energy_types: list[str], from_day: date, tz: str) -> int:
    """Log every rolled-up meter-day of these energy types from ``from_day`` as touched: a tariff version that
    changes there reprices them (queries answer them from the raw readings until the worker has)."""
    result = await session.execute(
        text(
            "INSERT INTO telemetry.touched_range (kind, subject_id, hour)"
            " SELECT 'cost', e.meter_id, CAST(e.day AS timestamp) AT TIME ZONE :tz"
            " FROM telemetry.energy_daily e JOIN telemetry.meter m ON m.id = e.meter_id"
            " WHERE m.energy_type = ANY(CAST(:types AS text[])) AND e.day >= :from_day"
        ),
        {"types": energy_types, "from_day": from_day, "tz": tz},
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class MeterYears:
    """One meter's cost rollup over a period and the same days a year earlier: meter-days, quantity, yuan and
    unpriced quantity of each, and of the compared meter-days (reported in both; 29 February has no pair)."""

    meter_id: str
    days: int
    quantity: Decimal
    cost_cny: Decimal
    unpriced: Decimal
    previous_days: int
    previous_quantity: Decimal
    previous_cost_cny: Decimal
    compared_days: int
    compared_quantity: Decimal
    compared_cost_cny: Decimal
    compared_previous_quantity: Decimal
    compared_previous_cost_cny: Decimal


def _year_earlier_month(d: date) -> date:
    return d.replace(year=d.year - 1)


async def meter_years(session: AsyncSession, *, flt: MeterFilter, first: date, after: date) -> list[MeterYears]:
    """Per meter, the like-for-like pairing of :func:`telemetry_ingest.energy.like_for_like.compare` over the
    cost rollup, in SQL: the whole months ``[first, after)`` (at most a year) beside the same months a year
    earlier; a meter-day counts when it has at least one reading interval (a daily cost row), as there.

    Sums come from the monthly cost rollup (a dozen rows per meter and year instead of 365 days of periods). A
    meter-month that reported on every day in both years, both months of one length, pairs every day: it is
    compared whole. Only the other meter-months that reported in both years (a gap, a meter added or removed
    that month, a February next to a leap year's) are paired day by day from the daily rows. The sums are
    exact decimals, so the grouping does not change them."""
    if first.day != 1 or after.day != 1 or not first < after <= first.replace(year=first.year + 1):
        raise ValueError("meter_years compares whole months of at most a year")
    where, params = flt.sql()
    sql = f"""WITH m AS (SELECT m.id FROM telemetry.meter m WHERE {where}),
    mo AS (
        -- one row per meter-month of either year, over its periods
        SELECT c.meter_id, c.month, max(c.days) AS n, sum(c.quantity) AS q, sum(c.cost_cny) AS c,
               coalesce(sum(c.quantity) FILTER (WHERE c.period = ''), 0) AS u,
               CAST(c.month + interval '1 month' AS date) - c.month AS len
        FROM telemetry.energy_monthly_cost c
        WHERE c.meter_id IN (SELECT id FROM m) AND c.month >= :p0 AND c.month < :c1
        GROUP BY 1, 2
    ),
    cur AS (SELECT * FROM mo WHERE month >= :c0),
    prev AS (SELECT * FROM mo WHERE month < :p1),
    pm AS (
        -- the meter-months that reported in both years; whole: every day of both, months of one length
        SELECT cur.meter_id, cur.month, cur.n, cur.q, cur.c, prev.q AS pq, prev.c AS pc,
               (cur.n = cur.len AND prev.n = prev.len AND cur.len = prev.len) AS whole
        FROM cur JOIN prev ON prev.meter_id = cur.meter_id AND prev.month = CAST(cur.month - interval '1 year' AS date)
    ),
    part AS (
        SELECT meter_id, month AS m0 FROM pm WHERE NOT whole
        UNION ALL
        SELECT meter_id, CAST(month - interval '1 year' AS date) FROM pm WHERE NOT whole
    ),
    dd AS (
        -- the meter-days of the other months, over their periods
        SELECT c.meter_id, c.day, sum(c.quantity) AS q, sum(c.cost_cny) AS c
        FROM part JOIN telemetry.energy_daily_cost c ON c.meter_id = part.meter_id AND c.day >= part.m0
             AND c.day < CAST(part.m0 + interval '1 month' AS date)
        GROUP BY 1, 2
    ),
    pd AS (
        SELECT a.meter_id, count(*) AS n, sum(a.q) AS q, sum(a.c) AS c, sum(b.q) AS pq, sum(b.c) AS pc
        FROM dd a JOIN dd b ON b.meter_id = a.meter_id AND b.day = CAST(a.day - interval '1 year' AS date)
        WHERE a.day >= :c0 AND b.day < :p1 AND NOT (extract(month FROM a.day) = 2 AND extract(day FROM a.day) = 29)
        GROUP BY 1
    ),
    p AS (
        SELECT meter_id, sum(n) AS n, sum(q) AS q, sum(c) AS c, sum(pq) AS pq, sum(pc) AS pc
        FROM (SELECT meter_id, n, q, c, pq, pc FROM pm WHERE whole UNION ALL SELECT * FROM pd) x GROUP BY 1
    ),
    a AS (SELECT meter_id, sum(n) AS n, sum(q) AS q, sum(c) AS c, sum(u) AS u FROM cur GROUP BY 1),
    b AS (SELECT meter_id, sum(n) AS n, sum(q) AS q, sum(c) AS c FROM prev GROUP BY 1)
    SELECT coalesce(a.meter_id, b.meter_id), CAST(coalesce(a.n, 0) AS bigint), coalesce(a.q, 0), coalesce(a.c, 0),
           coalesce(a.u, 0), CAST(coalesce(b.n, 0) AS bigint), coalesce(b.q, 0), coalesce(b.c, 0),
           CAST(coalesce(p.n, 0) AS bigint), coalesce(p.q, 0), coalesce(p.c, 0), coalesce(p.pq, 0), coalesce(p.pc, 0)
    FROM a FULL JOIN b ON b.meter_id = a.meter_id LEFT JOIN p ON p.meter_id = a.meter_id
    ORDER BY 1"""
    params.update(c0=first, c1=after, p0=_year_earlier_month(first), p1=_year_earlier_month(after))
    rows = await session.execute(text(sql), params)
    return [MeterYears(*r) for r in rows.tuples()]


async def pair_costs(session: AsyncSession, *, meters: list[str], days: list[int]) -> Decimal:
    """Yuan of the cost rollup over the given meter-days (lists of equal length; days as day numbers since
    1970-01-01, ``like_for_like.day_number``: integers need no date object each)."""
    value = await session.scalar(
        text(
            "SELECT coalesce(sum(c.cost_cny), 0) FROM unnest(CAST(:meters AS text[]), CAST(:days AS int[])) AS g(m, d)"
            " JOIN telemetry.energy_daily_cost c ON c.meter_id = g.m AND c.day = DATE '1970-01-01' + g.d"
        ),
        {"meters": meters, "days": days},
    )
    return Decimal(value or 0)


async def meters_with_costs(session: AsyncSession, *, flt: MeterFilter, first: date, after: date) -> set[str]:
    """Meters of ``flt`` with a cost rollup row on a local day of ``[first, after)`` (a meter-day with at least
    one reading interval)."""
    where, params = flt.sql()
    rows = await session.execute(
        text(
            f"SELECT m.id FROM telemetry.meter m WHERE {where} AND EXISTS (SELECT 1 FROM telemetry.energy_daily_cost c"
            " WHERE c.meter_id = m.id AND c.day >= :first AND c.day < :after)"
        ),
        {**params, "first": first, "after": after},
    )
    return {r[0] for r in rows}
