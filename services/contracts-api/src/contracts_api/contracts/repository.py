"""Queries of the contracts: pages, contracts ending in a window, history and reviews."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import extract, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from contracts_api.models import AuditEntry, Contract, Procurement, Project, Review

CONTRACT_SORTS = {
    "start_date": Contract.start_date,
    "end_date": Contract.end_date,
    "value": Contract.value,
    "created_at": Contract.created_at,
    "status": Contract.status,
}


async def get(session: AsyncSession, contract_id: str, *, for_update: bool = False) -> Contract | None:
    return await session.get(Contract, contract_id, with_for_update=for_update, populate_existing=for_update)


async def project_exists(session: AsyncSession, code: str) -> bool:
    return await session.get(Project, code) is not None


async def procurement_exists(session: AsyncSession, procurement_id: str) -> bool:
    return await session.get(Procurement, procurement_id) is not None


async def list_page(
    session: AsyncSession,
    *,
    filters: dict[str, Any],
    year: int | None,
    only_vendor_id: str | None,
    sort: str,
    desc: bool,
    limit: int,
    offset: int,
) -> tuple[list[Contract], int]:
    stmt = select(Contract)
    for key, value in filters.items():
        if value is not None:
            stmt = stmt.where(getattr(Contract, key) == value)
    if year is not None:
        stmt = stmt.where(extract("year", Contract.start_date) <= year, extract("year", Contract.end_date) >= year)
    if only_vendor_id is not None:
        stmt = stmt.where(Contract.vendor_id == only_vendor_id)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    column = CONTRACT_SORTS[sort]
    stmt = stmt.order_by(column.desc() if desc else column.asc(), Contract.id).limit(limit).offset(offset)
    return list((await session.execute(stmt)).scalars()), int(total)


async def ending_between(
    session: AsyncSession, *, start: date, end: date, only_vendor_id: str | None, limit: int, offset: int
) -> tuple[list[Contract], int]:
    """Signed or active contracts ending in [start, end] that no live contract renews yet."""
    successor = aliased(Contract)
    renewed = (
        select(successor.id).where(successor.predecessor_id == Contract.id, successor.status != "terminated").exists()
    )
    stmt = select(Contract).where(
        Contract.status.in_(("signed", "active")), Contract.end_date >= start, Contract.end_date <= end, ~renewed
    )
    if only_vendor_id is not None:
        stmt = stmt.where(Contract.vendor_id == only_vendor_id)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    stmt = stmt.order_by(Contract.end_date, Contract.id).limit(limit).offset(offset)
    return list((await session.execute(stmt)).scalars()), int(total)


async def latest_for_project(session: AsyncSession, project_code: str) -> Contract | None:
    stmt = (
        select(Contract)
        .where(Contract.project_code == project_code, Contract.status.in_(("signed", "active", "completed")))
        .order_by(Contract.end_date.desc(), Contract.id)
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def history(session: AsyncSession, contract_id: str, *, limit: int, offset: int) -> tuple[list[AuditEntry], int]:
    stmt = select(AuditEntry).where(AuditEntry.contract_id == contract_id)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = await session.execute(stmt.order_by(AuditEntry.id).limit(limit).offset(offset))
    return list(rows.scalars()), int(total)


async def reviews(
    session: AsyncSession, contract_id: str, *, kind: str | None, desc: bool, limit: int, offset: int
) -> tuple[list[Review], int]:
    stmt = select(Review).where(Review.contract_id == contract_id)
    if kind is not None:
        stmt = stmt.where(Review.kind == kind)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    order = (Review.created_at.desc(), Review.id.desc()) if desc else (Review.created_at, Review.id)
    rows = await session.execute(stmt.order_by(*order).limit(limit).offset(offset))
    return list(rows.scalars()), int(total)
