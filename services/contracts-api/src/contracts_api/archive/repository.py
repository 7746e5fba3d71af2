"""Queries of the archive: documents of a contract, their versions, the archive search."""

from __future__ import annotations

from typing import Any

from sqlalchemy import extract, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts_api.models import Contract, Document, Project, Vendor


def like_pattern(q: str) -> str:
    """``q`` as a literal substring for LIKE/ILIKE: ``%``, ``_`` and the escape character itself match
    only themselves (escape character ``\\``)."""
    return "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


#: sort field -> the columns it orders by
DOCUMENT_SORTS = {
    "filename": (Document.filename, Document.version),
    "uploaded_at": (Document.uploaded_at,),
}


async def get(session: AsyncSession, document_id: str) -> Document | None:
    return await session.get(Document, document_id)


async def latest_version(session: AsyncSession, *, contract_id: str, filename: str) -> int | None:
    stmt = select(func.max(Document.version)).where(Document.contract_id == contract_id, Document.filename == filename)
    return (await session.execute(stmt)).scalar_one()


async def list_for_contract(
    session: AsyncSession, contract_id: str, *, filename: str | None, sort: str, desc: bool, limit: int, offset: int
) -> tuple[list[Document], int]:
    stmt = select(Document).where(Document.contract_id == contract_id)
    if filename is not None:
        stmt = stmt.where(Document.filename == filename)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    order = [c.desc() if desc else c.asc() for c in DOCUMENT_SORTS[sort]]
    rows = await session.execute(stmt.order_by(*order, Document.id).limit(limit).offset(offset))
    return list(rows.scalars()), int(total)


async def search(
    session: AsyncSession,
    *,
    filters: dict[str, Any],
    year: int | None,
    q: str | None,
    only_vendor_id: str | None,
    limit: int,
    offset: int,
) -> tuple[list[tuple[Document, Contract]], int]:
    stmt = select(Document, Contract).join(Contract, Contract.id == Document.contract_id)
    for key, value in filters.items():
        if value is not None:
            stmt = stmt.where(getattr(Contract, key) == value)
    if year is not None:
        stmt = stmt.where(extract("year", Contract.start_date) <= year, extract("year", Contract.end_date) >= year)
    if q:
        # people look a document up by what they remember of it: the file name, the contract's title, the
        # vendor's registered name or the project's name (Chinese or English)
        pattern = like_pattern(q)
        stmt = (
            stmt.join(Vendor, Vendor.id == Contract.vendor_id)
            .join(Project, Project.code == Contract.project_code)
            .where(
                or_(
                    *(
                        column.ilike(pattern, escape="\\")
                        for column in (Document.filename, Contract.title, Vendor.name, Project.name_zh, Project.name)
                    )
                )
            )
        )
    if only_vendor_id is not None:
        stmt = stmt.where(Contract.vendor_id == only_vendor_id)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = await session.execute(stmt.order_by(Document.uploaded_at.desc(), Document.id).limit(limit).offset(offset))
    return [(d, c) for d, c in rows.all()], int(total)
