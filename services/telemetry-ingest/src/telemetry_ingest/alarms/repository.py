"""Queries of the alarm registry and events (the watcher's SQL included)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from telemetry_ingest.models import AlarmEvent, AlarmPanel, AlarmZone


async def zones_of(session: AsyncSession, panel_ids: list[str]) -> dict[str, list[AlarmZone]]:
    rows = await session.execute(
        select(AlarmZone).where(AlarmZone.panel_id.in_(panel_ids)).order_by(AlarmZone.panel_id, AlarmZone.zone)
    )
    out: dict[str, list[AlarmZone]] = {}
    for z in rows.scalars():
        out.setdefault(z.panel_id, []).append(z)
    return out


async def list_panels(session: AsyncSession) -> list[AlarmPanel]:
    return list((await session.execute(select(AlarmPanel).order_by(AlarmPanel.id))).scalars())


async def list_events(
    session: AsyncSession, *, panel_id: str | None, active: bool, limit: int, offset: int
) -> list[AlarmEvent]:
    stmt = select(AlarmEvent)
    if panel_id is not None:
        stmt = stmt.where(AlarmEvent.panel_id == panel_id)
    if active:
        stmt = stmt.where(AlarmEvent.cleared_at.is_(None), AlarmEvent.event != "restore")
    stmt = stmt.order_by(AlarmEvent.ts.desc(), AlarmEvent.zone).limit(limit).offset(offset)
    return list((await session.execute(stmt)).scalars())


async def apply_restores(session: AsyncSession) -> int:
    """Clear every active event of a zone by the first later restore of that zone (of its type, or any)."""
    result = await session.execute(
        text(
            "WITH c AS (SELECT e.panel_id, e.zone, e.ts, e.event, ("
            " SELECT min(x.ts) FROM telemetry.alarm_event x"
            " WHERE x.panel_id = e.panel_id AND x.zone = e.zone AND x.event = 'restore' AND x.ts >= e.ts"
            " AND (x.restores IS NULL OR x.restores = e.event)) AS cleared"
            " FROM telemetry.alarm_event e WHERE e.cleared_at IS NULL AND e.event <> 'restore')"
            " UPDATE telemetry.alarm_event a SET cleared_at = c.cleared FROM c"
            " WHERE a.panel_id = c.panel_id AND a.zone = c.zone AND a.ts = c.ts AND a.event = c.event"
            " AND c.cleared IS NOT NULL"
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def due_events(session: AsyncSession, events: list[str], now: datetime, limit: int) -> list[dict[str, Any]]:
    """Candidate events to report (type opens hazards, not a test, not yet reported, old enough to be
    checked against their own grace time), with their zone's location and panel's vendor."""
    rows = await session.execute(
        text(
            "SELECT e.id, e.panel_id, e.zone, e.ts, e.event, e.test, e.cleared_at, e.text,"
            " z.building AS zone_building, z.floor, z.room, z.label, p.building AS panel_building, p.vendor_id"
            " FROM telemetry.alarm_event e JOIN telemetry.alarm_panel p ON p.id = e.panel_id"
            " LEFT JOIN telemetry.alarm_zone z ON z.panel_id = e.panel_id AND z.zone = e.zone"
            " WHERE e.hazard_reported_at IS NULL AND NOT e.test AND e.event = ANY(:events) AND e.ts <= :now"
            " ORDER BY e.ts LIMIT :limit"
        ),
        {"events": events, "now": now, "limit": limit},
    )
    return [dict(r) for r in rows.mappings()]


async def mark_reported(session: AsyncSession, event_id: Any, hazard_id: str | None, at: datetime) -> None:
    await session.execute(
        text("UPDATE telemetry.alarm_event SET hazard_id = :hazard, hazard_reported_at = :at WHERE id = :id"),
        {"hazard": hazard_id, "at": at, "id": event_id},
    )


async def unreported_clears(session: AsyncSession, limit: int) -> list[dict[str, Any]]:
    rows = await session.execute(
        text(
            "SELECT id, cleared_at FROM telemetry.alarm_event"
            " WHERE hazard_id IS NOT NULL AND cleared_at IS NOT NULL AND clear_reported_at IS NULL"
            " ORDER BY cleared_at LIMIT :limit"
        ),
        {"limit": limit},
    )
    return [dict(r) for r in rows.mappings()]


async def mark_clear_reported(session: AsyncSession, event_id: Any, at: datetime) -> None:
    await session.execute(
        text("UPDATE telemetry.alarm_event SET clear_reported_at = :at WHERE id = :id"), {"at": at, "id": event_id}
    )
