"""Queries of the catalogue: service items, template versions, project assignments."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, literal_column, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.models import Assignment, ServiceItem, SurveyTemplate, TemplateItem
from appraisal.models.base import new_id


async def list_items(
    session: AsyncSession, *, project_code: str | None, limit: int, offset: int, order: str, desc: bool
) -> tuple[list[ServiceItem], int]:
    stmt = select(ServiceItem)
    if project_code:
        stmt = stmt.where(ServiceItem.project_code == project_code)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    col = getattr(ServiceItem, order)
    rows = await session.execute(stmt.order_by(col.desc() if desc else col, ServiceItem.id).limit(limit).offset(offset))
    return list(rows.scalars()), int(total)


async def items_by_code(session: AsyncSession, codes: Sequence[str]) -> dict[str, ServiceItem]:
    rows = await session.execute(select(ServiceItem).where(ServiceItem.code.in_(codes)))
    return {i.code: i for i in rows.scalars()}


async def item_by_code(session: AsyncSession, code: str) -> ServiceItem | None:
    return (await session.execute(select(ServiceItem).where(ServiceItem.code == code))).scalar_one_or_none()


async def latest_version(session: AsyncSession, name: str) -> int:
    v = await session.execute(select(func.max(SurveyTemplate.version)).where(SurveyTemplate.name == name))
    return int(v.scalar_one() or 0)


async def template_items(session: AsyncSession, template_id: str) -> list[ServiceItem]:
    rows = await session.execute(
        select(ServiceItem)
        .join(TemplateItem, TemplateItem.item_id == ServiceItem.id)
        .where(TemplateItem.template_id == template_id)
        .order_by(TemplateItem.position)
    )
    return list(rows.scalars())


async def list_templates(session: AsyncSession, *, limit: int, offset: int) -> tuple[list[SurveyTemplate], int]:
    total = (await session.execute(select(func.count()).select_from(SurveyTemplate))).scalar_one()
    rows = await session.execute(
        select(SurveyTemplate).order_by(SurveyTemplate.name, SurveyTemplate.version.desc()).limit(limit).offset(offset)
    )
    return list(rows.scalars()), int(total)


async def assignment_at(session: AsyncSession, vendor_id: str, project_code: str, start: date) -> Assignment | None:
    stmt = select(Assignment).where(
        Assignment.vendor_id == vendor_id, Assignment.project_code == project_code, Assignment.start_date == start
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_assignments(
    session: AsyncSession, *, vendor_id: str | None, project_code: str | None, on: date | None, limit: int, offset: int
) -> tuple[list[Assignment], int]:
    stmt = select(Assignment)
    if vendor_id:
        stmt = stmt.where(Assignment.vendor_id == vendor_id)
    if project_code:
        stmt = stmt.where(Assignment.project_code == project_code)
    if on:
        stmt = stmt.where(Assignment.start_date <= on, or_(Assignment.end_date.is_(None), Assignment.end_date >= on))
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = await session.execute(
        stmt.order_by(Assignment.project_code, Assignment.start_date, Assignment.id).limit(limit).offset(offset)
    )
    return list(rows.scalars()), int(total)


async def upsert_assignments(
    session: AsyncSession, rows: Sequence[tuple[str, str, date, date | None]]
) -> tuple[int, int]:
    """Insert or update (vendor, project, start) → end in ONE statement: concurrent syncs converge, neither
    fails (ON CONFLICT; rows in key order so two syncs lock them in the same order). Unchanged rows are
    left alone. Returns (created, updated)."""
    if not rows:
        return 0, 0
    by_key = {(v, p, s): e for v, p, s, e in rows}  # one row per key: a statement may touch a row once
    ordered = [(*key, by_key[key]) for key in sorted(by_key)]
    stmt = pg_insert(Assignment).values(
        [{"id": new_id(), "vendor_id": v, "project_code": p, "start_date": s, "end_date": e} for v, p, s, e in ordered]
    )
    upsert: Any = stmt.on_conflict_do_update(
        index_elements=["vendor_id", "project_code", "start_date"],
        set_={"end_date": stmt.excluded.end_date},
        where=Assignment.end_date.is_distinct_from(stmt.excluded.end_date),
    ).returning(literal_column("xmax = 0"))
    flags = [bool(r[0]) for r in await session.execute(upsert)]
    return sum(flags), len(flags) - sum(flags)
