"""Queries of the projects: one project, pages, whether a contract uses it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts_api.models import Contract, Procurement, Project

PROJECT_SORTS = {"code": Project.code, "annual_value": Project.annual_value, "name": Project.name}


async def get(session: AsyncSession, code: str) -> Project | None:
    return await session.get(Project, code)


async def list_page(
    session: AsyncSession, *, filters: dict[str, Any], sort: str, desc: bool, limit: int, offset: int
) -> tuple[list[Project], int]:
    stmt = select(Project)
    for key, value in filters.items():
        if value is not None:
            stmt = stmt.where(getattr(Project, key) == value)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    column = PROJECT_SORTS[sort]
    stmt = stmt.order_by(column.desc() if desc else column.asc(), Project.code).limit(limit).offset(offset)
    return list((await session.execute(stmt)).scalars()), int(total)


async def is_used(session: AsyncSession, code: str) -> bool:
    """Whether any procurement or contract names the project."""
    procured = select(Procurement.id).where(Procurement.project_code == code).exists()
    contracted = select(Contract.id).where(Contract.project_code == code).exists()
    return bool((await session.execute(select(procured | contracted))).scalar_one())
