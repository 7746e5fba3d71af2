"""HTTP API of the alarm panels: /v1/alarm-panels and /v1/alarm-events."""

from __future__ import annotations

from fastapi import Depends, Query, status

from houqin_common.auth import READ_ALL, Principal, Role, require_roles
from houqin_common.db import DbSession
from houqin_common.errors import COMMON_ERRORS, problem_responses
from houqin_common.routing import ServiceRouter
from telemetry_ingest.alarms import service
from telemetry_ingest.alarms.schemas import AlarmEventRead, PanelCreate, PanelRead

router = ServiceRouter(tags=["alarms"], responses=COMMON_ERRORS)

OFFICE = (Role.supervisor, Role.fire_control)


@router.post(
    "/alarm-panels", status_code=status.HTTP_201_CREATED, response_model=PanelRead, responses=problem_responses(409)
)
async def create_alarm_panel(
    panel_in: PanelCreate, session: DbSession, _: Principal = Depends(require_roles(*OFFICE))
) -> PanelRead:
    """Register a fire-alarm panel or intrusion/video system with its zones (building, floor, room): the
    panel may then publish on `houqin/v1/alarms/{panel_id}/events`, and each alarm is matched to its zone."""
    return await service.create_panel(session, panel_in=panel_in)


@router.get("/alarm-panels", response_model=list[PanelRead])
async def list_alarm_panels(
    session: DbSession, _: Principal = Depends(require_roles(*OFFICE, Role.gateway, *READ_ALL))
) -> list[PanelRead]:
    """The registered panels and their zones."""
    return await service.list_panels(session)


@router.get("/alarm-events", response_model=list[AlarmEventRead])
async def list_alarm_events(
    session: DbSession,
    panel_id: str | None = Query(None, max_length=64, description="only this panel"),
    active: bool = Query(False, description="only events not cleared"),
    limit: int = Query(100, ge=1, le=1000, description="at most"),
    offset: int = Query(0, ge=0, description="skip"),
    _: Principal = Depends(require_roles(*OFFICE, *READ_ALL)),
) -> list[AlarmEventRead]:
    """Alarm events as received, newest first, with when a restore cleared them and the hazard they opened."""
    return await service.list_events(session, panel_id=panel_id, active=active, limit=limit, offset=offset)
