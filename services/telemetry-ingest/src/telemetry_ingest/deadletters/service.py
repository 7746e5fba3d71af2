"""Dead-letter listing: pages with the reasons rendered in the reader's language."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from houqin_common.pagination import PageParams
from telemetry_ingest.deadletters import repository
from telemetry_ingest.models import DeadLetter


async def list_dead_letters(
    session: AsyncSession,
    page: PageParams,
    *,
    source: str | None,
    topic: str | None,
    code: str | None,
    reason: str | None,
    since: datetime | None,
) -> tuple[list[DeadLetter], int]:
    """Sort by `id` (default, newest first) or `received_at`."""
    sort, desc = page.order(set(repository.DEAD_LETTER_SORTS), "-id")
    return await repository.list_dead_letters(
        session,
        source=source,
        topic=topic,
        code=code,
        reason=reason,
        since=since,
        sort=sort,
        desc=desc,
        limit=page.limit,
        offset=page.offset,
    )
