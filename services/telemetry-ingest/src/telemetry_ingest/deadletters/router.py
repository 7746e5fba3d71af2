"""HTTP route that lists the dead letters."""

from __future__ import annotations

from fastapi import Depends, Query

from houqin_common.auth import READ_ALL, Principal, Role, require_roles
from houqin_common.db import DbSession
from houqin_common.errors import COMMON_ERRORS
from houqin_common.pagination import PageParams, sorted_page, to_page
from houqin_common.routing import ServiceRouter
from houqin_common.schemas import IsoDateTime, Page
from telemetry_ingest.deadletters import service
from telemetry_ingest.deadletters.schemas import DeadLetterRead

router = ServiceRouter(tags=["dead-letters"], responses=COMMON_ERRORS)


@router.get("/dead-letters", response_model=Page[DeadLetterRead])
async def list_dead_letters(
    session: DbSession,
    page: PageParams = Depends(sorted_page("-received_at")),
    source: str | None = Query(None, max_length=16, description="`mqtt` or `http`"),
    topic: str | None = Query(None, max_length=300, description="exact topic"),
    code: str | None = Query(None, max_length=32, description="rejection code, e.g. `invalid` or `unknown_device`"),
    reason: str | None = Query(None, max_length=100, description="text contained in the reason (its English wording)"),
    since: IsoDateTime | None = Query(None, description="received at or after (with offset)"),
    _: Principal = Depends(require_roles(Role.supervisor, Role.gateway, *READ_ALL)),
) -> Page[DeadLetterRead]:
    """Messages the ingest rejected (not UTF-8, not JSON, duplicate keys, U+0000 or lone surrogates, wrong
    types, non-finite numbers, values out of range, unknown device or topic, topic/payload id mismatch,
    oversize, future time, refused by the database), with the raw bytes as received, newest first."""
    rows, total = await service.list_dead_letters(
        session, page, source=source, topic=topic, code=code, reason=reason, since=since
    )
    return to_page(DeadLetterRead, rows, total, page)
