"""Fleet queries: positions, trips, trip requests, alerts; distance per day in SQL (jumps ignored)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from telemetry_ingest.analytics.sql import segment_sql
from telemetry_ingest.fleet.arrays import FixArrays
from telemetry_ingest.fleet.rules import Fix
from telemetry_ingest.models import Calendar, Geofence, Vehicle
from telemetry_ingest.models.analytics import Alert, Trip, TripRequest

POSITION_CHANNEL = "houqin_positions"


async def vehicle(session: AsyncSession, vehicle_id: str) -> Vehicle | None:
    return await session.get(Vehicle, vehicle_id)


async def plates(session: AsyncSession, vehicle_ids: set[str]) -> dict[str, str]:
    """The plate of each of ``vehicle_ids`` that is registered."""
    if not vehicle_ids:
        return {}
    rows = await session.execute(select(Vehicle.id, Vehicle.plate).where(Vehicle.id.in_(sorted(vehicle_ids))))
    return {vid: plate for vid, plate in rows.tuples()}


async def vehicles(session: AsyncSession, *, vendor_id: str | None, department: str | None = None) -> list[Vehicle]:
    stmt = select(Vehicle).order_by(Vehicle.id)
    if vendor_id is not None:
        stmt = stmt.where(Vehicle.vendor_id == vendor_id)
    if department is not None:
        stmt = stmt.where(Vehicle.department == department)
    return list((await session.execute(stmt)).scalars())


async def calendar(session: AsyncSession, calendar_id: str) -> Calendar | None:
    return await session.get(Calendar, calendar_id)


async def geofence(session: AsyncSession, geofence_id: str) -> Geofence | None:
    return await session.get(Geofence, geofence_id)


async def fixes(
    session: AsyncSession, *, vehicle_id: str, start: datetime, end: datetime, limit: int | None = None
) -> list[Fix]:
    sql = (
        "SELECT ts, lat, lon, speed_kmh, ignition FROM telemetry.position"
        " WHERE vehicle_id = :v AND ts >= :start AND ts < :end ORDER BY ts"
    )
    if limit is not None:
        sql += " LIMIT :limit"
    rows = await session.execute(text(sql), {"v": vehicle_id, "start": start, "end": end, "limit": limit})
    return [Fix(*r) for r in rows.tuples()]


# Each column as one bytea of big-endian binary values (the types' send functions: a timestamptz is its
# int64 microseconds since 2000-01-01), no per-element framing to decode: a day of 250 vehicles is 10 M
# values. The aggregates take no ORDER BY (one sort each); they all see the rows in the same order, and
# FixArrays.from_binary sorts by time (the primary key makes instants unique per vehicle).
_COLUMNS = (
    "string_agg(timestamptz_send(ts), ''), string_agg(float8send(lat), ''), string_agg(float8send(lon), ''),"
    " string_agg(float8send(coalesce(CAST(speed_kmh AS float8), 'NaN')), ''),"
    " string_agg(int2send(CAST(CASE WHEN ignition THEN 1 WHEN NOT ignition THEN 0 ELSE -1 END AS int2)), '')"
)


async def tracks(
    session: AsyncSession, *, vehicle_ids: list[str], start: datetime, end: datetime
) -> dict[str, FixArrays]:
    """The fixes of many vehicles as time-sorted columns, one query (one row per vehicle): the
    evaluator's input, without a Python object per fix."""
    out = {v: FixArrays.empty() for v in vehicle_ids}
    if not vehicle_ids:
        return out
    rows = await session.execute(
        text(
            f"SELECT vehicle_id, {_COLUMNS} FROM telemetry.position"
            " WHERE vehicle_id = ANY(:ids) AND ts >= :start AND ts < :end GROUP BY vehicle_id"
        ),
        {"ids": list(vehicle_ids), "start": start, "end": end},
    )
    for vid, *columns in rows.tuples():
        out[vid] = FixArrays.from_binary(*columns)
    return out


async def track(
    session: AsyncSession, *, vehicle_id: str, start: datetime, end: datetime, limit: int | None = None
) -> FixArrays:
    """:func:`fixes` of one vehicle as time-sorted columns (the first ``limit`` in time)."""
    row = (
        await session.execute(
            text(
                f"SELECT {_COLUMNS} FROM (SELECT ts, lat, lon, speed_kmh, ignition FROM telemetry.position"
                " WHERE vehicle_id = :v AND ts >= :start AND ts < :end ORDER BY ts LIMIT :limit) p"
            ),
            {"v": vehicle_id, "start": start, "end": end, "limit": limit},
        )
    ).one()
    return FixArrays.empty() if row[0] is None else FixArrays.from_binary(*row)


