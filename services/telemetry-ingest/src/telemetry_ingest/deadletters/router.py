from __future__ import annotations

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime

from houqin_common.auth import READ_ALL, Principal, Role, require_roles
from houqin_common.db import DbSession
from houqin_common.errors import COMMON_ERRORS
from houqin_common.pagination import PageParams, page_params, to_page
from houqin_common.schemas import Page
from telemetry_ingest.deadletters import service
from telemetry_ingest.deadletters.schemas import DeadLetterRead

router = APIRouter(tags=["dead-letters"], responses=COMMON_ERRORS)


@router.get("/dead-letters", response_model=Page[DeadLetterRead])
async def list_dead_letters(
    session: DbSession,
    page: PageParams = Depends(page_params),
    source: str | None = Query(None, max_length=16, description="`mqtt` or `http`"),
    topic: str | None = Query(None, max_length=300, description="exact topic"),
    reason: str | None = Query(None, max_length=100, description="text contained in the reason"),
    since: AwareDatetime | None = Query(None, description="received at or after (with offset)"),
    _: Principal = Depends(require_roles(Role.supervisor, Role.gateway, *READ_ALL)),
) -> Page[DeadLetterRead]:
    """Messages the ingest rejected (not JSON, wrong types, non-finite numbers, coordinates out of range,
    unknown device, topic/payload id mismatch, oversize, future time), newest first by default."""
    rows, total = await service.list_dead_letters(session, page, source=source, topic=topic, reason=reason, since=since)
    return to_page(DeadLetterRead, rows, total, page)
