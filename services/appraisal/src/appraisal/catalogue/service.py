"""Catalogue logic: versioned survey templates, service items, assignment of templates to projects."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.catalogue import repository
from appraisal.catalogue.schemas import (
    AssignmentCreate,
    AssignmentSync,
    ServiceItemCreate,
    ServiceItemRead,
    TemplateCreate,
    TemplateRead,
)
from appraisal.models import Assignment, ServiceItem, SurveyTemplate, TemplateItem
from houqin_common.clients import ApiError, ContractsClient
from houqin_common.errors import Conflict, NotFound, ServiceUnavailable, UnprocessableEntity
from houqin_common.i18n import _
from houqin_common.schemas import ContractRef


def template_read(template: SurveyTemplate, items: list[ServiceItem]) -> TemplateRead:
    return TemplateRead(
        id=template.id,
        name=template.name,
        version=template.version,
        created_at=template.created_at,
        items=[ServiceItemRead.model_validate(i) for i in items],
    )


async def create_item(session: AsyncSession, *, item_in: ServiceItemCreate) -> ServiceItem:
    if await repository.item_by_code(session, item_in.code):
        raise Conflict(_("service item {code} already exists", code=item_in.code))
    item = ServiceItem(**item_in.model_dump())
    session.add(item)
    await session.flush()
    return item


async def create_template(
    session: AsyncSession, *, template_in: TemplateCreate
) -> tuple[SurveyTemplate, list[ServiceItem]]:
    """Publish a new version of the named template; earlier versions stay as they were."""
    if len(set(template_in.item_codes)) != len(template_in.item_codes):
        raise UnprocessableEntity(_("an item appears twice on the template"))
    found = await repository.items_by_code(session, template_in.item_codes)
    unknown = [c for c in template_in.item_codes if c not in found]
    if unknown:
        raise UnprocessableEntity(_("unknown service items: {items}", items=", ".join(unknown)))
    version = await repository.latest_version(session, template_in.name) + 1
    template = SurveyTemplate(name=template_in.name, version=version)
    session.add(template)
    await session.flush()
    for pos, code in enumerate(template_in.item_codes):
        session.add(TemplateItem(template_id=template.id, item_id=found[code].id, position=pos))
    await session.flush()
    return template, [found[c] for c in template_in.item_codes]


async def get_template(session: AsyncSession, *, template_id: str) -> tuple[SurveyTemplate, list[ServiceItem]]:
    template = await session.get(SurveyTemplate, template_id)
    if template is None:
        raise NotFound(_("survey template {template_id} not found", template_id=template_id))
    return template, await repository.template_items(session, template_id)


async def sync_assignments(session: AsyncSession, *, contracts: ContractsClient, statuses: list[str]) -> AssignmentSync:
    """Copy contracts-api's contracts (vendor, project, dates) as assignments: idempotent upsert."""
    refs: list[ContractRef] = []
    try:
        offset = 0
        while True:
            page = await contracts.list_contracts(limit=100, offset=offset)
            refs.extend(page.items)
            offset += len(page.items)
            if not page.items or offset >= page.total:
                break
    except ApiError as exc:
        raise ServiceUnavailable(_("contracts-api could not list the contracts: {exc}", exc=exc)) from exc
    wanted = [
        (ref.vendor_id, ref.project_code, ref.start_date, ref.end_date)
        for ref in refs
        if ref.status in statuses and ref.start_date is not None
    ]
    skipped = len(refs) - len(wanted)
    created, updated = await repository.upsert_assignments(session, wanted)
    return AssignmentSync(contracts=len(refs), created=created, updated=updated, skipped=skipped)


async def create_assignment(session: AsyncSession, *, assignment_in: AssignmentCreate) -> Assignment:
    if assignment_in.end_date and assignment_in.end_date < assignment_in.start_date:
        raise UnprocessableEntity(_("end_date is before start_date"))
    same, _total = await repository.list_assignments(
        session,
        vendor_id=assignment_in.vendor_id,
        project_code=assignment_in.project_code,
        on=None,
        limit=500,
        offset=0,
    )
    if any(a.start_date == assignment_in.start_date for a in same):
        raise Conflict(_("this vendor already has an assignment to the project from that date"))
    assignment = Assignment(**assignment_in.model_dump())
    session.add(assignment)
    await session.flush()
    return assignment


async def list_items(
    session: AsyncSession, *, project_code: str | None, limit: int, offset: int, order: str, desc: bool
) -> tuple[list[ServiceItem], int]:
    return await repository.list_items(
        session, project_code=project_code, limit=limit, offset=offset, order=order, desc=desc
    )


async def list_assignments(
    session: AsyncSession, *, vendor_id: str | None, project_code: str | None, on: date | None, limit: int, offset: int
) -> tuple[list[Assignment], int]:
    return await repository.list_assignments(
        session, vendor_id=vendor_id, project_code=project_code, on=on, limit=limit, offset=offset
    )


async def list_templates(session: AsyncSession, *, limit: int, offset: int) -> tuple[list[TemplateRead], int]:
    """A page of templates, each with its items in form order."""
    rows, total = await repository.list_templates(session, limit=limit, offset=offset)
    return [template_read(t, await repository.template_items(session, t.id)) for t in rows], total
