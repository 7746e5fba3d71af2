"""Queries of the audit log: filtered pages of audit entries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts_api.models import AuditEntry


async def list_entries(
    session: AsyncSession, *, filters: dict[str, Any], since: datetime | None, limit: int, offset: int
) -> tuple[list[AuditEntry], int]:
    """Entries matching every non-null filter (column -> value), newest first."""
    stmt = select(AuditEntry)
    for key, value in filters.items():
        if value is not None:
            stmt = stmt.where(getattr(AuditEntry, key) == value)
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = await session.execute(stmt.order_by(AuditEntry.id.desc()).limit(limit).offset(offset))
    return list(rows.scalars()), int(total)
