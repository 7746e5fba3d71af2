"""Energy queries: interval consumption from cumulative registers with window functions.

The CTE ``d`` is the SQL twin of :func:`telemetry_ingest.energy.arithmetic.intervals`: ``lag`` over
(meter_id ORDER BY ts) gives the previous register value, a fall is a rollover or a reset, the result
is multiplied by the meter's multiplier and attributed to the bucket of the interval START.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from telemetry_ingest.analytics import alerts as alerts_store
from telemetry_ingest.analytics.calendar import UseCalendar
from telemetry_ingest.analytics.sql import INTERVAL_KWH_SQL
from telemetry_ingest.rollups.plan import Piece

GROUP_EXPR = {
    "total": "'total'",
    "meter": "m.id",
    "zone": "coalesce(m.zone, '')",
    "building": "m.building",
    "sub_item": "coalesce(m.sub_item, m.energy_type)",
    "energy_type": "m.energy_type",
    "vendor": "coalesce(m.vendor_id, '')",
}

BUCKET_EXPR = {
    "15min": "date_bin('15 minutes', d.start_ts AT TIME ZONE :tz, TIMESTAMP '2000-01-01')",
    "hour": "date_trunc('hour', d.start_ts AT TIME ZONE :tz)",
    "day": "date_trunc('day', d.start_ts AT TIME ZONE :tz)",
    "month": "date_trunc('month', d.start_ts AT TIME ZONE :tz)",
}


@dataclass(frozen=True)
class MeterFilter:
    """Which meters a query covers; ``vendor_id`` is also how a vendor token is scoped."""

    meter_ids: list[str] | None = None
    building: str | None = None
    zone: str | None = None
    sub_item: str | None = None
    vendor_id: str | None = None

    def sql(self) -> tuple[str, dict[str, Any]]:
        where = ["TRUE"]
        params: dict[str, Any] = {}
        if self.meter_ids:
            where.append("m.id = ANY(CAST(:f_meters AS text[]))")
            params["f_meters"] = list(self.meter_ids)
        if self.building is not None:
            where.append("m.building = :f_building")
            params["f_building"] = self.building
        if self.zone is not None:
            where.append("m.zone = :f_zone")
            params["f_zone"] = self.zone
        if self.sub_item is not None:
            # a code matches itself and every descendant in the national code tree
            where.append(
                "coalesce(m.sub_item, m.energy_type) IN (WITH RECURSIVE t(code) AS ("
                " SELECT CAST(:f_code AS varchar) UNION SELECT c.code FROM telemetry.energy_code c"
                " JOIN t ON c.parent_code = t.code) SELECT code FROM t)"
            )
            params["f_code"] = self.sub_item
        if self.vendor_id is not None:
            where.append("m.vendor_id = :f_vendor")
            params["f_vendor"] = self.vendor_id
        return " AND ".join(where), params


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime
    tz: str
    lookback: timedelta
    band: float


ROLLUP_ROWS = {
    "hour": "SELECT h.meter_id, h.hour AS start_ts, h.kwh, h.intervals AS n FROM telemetry.energy_hourly h"
    " WHERE h.meter_id IN (SELECT id FROM m) AND h.hour >= :{p}s AND h.hour < :{p}e",
    "day": "SELECT h.meter_id, CAST(h.day AS timestamp) AT TIME ZONE :tz AS start_ts, h.kwh, h.intervals AS n"
    " FROM telemetry.energy_daily h WHERE h.meter_id IN (SELECT id FROM m)"
    " AND h.day >= CAST(:{p}s AT TIME ZONE :tz AS date) AND h.day < CAST(:{p}e AT TIME ZONE :tz AS date)",
    "month": "SELECT h.meter_id, CAST(h.month AS timestamp) AT TIME ZONE :tz AS start_ts, h.kwh, h.intervals AS n"
    " FROM telemetry.energy_monthly h WHERE h.meter_id IN (SELECT id FROM m)"
    " AND h.month >= CAST(:{p}s AT TIME ZONE :tz AS date) AND h.month < CAST(:{p}e AT TIME ZONE :tz AS date)",
}


def _bucket(granularity: str | None, start_ts: str) -> str:
    """The answer bucket (a timestamptz) of an interval or rollup row starting at ``start_ts``."""
    if granularity is None:
        return "CAST(:start AS timestamptz)"
    return f"({BUCKET_EXPR[granularity].replace('d.start_ts', start_ts)}) AT TIME ZONE :tz"


def intervals_cte(
    flt: MeterFilter,
    win: Window,
    *,
    rolled: Sequence[Piece] = (),
    raw_start: datetime | None = None,
    granularity: str | None = None,
) -> tuple[str, dict[str, Any]]:
    """CTEs ``m`` (meters) and ``d`` (intervals: meter_id, start_ts, end_ts, kwh, n, bucket).

    ``rolled`` pieces (whole rollup rows: hours, days, months, ``n`` intervals each) answer
    [start, raw_start); the raw readings answer [raw_start, end). ``bucket`` is the ``granularity``
    bucket of the row; a rollup row of that very grain starts its own bucket (no time-zone arithmetic per row).
    """
    where, params = flt.sql()
    raw_start = raw_start or win.start
    sql = f"""
    WITH m AS (
        SELECT m.id, m.building, m.zone, m.sub_item, m.energy_type, m.vendor_id,
               CAST(m.multiplier AS float8) AS mult, CAST(m.rollover AS float8) AS rollover
        FROM telemetry.meter m WHERE {where}
    ), r AS (
        SELECT rd.meter_id, rd.ts, rd.energy_kwh,
               lag(rd.energy_kwh) OVER w AS prev_kwh, lag(rd.ts) OVER w AS prev_ts
        FROM (
            SELECT rd.meter_id, rd.ts, rd.energy_kwh FROM telemetry.reading rd
            WHERE rd.meter_id IN (SELECT id FROM m) AND rd.energy_kwh IS NOT NULL
              AND rd.ts >= CAST(:raw_start AS timestamptz) - CAST(:lookback AS interval)
              AND rd.ts < CAST(:end AS timestamptz) + CAST(:lookback AS interval)
              AND CAST(:raw_start AS timestamptz) < CAST(:end AS timestamptz)
            UNION ALL
            -- the first reading past the read range ends the interval of the window's last reading, however
            -- long the gap (an interval counts where it starts, whichever window asks)
            SELECT nx.meter_id, nx.ts, nx.energy_kwh FROM m CROSS JOIN LATERAL (
                SELECT rd.meter_id, rd.ts, rd.energy_kwh FROM telemetry.reading rd
                WHERE rd.meter_id = m.id AND rd.energy_kwh IS NOT NULL
                  AND rd.ts >= CAST(:end AS timestamptz) + CAST(:lookback AS interval)
                  AND CAST(:raw_start AS timestamptz) < CAST(:end AS timestamptz)
                ORDER BY rd.ts LIMIT 1
            ) nx
        ) rd
        WINDOW w AS (PARTITION BY rd.meter_id ORDER BY rd.ts)
    ), d AS (
        SELECT r.meter_id, r.prev_ts AS start_ts, r.ts AS end_ts, {INTERVAL_KWH_SQL} AS kwh, 1 AS n,
               {_bucket(granularity, "r.prev_ts")} AS bucket
        FROM r JOIN m ON m.id = r.meter_id
        WHERE r.prev_ts >= :raw_start AND r.prev_ts < :end"""
    for i, piece in enumerate(rolled):
        rows = ROLLUP_ROWS[piece.grain].format(p=f"p{i}")
        bucket = "q.start_ts" if piece.grain == granularity else _bucket(granularity, "q.start_ts")
        sql += (
            f"\n        UNION ALL SELECT q.meter_id, q.start_ts, CAST(NULL AS timestamptz), q.kwh, q.n, {bucket}"
            f" FROM ({rows}) q"
        )
        params[f"p{i}s"], params[f"p{i}e"] = piece.start, piece.end
    sql += "\n    )"
    params.update(start=win.start, end=win.end, raw_start=raw_start, lookback=win.lookback, band=win.band, tz=win.tz)
    return sql, params


async def consumption(
    session: AsyncSession,
    *,
    flt: MeterFilter,
    win: Window,
    granularity: str | None,
    group_by: str,
    rolled: Sequence[Piece] = (),
    raw_start: datetime | None = None,
) -> list[dict[str, Any]]:
    """Rows ``{group, bucket, kwh, intervals}``; ``granularity=None`` sums the whole window."""
    cte, params = intervals_cte(flt, win, rolled=rolled, raw_start=raw_start, granularity=granularity)
    sql = f"""{cte}, g AS ({_grouped(group_by, win, rolled, raw_start, granularity)})
    SELECT g.grp, g.bucket, g.kwh, g.intervals FROM g ORDER BY g.bucket, g.grp"""
    rows = (await session.execute(text(sql), params)).mappings().all()
    return [
        {"group": r["grp"], "bucket": r["bucket"], "kwh": float(r["kwh"]), "intervals": r["intervals"]} for r in rows
    ]


async def consumption_series(
    session: AsyncSession,
    *,
    flt: MeterFilter,
    win: Window,
    granularity: str | None,
    group_by: str,
    rolled: Sequence[Piece] = (),
    raw_start: datetime | None = None,
) -> list[dict[str, Any]]:
    """The rows of :func:`consumption` as one ``{group, buckets, kwh, intervals}`` per group (arrays in
    bucket order, groups ordered): a row per group with binary arrays, no text formatting of each value."""
    cte, params = intervals_cte(flt, win, rolled=rolled, raw_start=raw_start, granularity=granularity)
    sql = f"""{cte}, g AS ({_grouped(group_by, win, rolled, raw_start, granularity)})
    SELECT g.grp, array_agg(g.bucket ORDER BY g.bucket) AS buckets, array_agg(g.kwh ORDER BY g.bucket) AS kwh,
           array_agg(g.intervals ORDER BY g.bucket) AS intervals
    FROM g GROUP BY g.grp ORDER BY g.grp"""
    rows = await session.execute(text(sql), params)
    return [{"group": r[0], "buckets": r[1], "kwh": r[2], "intervals": r[3]} for r in rows.tuples()]


async def daily_series(
    session: AsyncSession,
    *,
    flt: MeterFilter,
    win: Window,
    rolled: Sequence[Piece] = (),
    raw_start: datetime | None = None,
) -> list[tuple[str, list[int], list[float]]]:
    """The daily rows of :func:`consumption` per meter with at least one reading interval, as one
    ``(meter, local days, kwh)`` per meter (meters ordered as ``ORDER BY`` orders them; the days of a meter in
    no particular order, the two arrays aligned: the caller sorts them, which spares a sort per meter here).

    Local days are day numbers since 1970-01-01 and kWh float8: binary arrays that the driver decodes in C,
    instead of a mapping, a timestamp and a time-zone conversion per meter-day (a year of 40 meters is
    14 600 of them)."""
    cte, params = intervals_cte(flt, win, rolled=rolled, raw_start=raw_start, granularity="day")
    sql = f"""{cte}, g AS ({_grouped("meter", win, rolled, raw_start, "day")})
    SELECT g.grp,
           array_agg(CAST(g.bucket AT TIME ZONE :tz AS date) - DATE '1970-01-01') AS days,
           array_agg(CAST(g.kwh AS float8)) AS kwh
    FROM g WHERE g.intervals > 0 GROUP BY g.grp ORDER BY g.grp"""
    rows = await session.execute(text(sql), params)
    return [(str(r[0]), list(r[1]), list(r[2])) for r in rows.tuples()]


def _grouped(
    group_by: str, win: Window, rolled: Sequence[Piece], raw_start: datetime | None, granularity: str | None
) -> str:
    """kWh and intervals per group and bucket over the CTEs ``m`` and ``d``. Per meter, when every row of
    ``d`` is a rollup row of the answer's grain (no raw readings in the window), each (meter, bucket) is one
    row already: no aggregation (an hourly chart of 40 meters over a month is 28 800 rows)."""
    whole = (raw_start or win.start) >= win.end and all(p.grain == granularity for p in rolled)
    if group_by == "meter" and whole:
        return "SELECT d.meter_id AS grp, d.bucket, d.kwh, d.n AS intervals FROM d"
    return (
        f"SELECT {GROUP_EXPR[group_by]} AS grp, d.bucket, sum(d.kwh) AS kwh, sum(d.n) AS intervals"
        " FROM d JOIN m ON m.id = d.meter_id GROUP BY 1, 2"
    )


async def top(
    session: AsyncSession,
    *,
    flt: MeterFilter,
    win: Window,
    group_by: str,
    limit: int,
    rolled: Sequence[Piece] = (),
    raw_start: datetime | None = None,
) -> list[dict[str, Any]]:
    cte, params = intervals_cte(flt, win, rolled=rolled, raw_start=raw_start)
    sql = f"""{cte}
    SELECT {GROUP_EXPR[group_by]} AS grp, sum(d.kwh) AS kwh
    FROM d JOIN m ON m.id = d.meter_id GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT :limit"""
    params["limit"] = limit
    rows = (await session.execute(text(sql), params)).mappings().all()
    return [{"group": r["grp"], "kwh": float(r["kwh"])} for r in rows]


@dataclass(frozen=True)
class CalendarRule:
    work_start: time
    work_end: time
    working_weekdays: list[int]
    holidays: list[date]
    extra_workdays: list[date]

    def use_calendar(self) -> UseCalendar:
        """The same rule as the pure calendar that judges days in Python (waste arrays, base load rows)."""
        return UseCalendar.of(self)


async def calendar(session: AsyncSession, calendar_id: str) -> CalendarRule | None:
    row = (
        (
            await session.execute(
                text(
                    "SELECT work_start, work_end, working_weekdays, holidays, extra_workdays"
                    " FROM telemetry.calendar WHERE id = :id"
                ),
                {"id": calendar_id},
            )
        )
        .mappings()
        .one_or_none()
    )
    return CalendarRule(**row) if row else None


async def load_by_category(
    session: AsyncSession, *, flt: MeterFilter, win: Window, cal: CalendarRule
) -> list[dict[str, Any]]:
    """kWh and hours per meter and category (working, night, weekend, holiday) by interval start."""
    cte, params = intervals_cte(flt, win)
    sql = f"""{cte}
    SELECT d.meter_id, c.cat, sum(d.kwh) AS kwh,
           sum(extract(epoch FROM d.end_ts - d.start_ts)) / 3600.0 AS hours
    FROM d
    CROSS JOIN LATERAL (SELECT d.start_ts AT TIME ZONE :tz AS lt) l
    CROSS JOIN LATERAL (SELECT CASE
        WHEN CAST(l.lt AS date) = ANY(CAST(:holidays AS date[])) THEN 'holiday'
        WHEN CAST(extract(isodow FROM l.lt) AS int) = ANY(CAST(:weekdays AS int[]))
             OR CAST(l.lt AS date) = ANY(CAST(:extra AS date[])) THEN
             CASE WHEN CAST(l.lt AS time) >= :ws AND CAST(l.lt AS time) < :we THEN 'working' ELSE 'night' END
        ELSE 'weekend' END AS cat) c
    GROUP BY 1, 2 ORDER BY 1, 2"""
    params.update(
        holidays=cal.holidays,
        weekdays=cal.working_weekdays,
        extra=cal.extra_workdays,
        ws=cal.work_start,
        we=cal.work_end,
    )
    rows = (await session.execute(text(sql), params)).mappings().all()
    return [dict(r) for r in rows]


async def daily_category_load(
    session: AsyncSession,
    *,
    flt: MeterFilter,
    win: Window,
    profiles: dict[str, str],
    cal: CalendarRule,
    daylight: tuple[int, int],
    rolled: Sequence[Piece] = (),
    raw_start: datetime | None = None,
) -> list[tuple[str, date, str, float, int]]:
    """(meter, local day, hour category, kWh, hours with readings) of the hourly buckets of each meter, the
    category of an hour by its local start as :func:`telemetry_ingest.energy.waste.category` classifies it under
    the meter's operating profile (``profiles``: meter -> profile): the waste evaluation's daily averages summed
    in SQL instead of a Python loop over every meter-hour."""
    cte, params = intervals_cte(flt, win, rolled=rolled, raw_start=raw_start, granularity="hour")
    sql = f"""{cte}, h AS (SELECT d.meter_id, d.bucket, sum(d.kwh) AS kwh FROM d GROUP BY 1, 2)
    SELECT h.meter_id, CAST(l.lt AS date) AS day, c.cat, sum(h.kwh) AS kwh, count(*) AS hours
    FROM h JOIN unnest(CAST(:p_meters AS text[]), CAST(:p_profiles AS text[])) AS p(meter_id, profile)
      ON p.meter_id = h.meter_id
    CROSS JOIN LATERAL (SELECT h.bucket AT TIME ZONE :tz AS lt) l
    CROSS JOIN LATERAL (SELECT CASE
        WHEN p.profile = 'continuous' THEN 'continuous'
        WHEN p.profile = 'outdoor_lighting' THEN CASE
             WHEN extract(hour FROM l.lt) >= :dl0 AND extract(hour FROM l.lt) < :dl1 THEN 'daylight' ELSE 'dark' END
        WHEN CAST(l.lt AS date) = ANY(CAST(:holidays AS date[])) THEN 'holiday'
        WHEN CAST(extract(isodow FROM l.lt) AS int) = ANY(CAST(:weekdays AS int[]))
             OR CAST(l.lt AS date) = ANY(CAST(:extra AS date[])) THEN
             CASE WHEN CAST(l.lt AS time) >= :ws AND CAST(l.lt AS time) < :we THEN 'working' ELSE 'night' END
        ELSE 'weekend' END AS cat) c
    GROUP BY 1, 2, 3"""
    params.update(
        p_meters=list(profiles),
        p_profiles=list(profiles.values()),
        dl0=daylight[0],
        dl1=daylight[1],
        holidays=cal.holidays,
        weekdays=cal.working_weekdays,
        extra=cal.extra_workdays,
        ws=cal.work_start,
        we=cal.work_end,
    )
    rows = await session.execute(text(sql), params)
    return [(r[0], r[1], r[2], float(r[3]), int(r[4])) for r in rows.tuples()]


async def week_hours(
    session: AsyncSession, *, flt: MeterFilter, monday: date, after: date
) -> Sequence[tuple[str, int, bytes, bytes]]:
    """The ``energy_week_hours`` rows of the scope's meters and the weeks from ``monday`` starting before
    ``after``: (meter, the week's offset in days from ``monday``, day masks, hourly kWh), by meter and week."""
    where, params = flt.sql()
    rows = await session.execute(
        text(
            "SELECT e.meter_id, e.week - CAST(:monday AS date), e.hours, e.kwh FROM telemetry.energy_week_hours e"
            f" WHERE e.meter_id IN (SELECT m.id FROM telemetry.meter m WHERE {where})"
            " AND e.week >= :monday AND e.week < :after ORDER BY e.meter_id, e.week"
        ),
        {**params, "monday": monday, "after": after},
    )
    return rows.tuples().all()


async def hourly_load(session: AsyncSession, *, flt: MeterFilter, win: Window) -> list[tuple[str, datetime, float]]:
    """(meter, local wall-clock hour, kWh) of the hourly buckets of the window from the raw readings (what
    ``energy_week_hours`` holds for rolled-up days)."""
    cte, params = intervals_cte(flt, win, granularity="hour")
    sql = f"""{cte}
    SELECT d.meter_id, d.bucket AT TIME ZONE :tz, sum(d.kwh) FROM d GROUP BY d.meter_id, d.bucket"""
    rows = await session.execute(text(sql), params)
    return [(r[0], r[1], float(r[2])) for r in rows.tuples()]


async def rolled_work_hours_differ(
    session: AsyncSession, *, flt: MeterFilter, first: date, after: date, cal: CalendarRule
) -> bool:
    """True when a daily rollup row of the scope and days split its base load at other working hours."""
    where, params = flt.sql()
    found = await session.scalar(
        text(
            f"SELECT EXISTS (SELECT 1 FROM telemetry.energy_daily e WHERE e.meter_id IN"
            f" (SELECT m.id FROM telemetry.meter m WHERE {where}) AND e.day >= :first AND e.day < :after"
            " AND (e.work_start IS DISTINCT FROM :ws OR e.work_end IS DISTINCT FROM :we))"
        ),
        {**params, "first": first, "after": after, "ws": cal.work_start, "we": cal.work_end},
    )
    return bool(found)


async def month_days(
    session: AsyncSession, *, flt: MeterFilter, first_month: date, after: date, cal: CalendarRule
) -> tuple[list[tuple[str, int, int, bytes]], bool]:
    """The ``energy_month_days`` rows of the scope's meters and the months from ``first_month`` starting before
    ``after``: (meter, the month's offset in days from ``first_month``, day mask, daily values), by meter and
    month; and whether every row was split at the calendar's working hours."""
    where, params = flt.sql()
    rows = (
        await session.execute(
            text(
                "SELECT e.meter_id, e.month - CAST(:first_month AS date), e.days, e.daily,"
                " e.work_start IS NOT DISTINCT FROM :ws AND e.work_end IS NOT DISTINCT FROM :we"
                " FROM telemetry.energy_month_days e"
                f" WHERE e.meter_id IN (SELECT m.id FROM telemetry.meter m WHERE {where})"
                " AND e.month >= :first_month AND e.month < :after ORDER BY e.meter_id, e.month"
            ),
            {**params, "first_month": first_month, "after": after, "ws": cal.work_start, "we": cal.work_end},
        )
    ).all()
    return [(r[0], r[1], r[2], r[3]) for r in rows], all(r[4] for r in rows)


async def load_by_category_rolled(
    session: AsyncSession, *, flt: MeterFilter, first: date, after: date, cal: CalendarRule
) -> list[dict[str, Any]]:
    """:func:`load_by_category` over whole local days from the daily rollup: a holiday or weekend day is one
    category, a working day splits into its working-hours part and the rest (``working_kwh``/``seconds``,
    split at the calendar's hours when rolled up: the caller checks they are these)."""
    where, params = flt.sql()
    sql = f"""
    SELECT e.meter_id, c.cat, sum(c.kwh) AS kwh, sum(c.seconds) / 3600.0 AS hours
    FROM telemetry.energy_daily e
    CROSS JOIN LATERAL (SELECT CASE
        WHEN e.day = ANY(CAST(:holidays AS date[])) THEN 'holiday'
        WHEN CAST(extract(isodow FROM e.day) AS int) = ANY(CAST(:weekdays AS int[]))
             OR e.day = ANY(CAST(:extra AS date[])) THEN 'working_day'
        ELSE 'weekend' END AS kind) k
    CROSS JOIN LATERAL (
        SELECT k.kind AS cat, e.kwh, e.seconds WHERE k.kind <> 'working_day'
        UNION ALL SELECT 'working', e.working_kwh, e.working_seconds
        WHERE k.kind = 'working_day' AND e.working_seconds > 0
        UNION ALL SELECT 'night', e.kwh - e.working_kwh, e.seconds - e.working_seconds
        WHERE k.kind = 'working_day' AND e.seconds > e.working_seconds
    ) c
    WHERE e.meter_id IN (SELECT m.id FROM telemetry.meter m WHERE {where}) AND e.day >= :first AND e.day < :after
    GROUP BY 1, 2 ORDER BY 1, 2"""
    params.update(
        first=first, after=after, holidays=cal.holidays, weekdays=cal.working_weekdays, extra=cal.extra_workdays
    )
    rows = (await session.execute(text(sql), params)).mappings().all()
    return [dict(r) for r in rows]


async def daily_mean_temperatures(
    session: AsyncSession, *, station: str, start: datetime, end: datetime, tz: str
) -> dict[date, float]:
    rows = await session.execute(
        text(
            "SELECT CAST(ts AT TIME ZONE :tz AS date) AS day, avg(temp_c) AS mean_c FROM telemetry.temperature"
            " WHERE station = :station AND ts >= :start AND ts < :end GROUP BY 1"
        ),
        {"tz": tz, "station": station, "start": start, "end": end},
    )
    return {r.day: float(r.mean_c) for r in rows}


async def upsert_temperatures(session: AsyncSession, *, station: str, rows: list[tuple[datetime, float]]) -> int:
    if not rows:
        return 0
    result = await session.execute(
        text(
            "INSERT INTO telemetry.temperature (station, ts, temp_c)"
            " SELECT :station, t.ts, t.temp FROM unnest(CAST(:ts AS timestamptz[]), CAST(:temps AS float8[]))"
            " AS t(ts, temp) ON CONFLICT (station, ts) DO UPDATE SET temp_c = EXCLUDED.temp_c"
        ),
        {"station": station, "ts": [r[0] for r in rows], "temps": [r[1] for r in rows]},
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def meters(session: AsyncSession, *, flt: MeterFilter) -> list[dict[str, Any]]:
    where, params = flt.sql()
    rows = await session.execute(
        text(
            "SELECT m.id, m.name, m.building, m.zone, m.vendor_id, m.sub_item, m.energy_type, m.unit,"
            " m.operating_profile"
            f" FROM telemetry.meter m WHERE {where} ORDER BY m.id"
        ),
        params,
    )
    return [dict(r) for r in rows.mappings()]


async def insert_alerts(session: AsyncSession, alerts: list[dict[str, Any]]) -> int:
    """Insert alerts idempotently (unique kind, subject, start) and wake the live stream."""
    return await alerts_store.insert_alerts(session, alerts)


async def count_alerts(
    session: AsyncSession, *, vendor_id: str | None, kinds_like: str, start: datetime, end: datetime
) -> int:
    value = await session.scalar(
        text(
            "SELECT count(*) FROM telemetry.alert WHERE kind LIKE :kinds AND started_at >= :start"
            " AND started_at < :end AND withdrawn_at IS NULL AND (CAST(:vendor AS text) IS NULL OR vendor_id = :vendor)"
        ),
        {"kinds": kinds_like, "start": start, "end": end, "vendor": vendor_id},
    )
    return int(value or 0)
