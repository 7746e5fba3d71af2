"""Queries of the dead letters: filtered, sorted pages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from telemetry_ingest.models import DeadLetter

DEAD_LETTER_SORTS = {"id": DeadLetter.id, "received_at": DeadLetter.received_at}


async def list_dead_letters(
    session: AsyncSession,
    *,
    source: str | None,
    topic: str | None,
    code: str | None,
    reason: str | None,
    since: datetime | None,
    sort: str,
    desc: bool,
    limit: int,
    offset: int,
) -> tuple[list[DeadLetter], int]:
    stmt = select(DeadLetter)
    if source:
        stmt = stmt.where(DeadLetter.source == source)
    if topic:
        stmt = stmt.where(DeadLetter.topic == topic)
    if code:
        stmt = stmt.where(DeadLetter.code == code)
    if reason:
        stmt = stmt.where(DeadLetter.reason.contains(reason, autoescape=True))
    if since:
        stmt = stmt.where(DeadLetter.received_at >= since)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    column = DEAD_LETTER_SORTS[sort]
    stmt = stmt.order_by(column.desc() if desc else column, DeadLetter.id).limit(limit).offset(offset)
    return list((await session.execute(stmt)).scalars()), int(total)
