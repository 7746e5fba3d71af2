from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from telemetry_ingest.deadletters import repository
from telemetry_ingest.models import DeadLetter

#: fields the dead letters may be sorted by
DEAD_LETTER_SORTS = frozenset(repository.DEAD_LETTER_SORTS)


async def list_dead_letters(
    session: AsyncSession,
    *,
    source: str | None,
    topic: str | None,
    reason: str | None,
    since: datetime | None,
    sort: str,
    desc: bool,
    limit: int,
    offset: int,
) -> tuple[list[DeadLetter], int]:
    return await repository.list_dead_letters(
        session,
        source=source,
        topic=topic,
        reason=reason,
        since=since,
        sort=sort,
        desc=desc,
        limit=limit,
        offset=offset,
    )
