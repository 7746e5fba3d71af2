"""Inspection logic: scoring a routine inspection against its checklist, recording food-safety findings."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.inspections import repository
from appraisal.inspections.repository import M
from appraisal.inspections.schemas import ChecklistCreate, FoodSafetyCreate, RoutineCreate
from appraisal.models import ChecklistTemplate, FoodSafetyInspection, RoutineInspection
from appraisal.scoring import rules
from appraisal.settings import Settings
from houqin_common.errors import NotFound, UnprocessableEntity
from houqin_common.i18n import _
from houqin_common.pagination import PageParams


async def create_checklist(session: AsyncSession, *, checklist_in: ChecklistCreate) -> ChecklistTemplate:
    codes = [i.code for i in checklist_in.items]
    if len(set(codes)) != len(codes):
        raise UnprocessableEntity(_("checklist item codes must be unique"))
    checklist = ChecklistTemplate(
        name=checklist_in.name,
        project_code=checklist_in.project_code,
        frequency=checklist_in.frequency.value,
        items=[i.model_dump() for i in checklist_in.items],
    )
    session.add(checklist)
    await session.flush()
    await session.refresh(checklist)
    return checklist


async def record_routine(session: AsyncSession, *, inspection_in: RoutineCreate, inspector: str) -> RoutineInspection:
    checklist = await session.get(ChecklistTemplate, inspection_in.template_id)
    if checklist is None:
        raise UnprocessableEntity(_("checklist {template_id} not found", template_id=inspection_in.template_id))
    max_points = {i["code"]: float(i["max_points"]) for i in checklist.items}
    awarded: dict[str, float] = {}
    for r in inspection_in.results:
        if r.code in awarded:
            raise UnprocessableEntity(_("item {code} scored twice", code=r.code))
        awarded[r.code] = r.points
    try:
        score = rules.checklist_score(max_points, awarded)
    except ValueError as exc:
        raise UnprocessableEntity(str(exc)) from exc
    inspection = RoutineInspection(
        vendor_id=inspection_in.vendor_id,
        template_id=checklist.id,
        frequency=checklist.frequency,
        inspected_on=inspection_in.inspected_on,
        inspector=inspector,
        results=[r.model_dump() for r in inspection_in.results],
        score=score,
        note=inspection_in.note,
    )
    session.add(inspection)
    await session.flush()
    return inspection


async def record_food_safety(
    session: AsyncSession, *, inspection_in: FoodSafetyCreate, inspector: str, settings: Settings
) -> FoodSafetyInspection:
    severities = [v.severity.value for v in inspection_in.violations]
    inspection = FoodSafetyInspection(
        vendor_id=inspection_in.vendor_id,
        agency=inspection_in.agency,
        kind=inspection_in.kind.value,
        announced=inspection_in.announced,
        inspected_on=inspection_in.inspected_on,
        inspector=inspector,
        result=inspection_in.result.value,
        violations=[v.model_dump(mode="json") for v in inspection_in.violations],
        score=rules.food_safety_score(severities, settings.food_safety_penalties),
        worst_severity=rules.worst_severity(severities),
    )
    session.add(inspection)
    await session.flush()
    return inspection


async def get_routine(session: AsyncSession, inspection_id: str) -> RoutineInspection:
    found = await session.get(RoutineInspection, inspection_id)
    if found is None:
        raise NotFound(_("routine inspection {inspection_id} not found", inspection_id=inspection_id))
    return found


async def list_checklists(session: AsyncSession, *, limit: int, offset: int) -> tuple[list[ChecklistTemplate], int]:
    return await repository.list_checklists(session, limit=limit, offset=offset)


#: fields the inspection lists may be sorted by
INSPECTION_SORTS = {"inspected_on", "score", "vendor_id"}


async def list_inspections(
    session: AsyncSession,
    model: type[M],
    page: PageParams,
    *,
    vendor_id: str | None,
    since: date | None,
    until: date | None,
) -> tuple[list[M], int]:
    """Sort by `inspected_on` (default, newest first), `score` or `vendor_id`."""
    order, desc = page.order(INSPECTION_SORTS, "-inspected_on")
    return await repository.list_inspections(
        session,
        model,
        vendor_id=vendor_id,
        since=since,
        until=until,
        limit=page.limit,
        offset=page.offset,
        order=order,
        desc=desc,
    )
