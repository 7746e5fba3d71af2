"""HTTP routes of the projects: create, list, read, update, delete."""

from __future__ import annotations

from fastapi import Depends, Path, Query, Request, Response, status

from contracts_api.common import STAFF_READERS
from contracts_api.models.enums import FundingModel, OperationMode, ProjectCategory, ServiceType
from contracts_api.projects import service
from contracts_api.projects.dependencies import VisibleProject
from contracts_api.projects.schemas import ProjectCreate, ProjectRead, ProjectUpdate
from houqin_common.auth import Principal, Role, require_roles
from houqin_common.db import DbSession
from houqin_common.errors import COMMON_ERRORS, problem_responses
from houqin_common.pagination import PageParams, sorted_page, to_page
from houqin_common.routing import ServiceRouter
from houqin_common.schemas import Page

router = ServiceRouter(prefix="/projects", tags=["projects"], responses=COMMON_ERRORS)
ProjectCode = Path(max_length=64, description="project code, e.g. `catering`")


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ProjectRead, responses=problem_responses(409))
async def create_project(
    project_in: ProjectCreate,
    request: Request,
    session: DbSession,
    principal: Principal = Depends(require_roles(Role.procurement)),
) -> ProjectRead:
    """Add a service project (后勤项目) with its funding model, operation mode, service type and category."""
    project = await service.create(
        session, project_in=project_in, settings=request.app.state.settings, actor=principal.subject
    )
    return ProjectRead.model_validate(project)


@router.get("", response_model=Page[ProjectRead])
async def list_projects(
    session: DbSession,
    funding: FundingModel | None = Query(None, description="funding model"),
    operation: OperationMode | None = Query(None, description="operation mode"),
    service_type: ServiceType | None = Query(None, description="service type"),
    category: ProjectCategory | None = Query(None, description="procurement category"),
    page: PageParams = Depends(sorted_page("-annual_value")),
    _: Principal = Depends(require_roles(*STAFF_READERS, Role.vendor)),
) -> Page[ProjectRead]:
    """List service projects; sort by `code`, `name` or `annual_value`."""
    sort, desc = page.order(set(service.PROJECT_SORTS), "code")
    rows, total = await service.list_page(
        session,
        filters={"funding": funding, "operation": operation, "service_type": service_type, "category": category},
        sort=sort,
        desc=desc,
        limit=page.limit,
        offset=page.offset,
    )
    return to_page(ProjectRead, rows, total, page)


@router.get("/{code}", response_model=ProjectRead, responses=problem_responses(404))
async def get_project(project: VisibleProject) -> ProjectRead:
    """One service project."""
    return ProjectRead.model_validate(project)


@router.patch("/{code}", response_model=ProjectRead, responses=problem_responses(404))
async def update_project(
    project_in: ProjectUpdate,
    session: DbSession,
    code: str = ProjectCode,
    principal: Principal = Depends(require_roles(Role.procurement)),
) -> ProjectRead:
    """Change a service project's classification or value."""
    project = await service.update(session, code=code, project_in=project_in, actor=principal.subject)
    return ProjectRead.model_validate(project)


@router.delete(
    "/{code}", status_code=status.HTTP_204_NO_CONTENT, response_class=Response, responses=problem_responses(404, 409)
)
async def delete_project(
    session: DbSession,
    code: str = ProjectCode,
    principal: Principal = Depends(require_roles(Role.procurement)),
) -> Response:
    """Delete a project that has no procurement or contract yet (409 otherwise)."""
    await service.delete(session, code=code, actor=principal.subject)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
