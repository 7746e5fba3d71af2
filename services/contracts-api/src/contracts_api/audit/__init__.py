"""The append-only audit log every write of contracts-api goes through."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from contracts_api.models import AuditEntry, Base

T = TypeVar("T", bound=Base)


async def record(
    session: AsyncSession,
    *,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str,
    contract_id: str | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    comment: str | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one audit entry in the request's transaction (it commits or rolls back with the write)."""
    entry = AuditEntry(
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        contract_id=contract_id,
        from_status=from_status,
        to_status=to_status,
        comment=comment,
        data=data,
    )
    session.add(entry)
    await session.flush()
    return entry


async def add_recorded(
    session: AsyncSession,
    record_: T,
    *,
    actor: str,
    action: str,
    entity_type: str,
    entity_id: str,
    data: dict[str, Any] | None = None,
) -> T:
    """Insert ``record_`` and its audit entry in the request's transaction; returns it with its
    server defaults loaded (ids, timestamps) for the response."""
    session.add(record_)
    await session.flush()
    await session.refresh(record_)
    await record(session, actor=actor, action=action, entity_type=entity_type, entity_id=entity_id, data=data)
    return record_