async def last_fix_at_many(session: AsyncSession, vehicle_ids: list[str], before: datetime) -> dict[str, datetime]:
    """:func:`last_fix_at` of many vehicles (an index descent per vehicle)."""
    rows = await session.execute(
        text(
            "SELECT v.id, (SELECT max(ts) FROM telemetry.position p WHERE p.vehicle_id = v.id AND p.ts <= :before)"
            " FROM unnest(CAST(:ids AS text[])) AS v(id)"
        ),
        {"ids": list(vehicle_ids), "before": before},
    )
    return {vid: ts for vid, ts in rows.tuples() if ts is not None}


async def calendars(session: AsyncSession, ids: set[str]) -> dict[str, Calendar]:
    if not ids:
        return {}
    return {c.id: c for c in (await session.execute(select(Calendar).where(Calendar.id.in_(ids)))).scalars()}


async def geofences(session: AsyncSession, ids: set[str]) -> dict[str, Geofence]:
    if not ids:
        return {}
    return {g.id: g for g in (await session.execute(select(Geofence).where(Geofence.id.in_(ids)))).scalars()}


async def last_fix_at(session: AsyncSession, vehicle_id: str, before: datetime) -> datetime | None:
    value = await session.scalar(
        text("SELECT max(ts) FROM telemetry.position WHERE vehicle_id = :v AND ts <= :before"),
        {"v": vehicle_id, "before": before},
    )
    return value  # type: ignore[no-any-return]


async def latest_positions(session: AsyncSession, *, vendor_id: str | None) -> list[dict[str, Any]]:
    """The newest fix of every registered vehicle (index-only descent per vehicle via LATERAL)."""
    rows = await session.execute(
        text(
            "SELECT v.id, v.plate, v.department, v.vendor_id, p.ts, p.lat, p.lon, p.speed_kmh, p.heading,"
            " p.ignition FROM telemetry.vehicle v CROSS JOIN LATERAL (SELECT * FROM telemetry.position p"
            " WHERE p.vehicle_id = v.id ORDER BY p.ts DESC LIMIT 1) p"
            " WHERE CAST(:vendor AS text) IS NULL OR v.vendor_id = :vendor ORDER BY v.id"
        ),
        {"vendor": vendor_id},
    )
    return [dict(r) for r in rows.mappings()]


# A day's distance is the sum of its own segments (the window restarts at local midnight), so the sum of the
# daily rollup over whole days equals this query over the same days exactly.
DISTANCE_SQL = f"""
WITH s AS (
    SELECT p.vehicle_id, p.ts, {segment_sql("p")}
    FROM telemetry.position p
    WHERE p.vehicle_id IN (SELECT id FROM telemetry.vehicle v WHERE {{where}}) AND p.ts >= :start AND p.ts < :end
    WINDOW w AS (PARTITION BY p.vehicle_id, CAST(p.ts AT TIME ZONE :tz AS date) ORDER BY p.ts)
)
SELECT vehicle_id, date_trunc(:unit, ts AT TIME ZONE :tz) AS bucket, sum(m) / 1000.0 AS km
FROM s WHERE dt > 0 AND m / dt * 3.6 <= :max_speed
GROUP BY 1, 2 ORDER BY 1, 2
"""


async def distance(
    session: AsyncSession,
    *,
    start: datetime,
    end: datetime,
    unit: str,
    tz: str,
    max_speed_kmh: float,
    vehicle_id: str | None = None,
    vendor_id: str | None = None,
) -> list[dict[str, Any]]:
    """km per vehicle and local day/month; a segment implying more than ``max_speed_kmh`` is a GPS jump
    and is left out (both segments around a jumping fix, the SQL twin of the oracle's ``drop_jumps``)."""
    where = ["TRUE"]
    params: dict[str, Any] = {"start": start, "end": end, "unit": unit, "tz": tz, "max_speed": max_speed_kmh}
    if vehicle_id is not None:
        where.append("v.id = :vid")
        params["vid"] = vehicle_id
    if vendor_id is not None:
        where.append("v.vendor_id = :vendor")
        params["vendor"] = vendor_id
    rows = await session.execute(text(DISTANCE_SQL.format(where=" AND ".join(where))), params)
    return [{"vehicle_id": r.vehicle_id, "bucket": r.bucket, "km": float(r.km)} for r in rows]


