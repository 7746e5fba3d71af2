"""Canteen queries: purchases and covers of a month, settlement versions, survey answers on the canteen."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.models import (
    Answer,
    Campaign,
    CanteenCovers,
    CanteenPurchase,
    CanteenSettlement,
    Response,
    ServiceItem,
)


async def known_unit(session: AsyncSession, canteen: str, item: str) -> str | None:
    """The unit of the item's first purchase in this canteen."""
    row = await session.execute(
        select(CanteenPurchase.unit)
        .where(CanteenPurchase.canteen == canteen, CanteenPurchase.item == item)
        .order_by(CanteenPurchase.created_at, CanteenPurchase.id)
        .limit(1)
    )
    return row.scalar_one_or_none()


async def signed_off(session: AsyncSession, canteen: str, month: str) -> bool:
    row = await session.execute(
        select(func.count())
        .select_from(CanteenSettlement)
        .where(
            CanteenSettlement.canteen == canteen,
            CanteenSettlement.month == month,
            CanteenSettlement.status == "signed_off",
        )
    )
    return bool(row.scalar_one())


async def purchases(
    session: AsyncSession, canteen: str, start: date, end: date, *, limit: int | None = None, offset: int = 0
) -> tuple[list[CanteenPurchase], int]:
    where = (
        CanteenPurchase.canteen == canteen,
        CanteenPurchase.purchased_on >= start,
        CanteenPurchase.purchased_on < end,
    )
    total = (await session.execute(select(func.count()).select_from(CanteenPurchase).where(*where))).scalar_one()
    stmt = select(CanteenPurchase).where(*where).order_by(CanteenPurchase.purchased_on, CanteenPurchase.id)
    if limit is not None:
        stmt = stmt.limit(limit).offset(offset)
    return list((await session.execute(stmt)).scalars()), int(total)


async def covers(session: AsyncSession, canteen: str, start: date, end: date) -> list[CanteenCovers]:
    rows = await session.execute(
        select(CanteenCovers)
        .where(CanteenCovers.canteen == canteen, CanteenCovers.served_on >= start, CanteenCovers.served_on < end)
        .order_by(CanteenCovers.served_on, CanteenCovers.meal, CanteenCovers.tier)
    )
    return list(rows.scalars())


async def versions(session: AsyncSession, canteen: str, month: str, *, lock: bool = False) -> list[CanteenSettlement]:
    stmt = (
        select(CanteenSettlement)
        .where(CanteenSettlement.canteen == canteen, CanteenSettlement.month == month)
        .order_by(CanteenSettlement.version)
    )
    if lock:
        stmt = stmt.with_for_update()
    return list((await session.execute(stmt)).scalars())


async def list_settlements(
    session: AsyncSession, *, canteen: str | None, month: str | None, vendor_id: str | None, limit: int, offset: int
) -> tuple[list[CanteenSettlement], int]:
    stmt = select(CanteenSettlement)
    if canteen:
        stmt = stmt.where(CanteenSettlement.canteen == canteen)
    if month:
        stmt = stmt.where(CanteenSettlement.month == month)
    if vendor_id:
        stmt = stmt.where(CanteenSettlement.catering_vendor_id == vendor_id)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = await session.execute(
        stmt.order_by(CanteenSettlement.month.desc(), CanteenSettlement.canteen, CanteenSettlement.version.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows.scalars()), int(total)


async def get_settlement(session: AsyncSession, settlement_id: str) -> CanteenSettlement | None:
    return await session.get(CanteenSettlement, settlement_id)


async def survey_grades(
    session: AsyncSession, project_code: str, start: date, end: date
) -> tuple[dict[str, int], list[str]]:
    """Answers on the project's survey items in the campaigns that closed in [start, end), by grade."""
    where = (
        ServiceItem.project_code == project_code,
        func.date(Campaign.closes_at) >= start,
        func.date(Campaign.closes_at) < end,
    )
    rows = await session.execute(
        select(Answer.grade, func.count())
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(Campaign, Campaign.id == Response.campaign_id)
        .join(ServiceItem, ServiceItem.id == Answer.item_id)
        .where(*where)
        .group_by(Answer.grade)
    )
    periods = await session.execute(
        select(Campaign.period)
        .distinct()
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(Campaign, Campaign.id == Response.campaign_id)
        .join(ServiceItem, ServiceItem.id == Answer.item_id)
        .where(*where)
        .order_by(Campaign.period)
    )
    return {g: int(n) for g, n in rows}, list(periods.scalars())


def add(session: AsyncSession, rows: Sequence[object]) -> None:
    session.add_all(rows)
