"""HTTP route that lists the audit log."""

from __future__ import annotations

from fastapi import Depends, Query

from contracts_api.audit import service
from contracts_api.audit.schemas import AuditRead
from houqin_common.auth import READ_ALL, Principal, Role, require_roles
from houqin_common.db import DbSession
from houqin_common.errors import COMMON_ERRORS
from houqin_common.pagination import PageParams, page_window, to_page
from houqin_common.routing import ServiceRouter
from houqin_common.schemas import IsoDateTime, Page

router = ServiceRouter(prefix="/audit", tags=["contracts"], responses=COMMON_ERRORS)


@router.get("", response_model=Page[AuditRead])
async def list_audit_entries(
    session: DbSession,
    entity_type: str | None = Query(
        None, max_length=32, description="vendor, project, procurement, contract, document"
    ),
    entity_id: str | None = Query(None, max_length=64, description="id of the entity"),
    actor: str | None = Query(None, max_length=200, description="who"),
    action: str | None = Query(None, max_length=64, description="e.g. `veto.record`"),
    since: IsoDateTime | None = Query(None, description="entries at or after this instant (ISO 8601 with offset)"),
    page: PageParams = Depends(page_window),
    _: Principal = Depends(require_roles(Role.supervisor, *READ_ALL)),
) -> Page[AuditRead]:
    """The append-only audit log of every write of contracts-api, newest first."""
    rows, total = await service.list_entries(
        session,
        filters={"entity_type": entity_type, "entity_id": entity_id, "actor": actor, "action": action},
        since=since,
        limit=page.limit,
        offset=page.offset,
    )
    return to_page(AuditRead, rows, total, page)