async def replace_trips(
    session: AsyncSession, *, vehicle_id: str, start: datetime, end: datetime, trips: list[dict[str, Any]]
) -> None:
    await session.execute(
        text("DELETE FROM telemetry.trip WHERE vehicle_id = :v AND start_at >= :start AND start_at < :end"),
        {"v": vehicle_id, "start": start, "end": end},
    )
    for t in trips:
        session.add(Trip(vehicle_id=vehicle_id, **t))
    await session.flush()


async def replace_trips_many(
    session: AsyncSession, *, vehicle_ids: list[str], start: datetime, end: datetime, trips: list[dict[str, Any]]
) -> None:
    """:func:`replace_trips` of many vehicles: one delete, one multi-row insert (rows carry vehicle_id)."""
    await session.execute(
        text("DELETE FROM telemetry.trip WHERE vehicle_id = ANY(:ids) AND start_at >= :start AND start_at < :end"),
        {"ids": list(vehicle_ids), "start": start, "end": end},
    )
    if trips:
        await session.execute(insert(Trip), trips)


async def approved_requests_many(
    session: AsyncSession, *, vehicle_ids: list[str], start: datetime, end: datetime
) -> list[TripRequest]:
    """:func:`approved_requests` of many vehicles."""
    stmt = select(TripRequest).where(
        TripRequest.vehicle_id.in_(vehicle_ids),
        TripRequest.status == "approved",
        TripRequest.window_end >= start,
        TripRequest.window_start < end,
    )
    return list((await session.execute(stmt)).scalars())


async def approved_requests(
    session: AsyncSession, *, vehicle_id: str, start: datetime, end: datetime
) -> list[TripRequest]:
    stmt = select(TripRequest).where(
        TripRequest.vehicle_id == vehicle_id,
        TripRequest.status == "approved",
        TripRequest.window_end >= start,
        TripRequest.window_start < end,
    )
    return list((await session.execute(stmt)).scalars())


async def get_request(session: AsyncSession, request_id: str) -> TripRequest | None:
    return await session.get(TripRequest, request_id)


async def list_requests(
    session: AsyncSession,
    *,
    status: str | None,
    vehicle_id: str | None,
    requester: str | None,
    vendor_id: str | None,
    order: Any,
    limit: int,
    offset: int,
) -> tuple[list[TripRequest], int]:
    stmt = select(TripRequest)
    if status is not None:
        stmt = stmt.where(TripRequest.status == status)
    if vehicle_id is not None:
        stmt = stmt.where(TripRequest.vehicle_id == vehicle_id)
    if requester is not None:
        stmt = stmt.where(TripRequest.requester == requester)
    if vendor_id is not None:
        stmt = stmt.where(TripRequest.vehicle_id.in_(select(Vehicle.id).where(Vehicle.vendor_id == vendor_id)))
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = await session.execute(stmt.order_by(order, TripRequest.id).limit(limit).offset(offset))
    return list(rows.scalars()), int(total or 0)


async def list_alerts(
    session: AsyncSession,
    *,
    filters: dict[str, Any],
    order: Any,
    limit: int,
    offset: int,
) -> tuple[list[Alert], int]:
    stmt = select(Alert)
    if filters.get("kind"):
        stmt = stmt.where(Alert.kind.in_(filters["kind"]))
    for name in ("severity", "subject_type", "subject_id", "vendor_id", "department"):
        if filters.get(name) is not None:
            stmt = stmt.where(getattr(Alert, name) == filters[name])
    if filters.get("start") is not None:
        stmt = stmt.where(Alert.started_at >= filters["start"])
    if filters.get("end") is not None:
        stmt = stmt.where(Alert.started_at < filters["end"])
    if filters.get("withdrawn") is not None:
        stmt = stmt.where(Alert.withdrawn_at.is_not(None) if filters["withdrawn"] else Alert.withdrawn_at.is_(None))
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = await session.execute(stmt.order_by(order, Alert.id).limit(limit).offset(offset))
    return list(rows.scalars()), int(total or 0)


