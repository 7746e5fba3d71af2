"""Endpoints of regulations, guidance plans and visits, trainings and attendance (/v1)."""

from __future__ import annotations

from fastapi import Body, Depends, Query, status

from appraisal.dependencies import Directory, Today, check_vendor_scope
from appraisal.guidance import service
from appraisal.guidance.schemas import (
    AttendanceIn,
    AttendanceRead,
    PlanCreate,
    PlanRead,
    RegulationCreate,
    RegulationRead,
    TrainingCreate,
    TrainingRead,
    VendorGuidance,
    VisitCreate,
    VisitRead,
)
from appraisal.names import name_vendors
from houqin_common.auth import READ_ALL, Principal, Role, require_roles, vendor_scope
from houqin_common.db import DbSession
from houqin_common.errors import COMMON_ERRORS, problem_responses
from houqin_common.i18n import N_
from houqin_common.routing import ServiceRouter

router = ServiceRouter(tags=["guidance"], responses=COMMON_ERRORS)

WRITERS = (Role.supervisor, Role.office)
READERS = (Role.supervisor, Role.office, Role.vendor, *READ_ALL)
YearQuery = Query(None, ge=2000, le=2100, description="only this year")


@router.post(
    "/regulations", status_code=status.HTTP_201_CREATED, response_model=RegulationRead, responses=problem_responses(409)
)
async def create_regulation(
    regulation_in: RegulationCreate, session: DbSession, _: Principal = Depends(require_roles(*WRITERS))
) -> RegulationRead:
    """Register a regulation (制度) or service standard: number, version, effective date, the archived
    document (a contracts-api archive id, as a reference) and the projects it governs."""
    return service.regulation_read(await service.create_regulation(session, regulation_in=regulation_in))


@router.get("/regulations", response_model=list[RegulationRead])
async def list_regulations(
    session: DbSession,
    project_code: str | None = Query(None, max_length=64, description="only those governing this project"),
    _: Principal = Depends(require_roles(*READERS, Role.inspector, Role.staff)),
) -> list[RegulationRead]:
    """The register of regulations and service standards."""
    return [service.regulation_read(r) for r in await service.list_regulations(session, project_code=project_code)]


@router.post(
    "/guidance-plans", status_code=status.HTTP_201_CREATED, response_model=PlanRead, responses=problem_responses(409)
)
async def create_plan(
    plan_in: PlanCreate, session: DbSession, principal: Principal = Depends(require_roles(*WRITERS))
) -> PlanRead:
    """The year's guidance plan (工作指导) of a project: one per project and year."""
    return service.plan_read(await service.create_plan(session, plan_in=plan_in, creator=principal.subject), 0)


@router.get("/guidance-plans", response_model=list[PlanRead])
async def list_plans(
    session: DbSession,
    names: Directory,
    year: int | None = YearQuery,
    principal: Principal = Depends(require_roles(*READERS)),
) -> list[PlanRead]:
    """Guidance plans with the visits recorded (a vendor sees its own)."""
    rows = await service.list_plans(session, year=year, vendor_id=vendor_scope(principal))
    plans = [service.plan_read(p, n) for p, n in rows]
    await name_vendors(names, plans)
    return plans


@router.post(
    "/guidance-plans/{plan_id}/visits",
    status_code=status.HTTP_201_CREATED,
    response_model=VisitRead,
    responses=problem_responses(404, 422),
)
async def create_visit(
    plan_id: str,
    visit_in: VisitCreate,
    session: DbSession,
    today: Today,
    principal: Principal = Depends(require_roles(*WRITERS)),
) -> VisitRead:
    """Record a guidance visit; each finding opens a rectification order (source `guidance`) for the
    project's vendor, tracked like any other until verified closed."""
    visit = await service.record_visit(
        session, plan_id=plan_id, visit_in=visit_in, recorder=principal.subject, today=today
    )
    return VisitRead.model_validate(visit)


@router.get("/guidance-visits", response_model=list[VisitRead])
async def list_visits(
    session: DbSession,
    names: Directory,
    year: int | None = YearQuery,
    vendor_id: str | None = Query(None, max_length=64, description="only this vendor"),
    principal: Principal = Depends(require_roles(*READERS)),
) -> list[VisitRead]:
    """Guidance visits with their findings (a vendor sees its own)."""
    visits = await service.list_visits(session, vendor_id=vendor_scope(principal) or vendor_id, year=year)
    reads = [VisitRead.model_validate(v) for v in visits]
    await name_vendors(names, reads)
    return reads


@router.post(
    "/trainings", status_code=status.HTTP_201_CREATED, response_model=TrainingRead, responses=problem_responses(422)
)
async def create_training(
    training_in: TrainingCreate, session: DbSession, principal: Principal = Depends(require_roles(*WRITERS))
) -> TrainingRead:
    """Schedule a training session (业务培训) on a standard, inviting vendors."""
    training = await service.create_training(session, training_in=training_in, creator=principal.subject)
    return await service.get_training(session, training_id=training.id, principal=principal)


@router.get("/trainings", response_model=list[TrainingRead])
async def list_trainings(
    session: DbSession,
    names: Directory,
    year: int | None = YearQuery,
    principal: Principal = Depends(require_roles(*READERS)),
) -> list[TrainingRead]:
    """Trainings with attendance per vendor; a vendor sees those it was invited to, with its own line."""
    trainings = await service.list_trainings(session, year=year, principal=principal)
    await name_vendors(names, [line for t in trainings for line in t.attendance])
    return trainings


@router.put(
    "/trainings/{training_id}/attendance",
    response_model=list[AttendanceRead],
    responses=problem_responses(404, 422),
)
async def record_training_attendance(
    training_id: str,
    session: DbSession,
    lines: list[AttendanceIn] = Body(
        examples=[
            [
                {"vendor_id": "87003d64-9d4e-51b6-92e8-aa5624757591", "attended": True, "attendees": 3},
                {"vendor_id": "130cc2f8-68c2-5c04-9043-2847361ec4b1", "attended": False},
            ]
        ]
    ),
    principal: Principal = Depends(require_roles(*WRITERS)),
) -> list[AttendanceRead]:
    """Record which invited vendors attended (and with how many staff)."""
    await service.record_attendance(session, training_id=training_id, lines=lines)
    return (await service.get_training(session, training_id=training_id, principal=principal)).attendance


@router.get("/guidance/vendors/{vendor_id}", response_model=VendorGuidance)
async def get_vendor_guidance(
    vendor_id: str,
    session: DbSession,
    names: Directory,
    year: int = Query(ge=2000, le=2100, description="year", examples=[2026]),
    principal: Principal = Depends(require_roles(*READERS, Role.inspector)),
) -> VendorGuidance:
    """A vendor's training attendance and its guidance findings still open (a vendor reads its own only)."""
    check_vendor_scope(principal, vendor_id, N_("vendor guidance"))
    summary = await service.vendor_summary(session, vendor_id=vendor_id, year=year)
    await name_vendors(names, [summary, *summary.attendance])
    return summary
