"""Complaints and suggestions, routed to the vendor responsible, with response and closing times."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.complaints import repository
from appraisal.complaints.schemas import (
    CATEGORY_PROJECT,
    Category,
    ComplaintClose,
    ComplaintCreate,
    ComplaintRead,
    ComplaintRespond,
    ComplaintStatus,
)
from appraisal.models import Complaint
from appraisal.scoring import rules
from houqin_common import clock
from houqin_common.auth import Principal, Role
from houqin_common.errors import Conflict, NotFound
from houqin_common.i18n import _
from houqin_common.pagination import PageParams


def to_read(c: Complaint, principal: Principal | None = None) -> ComplaintRead:
    """The complaint as ``principal`` may see it: the filer is never shown, a public contact only to the Bureau."""
    show_contact = principal is not None and principal.has(Role.supervisor, Role.admin, Role.auditor)
    return ComplaintRead(
        id=c.id,
        kind=c.kind,
        channel=c.channel,
        category=c.category,
        category_zh=Category(c.category).label_zh,
        vendor_id=c.vendor_id,
        project_code=c.project_code,
        description=c.description,
        status=c.status,
        filed_at=c.filed_at,
        first_response_at=c.first_response_at,
        response=c.response,
        closed_at=c.closed_at,
        substantiated=c.substantiated,
        resolution=c.resolution,
        hours_to_first_response=rules.hours_between(c.filed_at, c.first_response_at),
        hours_to_close=rules.hours_between(c.filed_at, c.closed_at),
        contact=c.contact if show_contact else None,
    )


async def file(
    session: AsyncSession,
    *,
    complaint_in: ComplaintCreate,
    filer: str,
    now: datetime | None = None,
    contact: str | None = None,
) -> Complaint:
    """Record it and route it: the named vendor, else the vendor assigned to the project (or the category's)."""
    now = now or clock.now()
    project = complaint_in.project_code or CATEGORY_PROJECT.get(complaint_in.category.value)
    vendor_id = complaint_in.vendor_id
    if vendor_id is None and project:
        vendor_id = await repository.vendor_of_project(session, project, now.date())
    complaint = Complaint(
        kind=complaint_in.kind.value,
        channel=complaint_in.channel.value,
        category=complaint_in.category.value,
        vendor_id=vendor_id,
        project_code=project,
        description=complaint_in.description,
        filed_by=filer,
        status=ComplaintStatus.open.value,
        filed_at=now,
        contact=contact,
    )
    session.add(complaint)
    await session.flush()
    return complaint


def visible(c: Complaint, principal: Principal) -> bool:
    if principal.has(Role.supervisor, Role.admin, Role.auditor, Role.service):
        return True
    if principal.is_vendor_only:
        return c.vendor_id == principal.vendor_id
    return c.filed_by == principal.subject


async def get_visible(session: AsyncSession, *, complaint_id: str, principal: Principal) -> Complaint:
    c = await session.get(Complaint, complaint_id, with_for_update=True)
    if c is None or not visible(c, principal):
        raise NotFound(_("complaint {complaint_id} not found", complaint_id=complaint_id))
    return c


async def respond(
    session: AsyncSession, *, complaint: Complaint, respond_in: ComplaintRespond, now: datetime | None = None
) -> Complaint:
    if complaint.status == ComplaintStatus.closed:
        raise Conflict(_("the complaint is closed"))
    now = now or clock.now()
    if complaint.first_response_at is None:
        complaint.first_response_at = now
    complaint.response = respond_in.response
    complaint.status = ComplaintStatus.responded.value
    await session.flush()
    return complaint


async def close(
    session: AsyncSession, *, complaint: Complaint, close_in: ComplaintClose, now: datetime | None = None
) -> Complaint:
    if complaint.status == ComplaintStatus.closed:
        raise Conflict(_("the complaint is already closed"))
    now = now or clock.now()
    complaint.closed_at = now
    complaint.first_response_at = complaint.first_response_at or now
    complaint.substantiated = close_in.substantiated
    complaint.resolution = close_in.resolution
    complaint.status = ComplaintStatus.closed.value
    await session.flush()
    return complaint


async def list_complaints(
    session: AsyncSession,
    page: PageParams,
    *,
    vendor_id: str | None,
    filed_by: str | None,
    category: str | None,
    status: str | None,
    since: date | None,
) -> tuple[list[Complaint], int]:
    """Sort by `filed_at` (default, newest first), `status` or `category`."""
    order, desc = page.order({"filed_at", "status", "category"}, "-filed_at")
    return await repository.list_complaints(
        session,
        vendor_id=vendor_id,
        filed_by=filed_by,
        category=category,
        status=status,
        since=since,
        limit=page.limit,
        offset=page.offset,
        order=order,
        desc=desc,
    )
