"""Alarm panel registry and the alarm event listing."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from houqin_common.errors import Conflict
from houqin_common.i18n import _
from telemetry_ingest.alarms import repository
from telemetry_ingest.alarms.schemas import AlarmEventRead, PanelCreate, PanelRead, ZoneRead
from telemetry_ingest.models import AlarmEvent, AlarmPanel, AlarmZone


async def create_panel(session: AsyncSession, *, panel_in: PanelCreate) -> PanelRead:
    """Register a panel with its zones (the location every alarm of a zone is matched to)."""
    if await session.get(AlarmPanel, panel_in.id) is not None:
        raise Conflict(_("alarm panel {panel_id} already exists", panel_id=panel_in.id))
    zones = [z.zone for z in panel_in.zones]
    if len(set(zones)) != len(zones):
        raise Conflict(_("a zone is listed twice"))
    session.add(
        AlarmPanel(
            id=panel_in.id,
            name=panel_in.name,
            system=panel_in.system,
            building=panel_in.building,
            vendor_id=panel_in.vendor_id,
        )
    )
    await session.flush()
    session.add_all(AlarmZone(panel_id=panel_in.id, **z.model_dump()) for z in panel_in.zones)
    await session.flush()
    return PanelRead(
        id=panel_in.id,
        name=panel_in.name,
        system=panel_in.system,
        building=panel_in.building,
        vendor_id=panel_in.vendor_id,
        zones=[ZoneRead.model_validate(z.model_dump()) for z in panel_in.zones],
    )


async def list_panels(session: AsyncSession) -> list[PanelRead]:
    panels = await repository.list_panels(session)
    zones = await repository.zones_of(session, [p.id for p in panels])
    return [
        PanelRead(
            id=p.id,
            name=p.name,
            system=p.system,
            building=p.building,
            vendor_id=p.vendor_id,
            zones=[ZoneRead.model_validate(z) for z in zones.get(p.id, [])],
        )
        for p in panels
    ]


def event_read(e: AlarmEvent) -> AlarmEventRead:
    return AlarmEventRead(
        id=str(e.id),
        panel_id=e.panel_id,
        zone=e.zone,
        ts=e.ts,
        event=e.event,
        test=e.test,
        restores=e.restores,
        text=e.text,
        received_at=e.received_at,
        cleared_at=e.cleared_at,
        hazard_id=e.hazard_id,
    )


async def list_events(
    session: AsyncSession, *, panel_id: str | None, active: bool, limit: int, offset: int
) -> list[AlarmEventRead]:
    rows = await repository.list_events(session, panel_id=panel_id, active=active, limit=limit, offset=offset)
    return [event_read(e) for e in rows]
