"""HTTP routes of the inspections: checklists, routine and food-safety inspections."""

from __future__ import annotations

from datetime import date

from fastapi import Depends, Query, status

from appraisal.dependencies import AppSettings, Directory, check_vendor_scope
from appraisal.inspections import service
from appraisal.inspections.schemas import (
    ChecklistCreate,
    ChecklistRead,
    FoodSafetyCreate,
    FoodSafetyRead,
    RoutineCreate,
    RoutineRead,
)
from appraisal.models import FoodSafetyInspection, RoutineInspection
from appraisal.names import name_vendors
from houqin_common.auth import READ_ALL, Principal, Role, require_roles, vendor_scope
from houqin_common.db import DbSession
from houqin_common.errors import COMMON_ERRORS, problem_responses
from houqin_common.i18n import N_
from houqin_common.pagination import PageParams, page_window, sorted_page, to_page
from houqin_common.routing import ServiceRouter
from houqin_common.schemas import Page

router = ServiceRouter(tags=["inspections"], responses=COMMON_ERRORS)

RECORDERS = (Role.supervisor, Role.inspector)
READERS = (Role.supervisor, Role.inspector, Role.vendor, *READ_ALL)


@router.post(
    "/checklists", status_code=status.HTTP_201_CREATED, response_model=ChecklistRead, responses=problem_responses(422)
)
async def create_checklist(
    checklist_in: ChecklistCreate, session: DbSession, _: Principal = Depends(require_roles(*RECORDERS))
) -> ChecklistRead:
    """Define a monthly or quarterly routine-inspection checklist (items and their maximum points)."""
    return ChecklistRead.model_validate(await service.create_checklist(session, checklist_in=checklist_in))


@router.get("/checklists", response_model=Page[ChecklistRead])
async def list_checklists(
    session: DbSession,
    page: PageParams = Depends(page_window),
    _: Principal = Depends(require_roles(Role.supervisor, Role.inspector, *READ_ALL)),
) -> Page[ChecklistRead]:
    """Routine-inspection checklists."""
    rows, total = await service.list_checklists(session, limit=page.limit, offset=page.offset)
    return to_page(ChecklistRead, rows, total, page)


@router.post(
    "/routine-inspections",
    status_code=status.HTTP_201_CREATED,
    response_model=RoutineRead,
    responses=problem_responses(422),
)
async def record_routine_inspection(
    inspection_in: RoutineCreate, session: DbSession, principal: Principal = Depends(require_roles(*RECORDERS))
) -> RoutineRead:
    """Record a routine inspection of a vendor against a checklist; the score is points over maximum."""
    inspection = await service.record_routine(session, inspection_in=inspection_in, inspector=principal.subject)
    return RoutineRead.model_validate(inspection)


@router.get("/routine-inspections", response_model=Page[RoutineRead])
async def list_routine_inspections(
    session: DbSession,
    names: Directory,
    vendor_id: str | None = Query(None, description="only this vendor"),
    since: date | None = Query(None, description="inspected on or after"),
    until: date | None = Query(None, description="inspected before"),
    page: PageParams = Depends(sorted_page("-inspected_on")),
    principal: Principal = Depends(require_roles(*READERS)),
) -> Page[RoutineRead]:
    """Routine inspections (a vendor token sees its own). Sort by `inspected_on` (default newest), `score`."""
    rows, total = await service.list_inspections(
        session,
        RoutineInspection,
        page,
        vendor_id=vendor_scope(principal) or vendor_id,
        since=since,
        until=until,
    )
    answer = to_page(RoutineRead, rows, total, page)
    await name_vendors(names, answer.items)
    return answer


@router.get("/routine-inspections/{inspection_id}", response_model=RoutineRead, responses=problem_responses(404))
async def get_routine_inspection(
    inspection_id: str,
    session: DbSession,
    names: Directory,
    principal: Principal = Depends(require_roles(*READERS)),
) -> RoutineRead:
    """One routine inspection."""
    inspection = await service.get_routine(session, inspection_id)
    check_vendor_scope(principal, inspection.vendor_id, N_("routine inspection"))
    answer = RoutineRead.model_validate(inspection)
    await name_vendors(names, [answer])
    return answer


@router.post(
    "/food-safety-inspections",
    status_code=status.HTTP_201_CREATED,
    response_model=FoodSafetyRead,
    responses=problem_responses(422),
)
async def record_food_safety_inspection(
    inspection_in: FoodSafetyCreate,
    session: DbSession,
    settings: AppSettings,
    principal: Principal = Depends(require_roles(Role.inspector)),
) -> FoodSafetyRead:
    """Record a third-party food-safety inspection (scheduled or random, announced or unannounced) with
    its result and violations. The score is 100 minus the configured penalty per violation severity."""
    inspection = await service.record_food_safety(
        session, inspection_in=inspection_in, inspector=principal.subject, settings=settings
    )
    return FoodSafetyRead.model_validate(inspection)


@router.get("/food-safety-inspections", response_model=Page[FoodSafetyRead])
async def list_food_safety_inspections(
    session: DbSession,
    names: Directory,
    vendor_id: str | None = Query(None, description="only this vendor"),
    since: date | None = Query(None, description="inspected on or after"),
    until: date | None = Query(None, description="inspected before"),
    page: PageParams = Depends(sorted_page("-inspected_on")),
    principal: Principal = Depends(require_roles(*READERS)),
) -> Page[FoodSafetyRead]:
    """Third-party food-safety inspections (a vendor token sees its own)."""
    rows, total = await service.list_inspections(
        session,
        FoodSafetyInspection,
        page,
        vendor_id=vendor_scope(principal) or vendor_id,
        since=since,
        until=until,
    )
    answer = to_page(FoodSafetyRead, rows, total, page)
    await name_vendors(names, answer.items)
    return answer
