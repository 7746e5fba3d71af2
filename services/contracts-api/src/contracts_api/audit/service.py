"""The append-only audit log every write of contracts-api goes through."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from contracts_api.audit import repository
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
    entity_id: str | Callable[[T], str],
    contract_id: str | Callable[[T], str] | None = None,
    to_status: str | None = None,
    data: dict[str, Any] | None = None,
) -> T:
    """Insert ``record_`` (or write a stored one's changes) and its audit entry in the request's transaction;
    returns it with its server defaults loaded (ids, timestamps, ``updated_at``) for the response.
    ``entity_id`` and ``contract_id`` may be read from the record (a new one has its id only after the flush)."""
    session.add(record_)
    await session.flush()
    await session.refresh(record_)
    await record(
        session,
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id(record_) if callable(entity_id) else entity_id,
        contract_id=contract_id(record_) if callable(contract_id) else contract_id,
        to_status=to_status,
        data=data,
    )
    return record_


async def update_recorded(session: AsyncSession, record_: T, changes: dict[str, Any], **entry: Any) -> T:
    """Apply ``changes`` (attribute -> value) to a stored ``record_``, then flush, refresh and audit it as
    :func:`add_recorded` does (adding an already stored record is a no-op); ``entry`` are its keywords."""
    for key, value in changes.items():
        setattr(record_, key, value)
    return await add_recorded(session, record_, **entry)


async def list_entries(
    session: AsyncSession, *, filters: dict[str, Any], since: datetime | None, limit: int, offset: int
) -> tuple[list[AuditEntry], int]:
    return await repository.list_entries(session, filters=filters, since=since, limit=limit, offset=offset)