async def kpi_rows(
    session: AsyncSession, *, start: datetime, end: datetime, group: str, vendor_id: str | None
) -> list[dict[str, Any]]:
    """Per group (vendor or department): vehicles, trips, trips without violation, violation alerts."""
    key = "v.vendor_id" if group == "vendor" else "v.department"
    rows = await session.execute(
        text(
            f"SELECT {key} AS grp, count(*) AS vehicles,"
            " coalesce(sum(t.trips), 0) AS trips, coalesce(sum(t.clean), 0) AS clean,"
            " coalesce(sum(a.violations), 0) AS violations, array_agg(v.id) AS ids"
            " FROM telemetry.vehicle v"
            " LEFT JOIN LATERAL (SELECT count(*) AS trips, count(*) FILTER (WHERE violations = 0) AS clean"
            "   FROM telemetry.trip WHERE vehicle_id = v.id AND start_at >= :start AND start_at < :end) t ON TRUE"
            " LEFT JOIN LATERAL (SELECT count(*) AS violations FROM telemetry.alert"
            "   WHERE subject_type = 'vehicle' AND subject_id = v.id AND severity = 'violation'"
            "   AND withdrawn_at IS NULL"
            "   AND started_at >= :start AND started_at < :end) a ON TRUE"
            " WHERE CAST(:vendor AS text) IS NULL OR v.vendor_id = :vendor"
            " GROUP BY 1 ORDER BY 1 NULLS LAST"
        ),
        {"start": start, "end": end, "vendor": vendor_id},
    )
    return [dict(r) for r in rows.mappings()]


async def rolled_distance(
    session: AsyncSession, *, first: date, after: date, unit: str, vehicle_id: str | None, vendor_id: str | None
) -> list[dict[str, Any]]:
    """km per vehicle and day/month bucket from ``vehicle_day`` (days with at least one plausible segment,
    as the raw query returns them)."""
    rows = await session.execute(
        text(
            "SELECT vd.vehicle_id, CAST(date_trunc(:unit, vd.day) AS date) AS bucket, sum(vd.distance_km) AS km"
            " FROM telemetry.vehicle_day vd JOIN telemetry.vehicle v ON v.id = vd.vehicle_id"
            " WHERE vd.day >= :first AND vd.day < :after AND vd.segments > 0"
            " AND (CAST(:vid AS text) IS NULL OR v.id = :vid)"
            " AND (CAST(:vendor AS text) IS NULL OR v.vendor_id = :vendor) GROUP BY 1, 2"
        ),
        {"first": first, "after": after, "unit": unit, "vid": vehicle_id, "vendor": vendor_id},
    )
    return [{"vehicle_id": r.vehicle_id, "bucket": r.bucket, "km": float(r.km)} for r in rows]


def vehicle_scope_sql(vehicle_id: str | None, vendor_id: str | None) -> tuple[str, dict[str, Any]]:
    return (
        "SELECT v.id FROM telemetry.vehicle v WHERE (CAST(:vid AS text) IS NULL OR v.id = :vid)"
        " AND (CAST(:vendor AS text) IS NULL OR v.vendor_id = :vendor)",
        {"vid": vehicle_id, "vendor": vendor_id},
    )


async def active_alerts(
    session: AsyncSession,
    *,
    vehicle_id: str | list[str],
    kinds: list[str] | None,
    start: datetime | None,
    end: datetime | None,
) -> list[Alert]:
    """Alerts of the vehicle(s) not withdrawn, started in [start, end) when given."""
    ids = [vehicle_id] if isinstance(vehicle_id, str) else vehicle_id
    stmt = select(Alert).where(Alert.subject_type == "vehicle", Alert.subject_id.in_(ids), Alert.withdrawn_at.is_(None))
    if start is not None:
        stmt = stmt.where(Alert.started_at >= start)
    if end is not None:
        stmt = stmt.where(Alert.started_at < end)
    if kinds is not None:
        stmt = stmt.where(Alert.kind.in_(kinds))
    return list((await session.execute(stmt)).scalars())


async def first_fix_after(session: AsyncSession, *, vehicle_id: str, after: datetime) -> datetime | None:
    return await session.scalar(  # type: ignore[no-any-return]
        text("SELECT min(ts) FROM telemetry.position WHERE vehicle_id = :v AND ts > :after"),
        {"v": vehicle_id, "after": after},
    )
