"""Queries of the rectification orders and their evidence."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.models import Evidence, Finding, RectificationOrder
from appraisal.scoring.rules import OrderStatus


async def get_order(
    session: AsyncSession, order_id: str, *, lock: bool = False
) -> tuple[RectificationOrder, Finding] | None:
    stmt = (
        select(RectificationOrder, Finding)
        .join(Finding, Finding.id == RectificationOrder.finding_id)
        .where(RectificationOrder.id == order_id)
    )
    if lock:
        stmt = stmt.with_for_update(of=RectificationOrder)
    row = (await session.execute(stmt)).first()
    return (row[0], row[1]) if row else None


async def list_orders(
    session: AsyncSession,
    *,
    vendor_id: str | None,
    status: str | None,
    overdue_on: date | None,
    limit: int,
    offset: int,
    order: str,
    desc: bool,
) -> tuple[list[tuple[RectificationOrder, Finding]], int]:
    stmt = select(RectificationOrder, Finding).join(Finding, Finding.id == RectificationOrder.finding_id)
    if vendor_id:
        stmt = stmt.where(RectificationOrder.vendor_id == vendor_id)
    if status:
        stmt = stmt.where(RectificationOrder.status == status)
    if overdue_on:
        # SQL form of rules.is_overdue
        stmt = stmt.where(
            RectificationOrder.status != OrderStatus.verified,
            RectificationOrder.deadline < overdue_on,
            or_(
                RectificationOrder.status != OrderStatus.submitted,
                RectificationOrder.submitted_on.is_(None),
                RectificationOrder.submitted_on > RectificationOrder.deadline,
            ),
        )
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    col = getattr(RectificationOrder, order)
    rows = await session.execute(
        stmt.order_by(col.desc() if desc else col, RectificationOrder.id).limit(limit).offset(offset)
    )
    return [(o, f) for o, f in rows], int(total)


async def list_evidence(session: AsyncSession, order_id: str) -> list[Evidence]:
    rows = await session.execute(
        select(Evidence).where(Evidence.order_id == order_id).order_by(Evidence.uploaded_at, Evidence.id)
    )
    return list(rows.scalars())
