from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from contracts_api import audit
from contracts_api.models import Contract, Procurement, Project
from contracts_api.models.enums import ProjectCategory
from contracts_api.projects.schemas import ProjectCreate, ProjectUpdate
from contracts_api.settings import Settings
from houqin_common.errors import Conflict, NotFound

PROJECT_SORTS = {"code": Project.code, "annual_value": Project.annual_value, "name": Project.name}


def default_category(code: str, annual_value: Decimal, settings: Settings) -> ProjectCategory:
    """Micro list first, then the open-tender threshold (DOMAIN.md, *Procurement*)."""
    if code in settings.micro_projects:
        return ProjectCategory.micro
    return ProjectCategory.major if annual_value >= settings.open_tender_threshold else ProjectCategory.standard


async def get(session: AsyncSession, *, code: str) -> Project:
    project = await session.get(Project, code)
    if project is None:
        raise NotFound(f"project {code} not found")
    return project


async def create(session: AsyncSession, *, project_in: ProjectCreate, settings: Settings, actor: str) -> Project:
    if await session.get(Project, project_in.code):
        raise Conflict(f"project {project_in.code} already exists")
    data = project_in.model_dump()
    data["category"] = project_in.category or default_category(project_in.code, project_in.annual_value, settings)
    project = Project(**data)
    session.add(project)
    await session.flush()
    await session.refresh(project)
    await audit.record(
        session,
        actor=actor,
        action="project.create",
        entity_type="project",
        entity_id=project.code,
        data=project_in.model_dump(mode="json"),
    )
    return project


async def update(session: AsyncSession, *, code: str, project_in: ProjectUpdate, actor: str) -> Project:
    project = await get(session, code=code)
    # every column of a project is required: an explicit null leaves the value unchanged
    for key, value in project_in.model_dump(exclude_unset=True, exclude_none=True).items():
        setattr(project, key, value)
    await session.flush()
    await session.refresh(project)
    await audit.record(
        session,
        actor=actor,
        action="project.update",
        entity_type="project",
        entity_id=code,
        data=project_in.model_dump(mode="json", exclude_unset=True),
    )
    return project


async def delete(session: AsyncSession, *, code: str, actor: str) -> None:
    """Remove a project nobody procured or contracted for yet (409 otherwise: history is kept)."""
    project = await get(session, code=code)
    used = await session.execute(select(func.count()).select_from(Procurement).where(Procurement.project_code == code))
    contracts = await session.execute(select(func.count()).select_from(Contract).where(Contract.project_code == code))
    if used.scalar_one() or contracts.scalar_one():
        raise Conflict(f"project {code} has procurements or contracts; it cannot be deleted")
    await session.delete(project)
    await session.flush()
    await audit.record(session, actor=actor, action="project.delete", entity_type="project", entity_id=code)


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
