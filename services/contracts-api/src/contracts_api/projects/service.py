"""Project logic: creation with a default category, updates, deletion of unused projects."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from contracts_api.audit import service as audit
from contracts_api.models import Project
from contracts_api.models.enums import ProjectCategory
from contracts_api.projects import repository
from contracts_api.projects.schemas import ProjectCreate, ProjectUpdate
from contracts_api.settings import Settings
from houqin_common.errors import Conflict, NotFound
from houqin_common.i18n import _

#: fields the project list may be sorted by
PROJECT_SORTS = frozenset(repository.PROJECT_SORTS)


def default_category(code: str, annual_value: Decimal, settings: Settings) -> ProjectCategory:
    """Micro list first, then the open-tender threshold (DOMAIN.md, *Procurement*)."""
    if code in settings.micro_projects:
        return ProjectCategory.micro
    return ProjectCategory.major if annual_value >= settings.open_tender_threshold else ProjectCategory.standard


async def get(session: AsyncSession, *, code: str) -> Project:
    project = await repository.get(session, code)
    if project is None:
        raise NotFound(_("project {code} not found", code=code))
    return project


async def create(session: AsyncSession, *, project_in: ProjectCreate, settings: Settings, actor: str) -> Project:
    if await repository.get(session, project_in.code):
        raise Conflict(_("project {code} already exists", code=project_in.code))
    data = project_in.model_dump()
    data["category"] = project_in.category or default_category(project_in.code, project_in.annual_value, settings)
    return await audit.add_recorded(
        session,
        Project(**data),
        actor=actor,
        action="project.create",
        entity_type="project",
        entity_id=project_in.code,
        data=project_in.model_dump(mode="json"),
    )


async def update(session: AsyncSession, *, code: str, project_in: ProjectUpdate, actor: str) -> Project:
    project = await get(session, code=code)
    # every column of a project is required: an explicit null leaves the value unchanged
    return await audit.update_recorded(
        session,
        project,
        project_in.model_dump(exclude_unset=True, exclude_none=True),
        actor=actor,
        action="project.update",
        entity_type="project",
        entity_id=code,
        data=project_in.model_dump(mode="json", exclude_unset=True),
    )


async def delete(session: AsyncSession, *, code: str, actor: str) -> None:
    """Remove a project nobody procured or contracted for yet (409 otherwise: history is kept)."""
    project = await get(session, code=code)
    if await repository.is_used(session, code):
        raise Conflict(_("project {code} has procurements or contracts; it cannot be deleted", code=code))
    await session.delete(project)
    await session.flush()
    await audit.record(session, actor=actor, action="project.delete", entity_type="project", entity_id=code)


async def list_page(
    session: AsyncSession, *, filters: dict[str, Any], sort: str, desc: bool, limit: int, offset: int
) -> tuple[list[Project], int]:
    return await repository.list_page(session, filters=filters, sort=sort, desc=desc, limit=limit, offset=offset)
