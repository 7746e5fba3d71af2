"""Every query of the procurement domain."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts_api.models import Bid, BidScore, Procurement, Project, Qualification, Quote, Vendor, Veto

PROCUREMENT_SORTS = {"created_at": Procurement.created_at, "estimated_value": Procurement.estimated_value}


async def get(session: AsyncSession, procurement_id: str, *, for_update: bool = False) -> Procurement | None:
    return await session.get(Procurement, procurement_id, with_for_update=for_update)


async def project(session: AsyncSession, code: str) -> Project | None:
    return await session.get(Project, code)


async def list_page(
    session: AsyncSession, *, filters: dict[str, Any], sort: str, desc: bool, limit: int, offset: int
) -> tuple[list[Procurement], int]:
    stmt = select(Procurement)
    for key, value in filters.items():
        if value is not None:
            stmt = stmt.where(getattr(Procurement, key) == value)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    column = PROCUREMENT_SORTS[sort]
    stmt = stmt.order_by(column.desc() if desc else column.asc(), Procurement.id).limit(limit).offset(offset)
    return list((await session.execute(stmt)).scalars()), int(total)


async def quote_exists(session: AsyncSession, procurement_id: str, vendor_id: str) -> bool:
    row = await session.execute(
        select(Quote.id).where(Quote.procurement_id == procurement_id, Quote.vendor_id == vendor_id)
    )
    return row.first() is not None


async def quotes(session: AsyncSession, procurement_id: str) -> list[Quote]:
    rows = await session.execute(
        select(Quote).where(Quote.procurement_id == procurement_id).order_by(Quote.created_at, Quote.id)
    )
    return list(rows.scalars())


async def bid_exists(session: AsyncSession, procurement_id: str, vendor_id: str) -> bool:
    row = await session.execute(select(Bid.id).where(Bid.procurement_id == procurement_id, Bid.vendor_id == vendor_id))
    return row.first() is not None


async def get_bid(session: AsyncSession, bid_id: str) -> Bid | None:
    return await session.get(Bid, bid_id)


async def bids(session: AsyncSession, procurement_id: str) -> list[Bid]:
    """The bids in the order they were received (the earlier bid wins a full tie)."""
    rows = await session.execute(
        select(Bid).where(Bid.procurement_id == procurement_id).order_by(Bid.created_at, Bid.id)
    )
    return list(rows.scalars())


async def sheet_exists(session: AsyncSession, bid_id: str, reviewer: str) -> bool:
    row = await session.execute(select(BidScore.id).where(BidScore.bid_id == bid_id, BidScore.reviewer == reviewer))
    return row.first() is not None


async def sheets(session: AsyncSession, procurement_id: str) -> list[BidScore]:
    rows = await session.execute(
        select(BidScore)
        .join(Bid, Bid.id == BidScore.bid_id)
        .where(Bid.procurement_id == procurement_id)
        .order_by(BidScore.created_at, BidScore.id)
    )
    return list(rows.scalars())


async def eligibility_facts(
    session: AsyncSession, vendor_ids: set[str]
) -> tuple[dict[str, Vendor], dict[str, list[Veto]], dict[str, list[Qualification]]]:
    """Vendors, active vetoes and qualifications of many vendors in three queries (the renewal list)."""
    vendors = {v.id: v for v in (await session.execute(select(Vendor).where(Vendor.id.in_(vendor_ids)))).scalars()}
    vetoes: dict[str, list[Veto]] = {}
    rows = await session.execute(
        select(Veto)
        .where(Veto.vendor_id.in_(vendor_ids), Veto.lifted_at.is_(None))
        .order_by(Veto.recorded_at.desc(), Veto.id)
    )
    for veto in rows.scalars():
        vetoes.setdefault(veto.vendor_id, []).append(veto)
    quals: dict[str, list[Qualification]] = {}
    rows2 = await session.execute(
        select(Qualification).where(Qualification.vendor_id.in_(vendor_ids)).order_by(Qualification.valid_to)
    )
    for q in rows2.scalars():
        quals.setdefault(q.vendor_id, []).append(q)
    return vendors, vetoes, quals
