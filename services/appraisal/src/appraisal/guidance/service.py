"""Guidance business: the register of regulations, yearly guidance plans with visits whose findings open
rectification orders, trainings with attendance per vendor, and a vendor's guidance summary."""

from __future__ import annotations

from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.guidance import repository
from appraisal.guidance.rules import RegulationKind
from appraisal.guidance.schemas import (
    AttendanceIn,
    AttendanceRead,
    OpenFinding,
    PlanCreate,
    PlanRead,
    RegulationCreate,
    RegulationRead,
    TrainingCreate,
    TrainingRead,
    VendorGuidance,
    VisitCreate,
)
from appraisal.models import GuidancePlan, GuidanceVisit, Regulation, Training, TrainingAttendance
from appraisal.rectification import service as rectification_service
from appraisal.rectification.schemas import FindingCreate, FindingSource
from houqin_common.auth import Principal
from houqin_common.errors import Conflict, NotFound, UnprocessableEntity
from houqin_common.i18n import _


def regulation_read(r: Regulation) -> RegulationRead:
    return RegulationRead(
        id=r.id,
        kind=RegulationKind(r.kind),
        kind_zh=RegulationKind(r.kind).label_zh,
        title=r.title,
        number=r.number,
        version=r.version,
        effective_date=r.effective_date,
        archive_document_id=r.archive_document_id,
        projects=r.projects,
    )


async def _add(session: AsyncSession, row: object, conflict: str) -> None:
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(conflict) from exc


async def create_regulation(session: AsyncSession, *, regulation_in: RegulationCreate) -> Regulation:
    row = Regulation(**regulation_in.model_dump(mode="python") | {"kind": regulation_in.kind.value})
    await _add(
        session,
        row,
        _("regulation {number} version {version} is already registered", number=row.number, version=row.version),
    )
    return row


async def list_regulations(session: AsyncSession, *, project_code: str | None) -> list[Regulation]:
    return await repository.list_regulations(session, project_code=project_code)


async def create_plan(session: AsyncSession, *, plan_in: PlanCreate, creator: str) -> GuidancePlan:
    row = GuidancePlan(**plan_in.model_dump(), created_by=creator)
    await _add(
        session,
        row,
        _("project {project} already has a guidance plan for {year}", project=plan_in.project_code, year=plan_in.year),
    )
    return row


def plan_read(plan: GuidancePlan, visits: int) -> PlanRead:
    return PlanRead(
        id=plan.id,
        project_code=plan.project_code,
        year=plan.year,
        vendor_id=plan.vendor_id,
        planned_visits=plan.planned_visits,
        focus=plan.focus,
        visits=visits,
    )


async def list_plans(
    session: AsyncSession, *, year: int | None, vendor_id: str | None
) -> list[tuple[GuidancePlan, int]]:
    return await repository.list_plans(session, year=year, vendor_id=vendor_id)


async def record_visit(
    session: AsyncSession, *, plan_id: str, visit_in: VisitCreate, recorder: str, today: date
) -> GuidanceVisit:
    """A visit of the plan; each finding is recorded and issued as a rectification order to the vendor."""
    plan = await session.get(GuidancePlan, plan_id)
    if plan is None:
        raise NotFound(_("guidance plan {plan_id} not found", plan_id=plan_id))
    if visit_in.visited_on.year != plan.year:
        raise UnprocessableEntity(
            _("the visit of {day} is outside the plan's year {year}", day=visit_in.visited_on, year=plan.year)
        )
    visit = GuidanceVisit(
        plan_id=plan.id,
        vendor_id=plan.vendor_id,
        visited_on=visit_in.visited_on,
        participants=visit_in.participants,
        summary=visit_in.summary,
        finding_ids=[],
        recorded_by=recorder,
    )
    session.add(visit)
    await session.flush()
    ids: list[str] = []
    for f in visit_in.findings:
        _order, finding = await rectification_service.open_finding(
            session,
            finding_in=FindingCreate(
                vendor_id=plan.vendor_id,
                source=FindingSource.guidance,
                source_ref=visit.id,
                description=f.description,
                severity=f.severity,
                found_on=visit_in.visited_on,
                deadline=f.deadline,
            ),
            reporter=recorder,
            today=today,
        )
        ids.append(finding.id)
    visit.finding_ids = ids
    await session.flush()
    return visit


