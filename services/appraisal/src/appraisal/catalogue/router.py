"""HTTP routes of the catalogue: service items, survey templates, template assignments."""

from __future__ import annotations

from datetime import date

from fastapi import Depends, Query, status

from appraisal.catalogue import service
from appraisal.catalogue.schemas import (
    AssignmentCreate,
    AssignmentRead,
    AssignmentSync,
    ServiceItemCreate,
    ServiceItemRead,
    TemplateCreate,
    TemplateRead,
)
from appraisal.dependencies import AppSettings, Contracts, Directory
from appraisal.names import name_vendors
from houqin_common.auth import READ_ALL, Principal, Role, require_roles
from houqin_common.db import DbSession
from houqin_common.errors import COMMON_ERRORS, problem_responses
from houqin_common.pagination import PageParams, page_window, sorted_page, to_page
from houqin_common.routing import ServiceRouter
from houqin_common.schemas import Page

router = ServiceRouter(tags=["catalogue"], responses=COMMON_ERRORS)

READERS = (Role.supervisor, Role.inspector, Role.staff, *READ_ALL)


@router.post(
    "/service-items",
    status_code=status.HTTP_201_CREATED,
    response_model=ServiceItemRead,
    responses=problem_responses(409),
)
async def create_service_item(
    item_in: ServiceItemCreate, session: DbSession, _: Principal = Depends(require_roles(Role.supervisor))
) -> ServiceItemRead:
    """Add a service item to the catalogue (rated on satisfaction surveys, linked to a service project)."""
    return ServiceItemRead.model_validate(await service.create_item(session, item_in=item_in))


@router.get("/service-items", response_model=Page[ServiceItemRead])
async def list_service_items(
    session: DbSession,
    names: Directory,
    project_code: str | None = Query(None, description="only the items of this service project"),
    page: PageParams = Depends(sorted_page("project_code")),
    _: Principal = Depends(require_roles(*READERS)),
) -> Page[ServiceItemRead]:
    """The service-item catalogue. Sort by `code`, `project_code` or `name`."""
    order, desc = page.order({"code", "project_code", "name"}, "project_code")
    rows, total = await service.list_items(
        session, project_code=project_code, limit=page.limit, offset=page.offset, order=order, desc=desc
    )
    answer = to_page(ServiceItemRead, rows, total, page)
    await name_vendors(names, answer.items)
    return answer


@router.post(
    "/survey-templates",
    status_code=status.HTTP_201_CREATED,
    response_model=TemplateRead,
    responses=problem_responses(422),
)
async def create_survey_template(
    template_in: TemplateCreate, session: DbSession, _: Principal = Depends(require_roles(Role.supervisor))
) -> TemplateRead:
    """Publish a new version of a survey template (same name: version + 1; old versions are kept unchanged)."""
    template, items = await service.create_template(session, template_in=template_in)
    return service.template_read(template, items)


@router.get("/survey-templates", response_model=Page[TemplateRead])
async def list_survey_templates(
    session: DbSession,
    names: Directory,
    page: PageParams = Depends(page_window),
    _: Principal = Depends(require_roles(*READERS)),
) -> Page[TemplateRead]:
    """Survey templates, newest version of each name first."""
    items, total = await service.list_templates(session, limit=page.limit, offset=page.offset)
    answer = to_page(TemplateRead, items, total, page)
    await name_vendors(names, [i for t in answer.items for i in t.items])
    return answer


@router.get("/survey-templates/{template_id}", response_model=TemplateRead, responses=problem_responses(404))
async def get_survey_template(
    template_id: str, session: DbSession, names: Directory, _: Principal = Depends(require_roles(*READERS))
) -> TemplateRead:
    """One template version with its items in form order."""
    template, items = await service.get_template(session, template_id=template_id)
    answer = service.template_read(template, items)
    await name_vendors(names, answer.items)
    return answer


@router.post(
    "/assignments", status_code=status.HTTP_201_CREATED, response_model=AssignmentRead, responses=problem_responses(409)
)
async def create_assignment(
    assignment_in: AssignmentCreate, session: DbSession, _: Principal = Depends(require_roles(Role.supervisor))
) -> AssignmentRead:
    """Record which vendor runs a service project from when: survey items are credited to that vendor.

    Mirrors the contracts of contracts-api so that scores keep working when contracts-api is down.
    """
    return AssignmentRead.model_validate(await service.create_assignment(session, assignment_in=assignment_in))


@router.post("/assignments/sync", response_model=AssignmentSync, responses=problem_responses(503))
async def sync_assignments(
    session: DbSession,
    settings: AppSettings,
    contracts: Contracts,
    _: Principal = Depends(require_roles(Role.supervisor)),
) -> AssignmentSync:
    """Copy the contracts of contracts-api (vendor, project, start and end dates) as assignments. Idempotent;
    503 when contracts-api cannot be read (nothing is changed then)."""
    return await service.sync_assignments(session, contracts=contracts, statuses=settings.assignment_sync_statuses)


@router.get("/assignments", response_model=Page[AssignmentRead])
async def list_assignments(
    session: DbSession,
    names: Directory,
    vendor_id: str | None = Query(None, description="only this vendor"),
    project_code: str | None = Query(None, description="only this project"),
    on: date | None = Query(None, description="only assignments running on this day"),
    page: PageParams = Depends(page_window),
    _: Principal = Depends(require_roles(Role.supervisor, Role.inspector, *READ_ALL)),
) -> Page[AssignmentRead]:
    """Vendor-to-project assignments."""
    rows, total = await service.list_assignments(
        session, vendor_id=vendor_id, project_code=project_code, on=on, limit=page.limit, offset=page.offset
    )
    answer = to_page(AssignmentRead, rows, total, page)
    await name_vendors(names, answer.items)
    return answer
