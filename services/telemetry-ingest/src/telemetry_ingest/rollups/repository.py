"""SQL of the rollups: consume the invalidation log, recompute touched meter-days and vehicle-days.

The energy SQL is the raw interval query of ``energy/repository.py`` (``lag`` with a register look-back,
resets, rollovers, multiplier, the interval counted in the hour it starts) run for whole local days, then
summed upwards: hour -> day -> month. The distance SQL is ``fleet.repository.DISTANCE_SQL`` per day.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from telemetry_ingest.analytics.sql import INTERVAL_KWH_SQL, segment_sql


async def pop_touched(session: AsyncSession, kind: str) -> list[tuple[str, datetime]]:
    """Take the pending touched ranges of ``kind`` (they are refreshed in the same transaction; rows
    committed by writers meanwhile stay for the next pass)."""
    rows = await session.execute(
        text(
            "WITH t AS (DELETE FROM telemetry.touched_range WHERE kind = :k RETURNING subject_id, hour)"
            " SELECT DISTINCT subject_id, hour FROM t"
        ),
        {"k": kind},
    )
    return [(r[0], r[1]) for r in rows]


async def first_pending_hour(
    session: AsyncSession, *, kind: str, subjects_sql: str, params: dict[str, object], start: datetime, end: datetime
) -> datetime | None:
    """The earliest pending touched hour in ``[start, end)`` of the subjects selected by ``subjects_sql``."""
    return await session.scalar(  # type: ignore[no-any-return]
        text(
            "SELECT min(t.hour) FROM telemetry.touched_range t WHERE t.kind = :pk AND t.hour >= :ps AND t.hour < :pe"
            f" AND t.subject_id IN ({subjects_sql})"
        ),
        {**params, "pk": kind, "ps": start, "pe": end},
    )


_RANGES = (
    "SELECT g.subject_id, g.first_day, g.after_day,"
    " CAST(g.first_day AS timestamp) AT TIME ZONE :tz AS d0, CAST(g.after_day AS timestamp) AT TIME ZONE :tz AS d1"
    " FROM unnest(CAST(:subjects AS text[]), CAST(:firsts AS date[]), CAST(:afters AS date[]))"
    " AS g(subject_id, first_day, after_day)"
)


_RANGE_KEYS = ("subjects", "firsts", "afters", "tz")


def _range_params(ranges: list[tuple[str, date, date]], tz: str) -> dict[str, object]:
    return {
        "subjects": [r[0] for r in ranges],
        "firsts": [r[1] for r in ranges],
        "afters": [r[2] for r in ranges],
        "tz": tz,
    }


_WORKING = "CAST(r.prev_ts AT TIME ZONE :tz AS time) >= :ws AND CAST(r.prev_ts AT TIME ZONE :tz AS time) < :we"
"""An interval starting within the working hours (the base-load split, by interval start as the raw query)."""


async def work_hours(session: AsyncSession, calendar_id: str | None) -> tuple[time, time] | None:
    """Working hours of the energy calendar, None when it does not exist."""
    if calendar_id is None:
        return None
    row = (
        await session.execute(
            text("SELECT work_start, work_end FROM telemetry.calendar WHERE id = :id"), {"id": calendar_id}
        )
    ).one_or_none()
    return (row[0], row[1]) if row else None


async def refresh_energy(
    session: AsyncSession,
    *,
    ranges: list[tuple[str, date, date]],
    tz: str,
    lookback: timedelta,
    band: float,
    work_hours: tuple[time, time],
) -> int:
    """Recompute hourly, daily and monthly rows of each (meter, [first_day, after_day)); returns hour rows.
    ``work_hours`` splits the base load (working hours against the rest)."""
    if not ranges:
        return 0
    params = {**_range_params(ranges, tz), "lookback": lookback, "band": band, "ws": work_hours[0], "we": work_hours[1]}
    await session.execute(
        text(
            "CREATE TEMP TABLE dirty_range (subject_id text, first_day date, after_day date, d0 timestamptz,"
            " d1 timestamptz) ON COMMIT DROP"
        )
    )
    await session.execute(text(f"INSERT INTO dirty_range {_RANGES}"), {k: params[k] for k in _RANGE_KEYS})
    await session.execute(
        text(
            "DELETE FROM telemetry.energy_hourly h USING dirty_range g"
            " WHERE h.meter_id = g.subject_id AND h.hour >= g.d0 AND h.hour < g.d1"
        )
    )
    inserted = await session.execute(
        text(
            f"""WITH r AS (
                SELECT rd.meter_id, rd.ts, rd.energy_kwh, rd.d0, rd.d1,
                       lag(rd.energy_kwh) OVER w AS prev_kwh, lag(rd.ts) OVER w AS prev_ts
                FROM (
                    SELECT rd.meter_id, rd.ts, rd.energy_kwh, g.d0, g.d1
                    FROM dirty_range g JOIN telemetry.reading rd ON rd.meter_id = g.subject_id
                     AND rd.ts >= g.d0 - CAST(:lookback AS interval) AND rd.ts < g.d1 + CAST(:lookback AS interval)
                     AND rd.energy_kwh IS NOT NULL
                    UNION ALL
                    -- the first reading past the read range: the range's last interval counts however long
                    -- (as in every raw answer, energy.repository.intervals_cte)
                    SELECT nx.meter_id, nx.ts, nx.energy_kwh, g.d0, g.d1 FROM dirty_range g CROSS JOIN LATERAL (
                        SELECT rd.meter_id, rd.ts, rd.energy_kwh FROM telemetry.reading rd
                        WHERE rd.meter_id = g.subject_id AND rd.energy_kwh IS NOT NULL
                          AND rd.ts >= g.d1 + CAST(:lookback AS interval)
                        ORDER BY rd.ts LIMIT 1
                    ) nx
                ) rd
                WINDOW w AS (PARTITION BY rd.meter_id, rd.d0 ORDER BY rd.ts)
            ), m AS (
                SELECT m.id, CAST(m.multiplier AS float8) AS mult, CAST(m.rollover AS float8) AS rollover
                FROM telemetry.meter m WHERE m.id IN (SELECT subject_id FROM dirty_range)
            )
            INSERT INTO telemetry.energy_hourly (meter_id, hour, kwh, intervals, seconds, working_kwh, working_seconds)
            SELECT r.meter_id, date_trunc('hour', r.prev_ts AT TIME ZONE :tz) AT TIME ZONE :tz,
                   sum({INTERVAL_KWH_SQL}), count(*), sum(extract(epoch FROM r.ts - r.prev_ts)),
                   coalesce(sum({INTERVAL_KWH_SQL}) FILTER (WHERE {_WORKING}), 0),
                   coalesce(sum(extract(epoch FROM r.ts - r.prev_ts)) FILTER (WHERE {_WORKING}), 0)
            FROM r JOIN m ON m.id = r.meter_id
            WHERE r.prev_ts >= r.d0 AND r.prev_ts < r.d1
            GROUP BY 1, 2"""
        ),
        params,
    )
    await _refresh_week_hours(session, "dirty_range", {"tz": tz})
    await session.execute(
        text(
            "DELETE FROM telemetry.energy_daily e USING dirty_range g"
            " WHERE e.meter_id = g.subject_id AND e.day >= g.first_day AND e.day < g.after_day"
        )
    )
    await session.execute(
        text(
            "INSERT INTO telemetry.energy_daily (meter_id, day, kwh, intervals, seconds, working_kwh, working_seconds,"
            " work_start, work_end)"
            " SELECT h.meter_id, CAST(h.hour AT TIME ZONE :tz AS date), sum(h.kwh), sum(h.intervals), sum(h.seconds),"
            " sum(h.working_kwh), sum(h.working_seconds), CAST(:ws AS time), CAST(:we AS time)"
            " FROM dirty_range g JOIN telemetry.energy_hourly h ON h.meter_id = g.subject_id"
            " AND h.hour >= g.d0 AND h.hour < g.d1 GROUP BY 1, 2"
        ),
        {"tz": tz, "ws": work_hours[0], "we": work_hours[1]},
    )
    # every month a dirty range reaches is summed again from its days
    await session.execute(
        text(f"CREATE TEMP TABLE dirty_month ON COMMIT DROP AS {_MONTHS.format(ranges='dirty_range')}")
    )
    await _refresh_month_days(session, "SELECT subject_id, month FROM dirty_month", {})
    await session.execute(
        text(
            "DELETE FROM telemetry.energy_monthly e USING dirty_month g"
            " WHERE e.meter_id = g.subject_id AND e.month = g.month"
        )
    )
    await session.execute(
        text(
            "INSERT INTO telemetry.energy_monthly (meter_id, month, kwh, intervals)"
            " SELECT g.subject_id, g.month, sum(e.kwh), sum(e.intervals)"
            " FROM dirty_month g JOIN telemetry.energy_daily e ON e.meter_id = g.subject_id"
            " AND e.day >= g.month AND e.day < CAST(g.month + interval '1 month' AS date) GROUP BY 1, 2"
        )
    )
    # the daily cost rollup of these meter-days is stale now: log them for the tariffs' repricing
    await session.execute(
        text(
            "INSERT INTO telemetry.touched_range (kind, subject_id, hour)"
            " SELECT 'cost', g.subject_id, CAST(d AS timestamp) AT TIME ZONE :tz"
            " FROM dirty_range g, generate_series(g.first_day, g.after_day - 1, interval '1 day') AS d"
        ),
        {"tz": tz},
    )
    await session.execute(text("DROP TABLE dirty_range"))
    await session.execute(text("DROP TABLE dirty_month"))
    return int(inserted.rowcount or 0)  # type: ignore[attr-defined]


async def _refresh_week_hours(session: AsyncSession, ranges: str, params: dict[str, object]) -> None:
    """Rebuild ``energy_week_hours`` of every local ISO week a meter-day of ``ranges`` (a table or subquery of
    (subject_id, first_day, after_day)) lies in, from the hourly rollup: 7 x 24 hours in local order, NaN and
    a clear mask bit where an hour has no row (a local hour is at most one hourly row: the rollup buckets by
    local wall-clock hour). A week without any hourly row has no row."""
    weeks = (
        f"SELECT DISTINCT g.subject_id AS meter_id, CAST(d - (CAST(extract(isodow FROM d) AS int) - 1) AS date)"
        f" AS week FROM {ranges} g, LATERAL (SELECT CAST(s AS date) AS d FROM"
        " generate_series(g.first_day, g.after_day - 1, interval '1 day') AS s) x"
    )
    await session.execute(
        text(
            f"DELETE FROM telemetry.energy_week_hours e USING ({weeks}) w"
            " WHERE e.meter_id = w.meter_id AND e.week = w.week"
        ),
        params,
    )
    await session.execute(
        text(
            f"""INSERT INTO telemetry.energy_week_hours (meter_id, week, kwh, hours)
            WITH w AS ({weeks}),
            h AS (
                SELECT h.meter_id, CAST(l.lt AS date) AS day, CAST(extract(hour FROM l.lt) AS int) AS i, h.kwh
                FROM w JOIN telemetry.energy_hourly h ON h.meter_id = w.meter_id
                 AND h.hour >= CAST(w.week AS timestamp) AT TIME ZONE :tz
                 AND h.hour < CAST(w.week + 7 AS timestamp) AT TIME ZONE :tz
                CROSS JOIN LATERAL (SELECT h.hour AT TIME ZONE :tz AS lt) l
            ),
            d AS (
                SELECT w.meter_id, w.week, x.day,
                       string_agg(float8send(coalesce(h.kwh, CAST('NaN' AS float8))), '' ORDER BY s.i) AS kwh,
                       coalesce(bit_or(1 << s.i) FILTER (WHERE h.i IS NOT NULL), 0) AS mask
                FROM w CROSS JOIN LATERAL (SELECT w.week + k AS day FROM generate_series(0, 6) AS k) x
                CROSS JOIN generate_series(0, 23) AS s(i)
                LEFT JOIN h ON h.meter_id = w.meter_id AND h.day = x.day AND h.i = s.i
                GROUP BY 1, 2, 3
            )
            SELECT d.meter_id, d.week, string_agg(d.kwh, '' ORDER BY d.day),
                   string_agg(int4send(d.mask), '' ORDER BY d.day)
            FROM d GROUP BY 1, 2 HAVING bit_or(d.mask) <> 0"""
        ),
        params,
    )


_MONTHS = (
    "SELECT DISTINCT g.subject_id, CAST(m AS date) AS month FROM {ranges} g,"
    " generate_series(date_trunc('month', g.first_day), g.after_day - 1, interval '1 month') AS m"
)
"""The (subject_id, month) of every month a range of ``{ranges}`` reaches."""


async def _refresh_month_days(session: AsyncSession, months: str, params: dict[str, object]) -> None:
    """Rebuild ``energy_month_days`` of the (subject_id, month) rows of ``months`` from the daily rollup: the
    month's daily rows in day order as 4 float8 each in 31 slots (zeros and a clear bit where a day has no row
    or the month is shorter), and their working hours when all rows share them. A month without any daily row
    has no row."""
    await session.execute(
        text(
            f"DELETE FROM telemetry.energy_month_days e USING ({months}) g"
            " WHERE e.meter_id = g.subject_id AND e.month = g.month"
        ),
        params,
    )
    await session.execute(
        text(
            f"""INSERT INTO telemetry.energy_month_days (meter_id, month, days, daily, work_start, work_end)
            SELECT g.subject_id, g.month,
                   coalesce(bit_or(1 << (x.day - g.month)) FILTER (WHERE e.day IS NOT NULL), 0),
                   string_agg(float8send(coalesce(e.kwh, 0)) || float8send(coalesce(e.seconds, 0))
                              || float8send(coalesce(e.working_kwh, 0)) || float8send(coalesce(e.working_seconds, 0)),
                              '' ORDER BY x.day) || decode(repeat('00', CAST(32 * (31 - count(*)) AS int)), 'hex'),
                   CASE WHEN count(e.work_start) = count(e.day) AND min(e.work_start) = max(e.work_start)
                        THEN min(e.work_start) END,
                   CASE WHEN count(e.work_end) = count(e.day) AND min(e.work_end) = max(e.work_end)
                        THEN min(e.work_end) END
            FROM ({months}) g
            CROSS JOIN LATERAL (SELECT CAST(d AS date) AS day FROM generate_series(g.month,
                CAST(g.month + interval '1 month' - interval '1 day' AS date), interval '1 day') AS d) x
            LEFT JOIN telemetry.energy_daily e ON e.meter_id = g.subject_id AND e.day = x.day
            GROUP BY 1, 2 HAVING count(e.day) > 0"""
        ),
        params,
    )


async def refresh_derived(session: AsyncSession, *, ranges: list[tuple[str, date, date]], tz: str) -> None:
    """Rebuild the rows derived from the energy rollups (``energy_week_hours``, ``energy_month_days``) of each
    (meter, [first_day, after_day)): the ranges logged as kind ``derive`` (the energy rollups are current,
    only these rows are missing, as after the migration that added them)."""
    if ranges:
        params = _range_params(ranges, tz)
        await _refresh_week_hours(session, f"({_RANGES})", params)
        await _refresh_month_days(session, _MONTHS.format(ranges=f"({_RANGES})"), params)


async def refresh_vehicle_days(
    session: AsyncSession, *, ranges: list[tuple[str, date, date]], tz: str, max_speed_kmh: float
) -> int:
    """Recompute ``vehicle_day`` (km without GPS jumps, fixes) of each (vehicle, [first_day, after_day)),
    zero for a day without fixes, with the SQL of the raw distance query."""
    if not ranges:
        return 0
    params = {**_range_params(ranges, tz), "max_speed": max_speed_kmh}
    result = await session.execute(
        text(
            f"""WITH g AS ({_RANGES}),
            days AS (
                SELECT g.subject_id, CAST(d AS date) AS day FROM g,
                generate_series(g.first_day, g.after_day - 1, interval '1 day') AS d
            ), p AS (
                SELECT p.vehicle_id, p.ts, p.lat, p.lon, {segment_sql("p")}
                FROM g JOIN telemetry.position p ON p.vehicle_id = g.subject_id AND p.ts >= g.d0 AND p.ts < g.d1
                WINDOW w AS (PARTITION BY p.vehicle_id, CAST(p.ts AT TIME ZONE :tz AS date) ORDER BY p.ts)
            ), s AS (
                SELECT vehicle_id, CAST(ts AT TIME ZONE :tz AS date) AS day, count(*) AS fixes,
                       count(*) FILTER (WHERE dt > 0 AND m / dt * 3.6 <= :max_speed) AS segments,
                       coalesce(sum(m) FILTER (WHERE dt > 0 AND m / dt * 3.6 <= :max_speed), 0) / 1000.0 AS km
                FROM p GROUP BY 1, 2
            )
            INSERT INTO telemetry.vehicle_day (vehicle_id, day, distance_km, fixes, segments)
            SELECT days.subject_id, days.day, coalesce(s.km, 0), coalesce(s.fixes, 0), coalesce(s.segments, 0)
            FROM days LEFT JOIN s ON s.vehicle_id = days.subject_id AND s.day = days.day
            ON CONFLICT (vehicle_id, day) DO UPDATE SET distance_km = EXCLUDED.distance_km,
              fixes = EXCLUDED.fixes, segments = EXCLUDED.segments, evaluated_at = now()"""
        ),
        params,
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
