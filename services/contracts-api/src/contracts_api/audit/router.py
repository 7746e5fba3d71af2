from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import Field
from sqlalchemy import func, select

from contracts_api.contracts.schemas import HistoryEntry
from contracts_api.models import AuditEntry
from houqin_common.auth import READ_ALL, Principal, Role, require_roles
from houqin_common.db import DbSession
from houqin_common.errors import COMMON_ERRORS
from houqin_common.pagination import PageParams, page_params
from houqin_common.schemas import IsoDateTime, Page

router = APIRouter(prefix="/audit", tags=["contracts"], responses=COMMON_ERRORS)


class AuditRead(HistoryEntry):
    entity_type: str = Field(description="vendor, project, procurement, contract or document")
    entity_id: str = Field(description="id of the entity written")
    contract_id: str | None = Field(description="contract concerned, if any")


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
    page: PageParams = Depends(page_params),
    _: Principal = Depends(require_roles(Role.supervisor, *READ_ALL)),
) -> Page[AuditRead]:
    """The append-only audit log of every write of contracts-api, newest first."""
    stmt = select(AuditEntry)
    filters: dict[str, Any] = {"entity_type": entity_type, "entity_id": entity_id, "actor": actor, "action": action}
    for key, value in filters.items():
        if value is not None:
            stmt = stmt.where(getattr(AuditEntry, key) == value)
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = await session.execute(stmt.order_by(AuditEntry.id.desc()).limit(page.limit).offset(page.offset))
    return Page(
        items=[AuditRead.model_validate(r) for r in rows.scalars()],
        total=int(total),
        limit=page.limit,
        offset=page.offset,
    )
