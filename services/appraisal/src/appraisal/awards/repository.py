"""Queries of the awards domain: award decisions per year, service stars."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.models import AwardDecision, ServiceStar


async def replace_year(session: AsyncSession, year: int, decisions: list[AwardDecision]) -> None:
    """A re-evaluation replaces the year's decisions."""
    await session.execute(delete(AwardDecision).where(AwardDecision.year == year))
    session.add_all(decisions)
    await session.flush()


async def year_decisions(session: AsyncSession, year: int) -> list[AwardDecision]:
    rows = await session.execute(select(AwardDecision).where(AwardDecision.year == year))
    return list(rows.scalars())


async def list_awards(
    session: AsyncSession, *, year: int | None, vendor_id: str | None, limit: int, offset: int
) -> tuple[list[AwardDecision], int]:
    stmt = select(AwardDecision)
    if year is not None:
        stmt = stmt.where(AwardDecision.year == year)
    if vendor_id:
        stmt = stmt.where(AwardDecision.vendor_id == vendor_id)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = await session.execute(
        stmt.order_by(AwardDecision.year.desc(), AwardDecision.rank, AwardDecision.vendor_id)
        .limit(limit)
        .offset(offset)
    )
    return list(rows.scalars()), int(total)


async def list_stars(
    session: AsyncSession, *, year: int | None, vendor_id: str | None, limit: int, offset: int
) -> tuple[list[ServiceStar], int]:
    stmt = select(ServiceStar)
    if year is not None:
        stmt = stmt.where(ServiceStar.year == year)
    if vendor_id:
        stmt = stmt.where(ServiceStar.vendor_id == vendor_id)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = await session.execute(
        stmt.order_by(ServiceStar.year.desc(), ServiceStar.created_at, ServiceStar.id).limit(limit).offset(offset)
    )
    return list(rows.scalars()), int(total)
