"""Queries of the vendors: the Core read path (one vendor, filtered pages), lookups for imports, qualifications."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts_api.models import CreditRecord, DueDiligence, Qualification, Vendor, VendorLegalStatus, Veto
from contracts_api.vendors.schemas import VendorRead
from houqin_common.hotpath import ReadPool, Row, columns_of, compiled

VENDOR_SORTS = {"name": Vendor.name, "created_at": Vendor.created_at, "credit_code": Vendor.credit_code}


async def get(session: AsyncSession, vendor_id: str) -> Vendor | None:
    return await session.get(Vendor, vendor_id)


async def get_by_credit_code(session: AsyncSession, credit_code: str) -> Vendor | None:
    return (await session.execute(select(Vendor).where(Vendor.credit_code == credit_code))).scalar_one_or_none()


async def existing_credit_codes(session: AsyncSession, codes: list[str]) -> set[str]:
    rows = await session.execute(select(Vendor.credit_code).where(Vendor.credit_code.in_(codes)))
    return set(rows.scalars())


async def existing_ids(session: AsyncSession, ids: list[str]) -> set[str]:
    rows = await session.execute(select(Vendor.id).where(Vendor.id.in_(ids)))
    return set(rows.scalars())


async def _page(
    session: AsyncSession, stmt: Select[Any], *, order: Any, limit: int, offset: int
) -> tuple[list[Any], int]:
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = (await session.execute(stmt.order_by(*order).limit(limit).offset(offset))).scalars()
    return list(rows), int(total)


# --- hot reads (houqin_common.hotpath): Core selects of VendorRead's columns, compiled once per shape ---

_VENDOR = Vendor.__table__
_VENDOR_COLUMNS = columns_of(_VENDOR, VendorRead)


def _vendor_by_id() -> Select[Any]:
    return select(*_VENDOR_COLUMNS).where(_VENDOR.c.id == bindparam("vendor_id"))


async def read_vendor(db: ReadPool, vendor_id: str) -> Row | None:
    """The vendor's VendorRead columns, or None."""
    return await db.fetchrow(compiled("contracts.vendor", _vendor_by_id), vendor_id=vendor_id)


def _vendors_filtered(only_vendor: bool, q: bool, legal_status: bool, vetoed: bool | None) -> Select[Any]:
    stmt = select(*_VENDOR_COLUMNS)
    if only_vendor:
        stmt = stmt.where(_VENDOR.c.id == bindparam("only_vendor_id"))
    if q:
        like: Any = bindparam("like")
        stmt = stmt.where(or_(_VENDOR.c.name.ilike(like), _VENDOR.c.credit_code.ilike(like)))
    if legal_status:
        stmt = stmt.where(_VENDOR.c.legal_status == bindparam("legal_status"))
    if vetoed is not None:
        active = select(Veto.id).where(Veto.vendor_id == _VENDOR.c.id, Veto.lifted_at.is_(None)).exists()
        stmt = stmt.where(active if vetoed else ~active)
    return stmt


async def read_vendors(
    db: ReadPool,
    *,
    q: str | None,
    legal_status: str | None,
    vetoed: bool | None,
    only_vendor_id: str | None,
    sort: str,
    desc: bool,
    limit: int,
    offset: int,
) -> tuple[list[Row], int]:
    """A page of vendors (VendorRead columns) and the total; ``vetoed``: with (true) or without an active veto."""
    flags = (only_vendor_id is not None, bool(q), bool(legal_status), vetoed)
    values: dict[str, Any] = {}
    if only_vendor_id is not None:
        values["only_vendor_id"] = only_vendor_id
    if q:
        values["like"] = f"%{q}%"
    if legal_status:
        values["legal_status"] = legal_status

    def page() -> Select[Any]:
        column = _VENDOR.c[sort]
        order = (column.desc() if desc else column.asc(), _VENDOR.c.id)
        return _vendors_filtered(*flags).order_by(*order).limit(bindparam("limit")).offset(bindparam("offset"))

    count = compiled(
        ("contracts.vendors.count", *flags),
        lambda: select(func.count()).select_from(_vendors_filtered(*flags).subquery()),
    )
    rows = compiled(("contracts.vendors.page", *flags, sort, desc), page)
    async with db.connection() as conn:
        total = await conn.fetchval(count, **values)
        return await conn.fetch(rows, **values, limit=limit, offset=offset), int(total)