async def list_visits(session: AsyncSession, *, vendor_id: str | None, year: int | None) -> list[GuidanceVisit]:
    return await repository.list_visits(session, vendor_id=vendor_id, year=year)


async def create_training(session: AsyncSession, *, training_in: TrainingCreate, creator: str) -> Training:
    if training_in.regulation_id is not None and await session.get(Regulation, training_in.regulation_id) is None:
        raise UnprocessableEntity(_("regulation {regulation_id} not found", regulation_id=training_in.regulation_id))
    training = Training(
        topic=training_in.topic,
        regulation_id=training_in.regulation_id,
        held_on=training_in.held_on,
        place=training_in.place,
        created_by=creator,
    )
    session.add(training)
    await session.flush()
    session.add_all(
        TrainingAttendance(training_id=training.id, vendor_id=v, attended=None, attendees=0)
        for v in sorted(set(training_in.vendor_ids))
    )
    await session.flush()
    return training


async def record_attendance(
    session: AsyncSession, *, training_id: str, lines: list[AttendanceIn]
) -> list[TrainingAttendance]:
    """Attendance of invited vendors; a vendor that was not invited is refused (422)."""
    if await session.get(Training, training_id) is None:
        raise NotFound(_("training {training_id} not found", training_id=training_id))
    rows = {a.vendor_id: a for a in await repository.attendance(session, training_id, lock=True)}
    unknown = sorted({line.vendor_id for line in lines} - set(rows))
    if unknown:
        raise UnprocessableEntity(_("vendors {vendors} were not invited to this training", vendors=", ".join(unknown)))
    for line in lines:
        rows[line.vendor_id].attended = line.attended
        rows[line.vendor_id].attendees = line.attendees if line.attended else 0
    await session.flush()
    return sorted(rows.values(), key=lambda a: a.vendor_id)


def _line(t: Training, a: TrainingAttendance) -> AttendanceRead:
    return AttendanceRead(
        training_id=t.id,
        topic=t.topic,
        held_on=t.held_on,
        vendor_id=a.vendor_id,
        attended=a.attended,
        attendees=a.attendees,
    )


async def get_training(session: AsyncSession, *, training_id: str, principal: Principal) -> TrainingRead:
    found = [x for x in await list_trainings(session, year=None, principal=principal) if x.id == training_id]
    if not found:
        raise NotFound(_("training {training_id} not found", training_id=training_id))
    return found[0]


async def list_trainings(session: AsyncSession, *, year: int | None, principal: Principal) -> list[TrainingRead]:
    """Trainings with their attendance; a vendor sees the trainings it was invited to and its own line."""
    vendor_id = principal.vendor_id if principal.is_vendor_only else None
    rows = await repository.list_trainings(session, year=year, vendor_id=vendor_id)
    return [
        TrainingRead(
            id=t.id,
            topic=t.topic,
            regulation_id=t.regulation_id,
            regulation_title=title,
            held_on=t.held_on,
            place=t.place,
            attendance=[_line(t, a) for a in lines],
        )
        for t, lines, title in rows
    ]


async def vendor_summary(session: AsyncSession, *, vendor_id: str, year: int) -> VendorGuidance:
    """A vendor's training attendance and guidance findings still open in a year (also in its score's
    `guidance` component)."""
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    trainings = await repository.list_trainings(session, year=year, vendor_id=vendor_id)
    lines = [_line(t, a) for t, att, _title in trainings for a in att]
    recorded = [x for x in lines if x.attended is not None]
    found = await repository.open_findings(session, vendor_id=vendor_id, start=start, end=end)
    return VendorGuidance(
        vendor_id=vendor_id,
        year=year,
        trainings_invited=len(recorded),
        trainings_attended=sum(1 for x in recorded if x.attended),
        attendance=lines,
        open_findings=[
            OpenFinding(
                finding_id=f.id,
                order_id=o.id,
                description=f.description,
                found_on=f.found_on,
                deadline=o.deadline,
                status=o.status,
            )
            for f, o in found
        ],
    )
