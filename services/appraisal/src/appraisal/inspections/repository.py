"""Queries of the inspections: checklists and inspection pages."""

from __future__ import annotations

from datetime import date
from typing import Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.models import ChecklistTemplate, FoodSafetyInspection, RoutineInspection

M = TypeVar("M", RoutineInspection, FoodSafetyInspection)


async def list_checklists(session: AsyncSession, *, limit: int, offset: int) -> tuple[list[ChecklistTemplate], int]:
    total = (await session.execute(select(func.count()).select_from(ChecklistTemplate))).scalar_one()
    rows = await session.execute(
        select(ChecklistTemplate).order_by(ChecklistTemplate.name, ChecklistTemplate.id).limit(limit).offset(offset)
    )
    return list(rows.scalars()), int(total)


async def list_inspections(
    session: AsyncSession,
    model: type[M],
    *,
    vendor_id: str | None,
    since: date | None,
    until: date | None,
    limit: int,
    offset: int,
    order: str,
    desc: bool,
) -> tuple[list[M], int]:
    stmt: Any = select(model)
    if vendor_id:
        stmt = stmt.where(model.vendor_id == vendor_id)
    if since:
        stmt = stmt.where(model.inspected_on >= since)
    if until:
        stmt = stmt.where(model.inspected_on < until)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    col = getattr(model, order)
    rows = await session.execute(stmt.order_by(col.desc() if desc else col, model.id).limit(limit).offset(offset))
    return list(rows.scalars()), int(total)