QUALIFICATION_SORTS = {
    "valid_to": Qualification.valid_to,
    "valid_from": Qualification.valid_from,
    "kind": Qualification.kind,
}


async def qualifications(session: AsyncSession, vendor_id: str) -> list[Qualification]:
    rows = await session.execute(
        select(Qualification).where(Qualification.vendor_id == vendor_id).order_by(Qualification.valid_to)
    )
    return list(rows.scalars())


async def qualifications_page(
    session: AsyncSession, vendor_id: str, *, mandatory: bool | None, sort: str, desc: bool, limit: int, offset: int
) -> tuple[list[Qualification], int]:
    stmt = select(Qualification).where(Qualification.vendor_id == vendor_id)
    if mandatory is not None:
        stmt = stmt.where(Qualification.mandatory.is_(mandatory))
    # PostgreSQL puts nulls (open-ended validity) last ascending and first descending
    column = QUALIFICATION_SORTS[sort]
    return await _page(
        session, stmt, order=(column.desc() if desc else column.asc(), Qualification.id), limit=limit, offset=offset
    )


async def expiring_qualifications(
    session: AsyncSession, *, until: date, today: date, only_vendor_id: str | None, limit: int, offset: int
) -> tuple[list[Qualification], int]:
    stmt = select(Qualification).where(Qualification.valid_to.is_not(None), Qualification.valid_to <= until)
    stmt = stmt.where(Qualification.valid_to >= today)
    if only_vendor_id is not None:
        stmt = stmt.where(Qualification.vendor_id == only_vendor_id)
    return await _page(session, stmt, order=(Qualification.valid_to, Qualification.id), limit=limit, offset=offset)


async def credit_records(
    session: AsyncSession, vendor_id: str, *, kind: str | None, limit: int, offset: int
) -> tuple[list[CreditRecord], int]:
    stmt = select(CreditRecord).where(CreditRecord.vendor_id == vendor_id)
    if kind:
        stmt = stmt.where(CreditRecord.kind == kind)
    order = (CreditRecord.occurred_date.desc(), CreditRecord.id)
    return await _page(session, stmt, order=order, limit=limit, offset=offset)


async def due_diligence(
    session: AsyncSession, vendor_id: str, *, period: str | None, limit: int, offset: int
) -> tuple[list[DueDiligence], int]:
    stmt = select(DueDiligence).where(DueDiligence.vendor_id == vendor_id)
    if period:
        stmt = stmt.where(DueDiligence.period == period)
    order = (DueDiligence.created_at.desc(), DueDiligence.id)
    return await _page(session, stmt, order=order, limit=limit, offset=offset)


async def vetoes(
    session: AsyncSession, vendor_id: str, *, active: bool | None = None, limit: int = 500, offset: int = 0
) -> tuple[list[Veto], int]:
    stmt = select(Veto).where(Veto.vendor_id == vendor_id)
    if active is not None:
        stmt = stmt.where(Veto.lifted_at.is_(None) if active else Veto.lifted_at.is_not(None))
    return await _page(session, stmt, order=(Veto.recorded_at.desc(), Veto.id), limit=limit, offset=offset)


async def legal_status_before(session: AsyncSession, vendor_id: str, end: datetime) -> str | None:
    """The legal status last recorded before ``end``; before the first record, the first one (the vendor
    did not exist yet, or its history predates the record)."""
    history = select(VendorLegalStatus.legal_status).where(VendorLegalStatus.vendor_id == vendor_id)
    before = history.where(VendorLegalStatus.recorded_at < end)
    last = before.order_by(VendorLegalStatus.recorded_at.desc(), VendorLegalStatus.id.desc()).limit(1)
    first = history.order_by(VendorLegalStatus.recorded_at, VendorLegalStatus.id).limit(1)
    return (await session.scalar(last)) or await session.scalar(first)


async def get_veto(session: AsyncSession, veto_id: str) -> Veto | None:
    return await session.get(Veto, veto_id, with_for_update=True)
