"""Fleet queries: positions, trips, trip requests, alerts; distance per day in SQL (jumps ignored)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from telemetry_ingest.fleet.rules import Fix
from telemetry_ingest.models import Calendar, Geofence, Vehicle
from telemetry_ingest.models.analytics import Alert, Trip, TripRequest

ALERT_CHANNEL = "houqin_alerts"
POSITION_CHANNEL = "houqin_positions"


async def vehicle(session: AsyncSession, vehicle_id: str) -> Vehicle | None:
    return await session.get(Vehicle, vehicle_id)


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
    return [Fix(r.ts, r.lat, r.lon, r.speed_kmh, r.ignition) for r in rows]


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


DISTANCE_SQL = """
WITH p AS (
    SELECT vehicle_id, ts, lat, lon,
           lag(ts) OVER w AS pts, lag(lat) OVER w AS plat, lag(lon) OVER w AS plon
    FROM telemetry.position
    WHERE vehicle_id IN (SELECT id FROM telemetry.vehicle v WHERE {where}) AND ts >= :start AND ts < :end
    WINDOW w AS (PARTITION BY vehicle_id ORDER BY ts)
), s AS (
    SELECT vehicle_id, pts,
           2 * 6371008.8 * asin(least(1, sqrt(
               power(sin(radians(lat - plat) / 2), 2)
               + cos(radians(plat)) * cos(radians(lat)) * power(sin(radians(lon - plon) / 2), 2)))) AS m,
           extract(epoch FROM ts - pts) AS dt
    FROM p WHERE pts IS NOT NULL
)
SELECT vehicle_id, date_trunc(:unit, pts AT TIME ZONE :tz) AS bucket, sum(m) / 1000.0 AS km
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
    and is left out (both segments around a jumping fix, the SQL twin of :func:`rules.drop_jumps`)."""
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


async def insert_alerts(session: AsyncSession, alerts: list[dict[str, Any]]) -> int:
    """Insert alerts idempotently (unique kind, subject, start); NOTIFY the live stream on commit."""
    if not alerts:
        return 0
    result = await session.execute(
        text(
            "INSERT INTO telemetry.alert (kind, severity, subject_type, subject_id, vendor_id, department,"
            " started_at, ended_at, message, details)"
            " SELECT a.kind, a.severity, a.subject_type, a.subject_id, a.vendor_id, a.department,"
            " a.started_at, a.ended_at, a.message, a.details"
            " FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS a(kind text, severity text, subject_type text,"
            " subject_id text, vendor_id text, department text, started_at timestamptz, ended_at timestamptz,"
            " message text, details jsonb)"
            " ON CONFLICT (kind, subject_id, started_at) DO NOTHING"
        ),
        {"rows": json.dumps(alerts, default=_json_default)},
    )
    created = int(result.rowcount or 0)  # type: ignore[attr-defined]
    if created:
        await session.execute(text(f"NOTIFY {ALERT_CHANNEL}"))
    return created


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


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
    total = await session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = await session.execute(stmt.order_by(order, Alert.id).limit(limit).offset(offset))
    return list(rows.scalars()), int(total or 0)


async def list_trips(session: AsyncSession, *, vehicle_id: str, start: datetime, end: datetime) -> list[Trip]:
    stmt = (
        select(Trip)
        .where(Trip.vehicle_id == vehicle_id, Trip.start_at >= start, Trip.start_at < end)
        .order_by(Trip.start_at)
    )
    return list((await session.execute(stmt)).scalars())


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
            "   AND started_at >= :start AND started_at < :end) a ON TRUE"
            " WHERE CAST(:vendor AS text) IS NULL OR v.vendor_id = :vendor"
            " GROUP BY 1 ORDER BY 1 NULLS LAST"
        ),
        {"start": start, "end": end, "vendor": vendor_id},
    )
    return [dict(r) for r in rows.mappings()]


async def upsert_vehicle_days(session: AsyncSession, *, vehicle_id: str, days: dict[Any, tuple[float, int]]) -> None:
    """Store the distance of whole local days evaluated (zero for a day without fixes)."""
    if not days:
        return
    await session.execute(
        text(
            "INSERT INTO telemetry.vehicle_day (vehicle_id, day, distance_km, fixes)"
            " SELECT :v, d.day, d.km, d.n FROM unnest(CAST(:days AS date[]), CAST(:km AS float8[]),"
            " CAST(:n AS int[])) AS d(day, km, n)"
            " ON CONFLICT (vehicle_id, day) DO UPDATE SET distance_km = EXCLUDED.distance_km,"
            " fixes = EXCLUDED.fixes, evaluated_at = now()"
        ),
        {"v": vehicle_id, "days": list(days), "km": [v[0] for v in days.values()], "n": [v[1] for v in days.values()]},
    )


async def first_unrolled_day(session: AsyncSession, *, first: Any, after: Any, vendor_id: str | None) -> Any:
    """The first day of [first, after) on which some vehicle in scope has no ``vehicle_day`` row."""
    return await session.scalar(
        text(
            "SELECT min(g.day) FROM generate_series(CAST(:first AS date), CAST(:after AS date) - 1, interval '1 day')"
            " AS g(day) CROSS JOIN telemetry.vehicle v"
            " WHERE (CAST(:vendor AS text) IS NULL OR v.vendor_id = :vendor) AND NOT EXISTS (SELECT 1 FROM"
            " telemetry.vehicle_day vd WHERE vd.vehicle_id = v.id AND vd.day = CAST(g.day AS date))"
        ),
        {"first": first, "after": after, "vendor": vendor_id},
    )


async def rolled_distance(session: AsyncSession, *, first: Any, before: Any, vendor_id: str | None) -> dict[str, float]:
    rows = await session.execute(
        text(
            "SELECT vd.vehicle_id, sum(vd.distance_km) AS km FROM telemetry.vehicle_day vd"
            " JOIN telemetry.vehicle v ON v.id = vd.vehicle_id"
            " WHERE vd.day >= :first AND vd.day < :before AND (CAST(:vendor AS text) IS NULL OR v.vendor_id = :vendor)"
            " GROUP BY 1"
        ),
        {"first": first, "before": before, "vendor": vendor_id},
    )
    return {r.vehicle_id: float(r.km) for r in rows}
