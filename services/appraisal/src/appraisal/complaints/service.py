"""Complaints and suggestions, routed to the vendor responsible, with response and closing times."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

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
from appraisal.names import NameDirectory, name_records
from appraisal.scoring import rules
from houqin_common import clock
from houqin_common.auth import Principal, Role
from houqin_common.errors import Conflict, NotFound
from houqin_common.hotpath import ReadPool, page_items
from houqin_common.i18n import _
from houqin_common.pagination import PageParams


def to_read(c: Complaint, principal: Principal | None = None) -> ComplaintRead:
    """The answer of a change (file, respond, close): the ORM row just written, shaped by the same
    :func:`_read_fields` as the one read path (:func:`read_visible`, :func:`read_complaints`): the filer is
    never shown, a public contact only to the Bureau."""
    fields = _read_fields({n: getattr(c, n) for n in repository.READ_COLUMNS}, _shows_contact(principal))
    return ComplaintRead.model_validate(fields)


#: category value -> Chinese label (a dict lookup per row instead of an enum call)
_CATEGORY_ZH = {c.value: c.label_zh for c in Category}


def _shows_contact(principal: Principal | None) -> bool:
    """Whether ``principal`` (the Bureau: supervisors, admins, auditors) may see a complainant's contact."""
    return principal is not None and principal.has(Role.supervisor, Role.admin, Role.auditor)


def _read_fields(row: Mapping[str, Any], show_contact: bool) -> dict[str, Any]:
    """ComplaintRead's fields from a complaint's :data:`repository.READ_COLUMNS` (see :func:`to_read`): a
    dict, or a record of the hot selects (their columns are READ_COLUMNS in order; zipping is a fifth
    cheaper than ``dict(record)``, and a page runs this 50 times)."""
    fields = dict(row) if isinstance(row, dict) else dict(zip(repository.READ_COLUMNS, row.values(), strict=True))
    del fields["filed_by"]
    filed_at, first_response_at, closed_at = fields["filed_at"], fields["first_response_at"], fields["closed_at"]
    fields["category_zh"] = _CATEGORY_ZH[fields["category"]]
    # most complaints of a page are open: no call for a time that is not there
    fields["hours_to_first_response"] = (
        None if first_response_at is None else rules.hours_between(filed_at, first_response_at)
    )
    fields["hours_to_close"] = None if closed_at is None else rules.hours_between(filed_at, closed_at)
    if not show_contact:
        fields["contact"] = None
    return fields


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
    return _visible(c.vendor_id, c.filed_by, principal)


def _visible(vendor_id: str | None, filed_by: str, principal: Principal) -> bool:
    if principal.has(Role.supervisor, Role.admin, Role.auditor, Role.service):
        return True
    if principal.is_vendor_only:
        return vendor_id == principal.vendor_id
    return filed_by == principal.subject


async def read_visible(db: ReadPool, names: NameDirectory, *, complaint_id: str, principal: Principal) -> ComplaintRead:
    """The one read path of a complaint: one Core select, no ORM object, no lock, the vendor and project
    named from ``names``; 404 unless ``principal`` may see it."""
    row = await repository.read_complaint(db, complaint_id)
    if row is None or not _visible(row["vendor_id"], row["filed_by"], principal):
        raise NotFound(_("complaint {complaint_id} not found", complaint_id=complaint_id))
    fields = _read_fields(row, _shows_contact(principal))
    await name_records(names, [fields])
    return ComplaintRead.model_validate(fields)


async def read_complaints(
    db: ReadPool,
    names: NameDirectory,
    page: PageParams,
    *,
    principal: Principal,
    vendor_id: str | None,
    filed_by: str | None,
    category: str | None,
    status: str | None,
    since: date | None,
) -> tuple[list[ComplaintRead], int]:
    """Sort by `filed_at` (default, newest first), `status` or `category`; each row as :func:`to_read` shows it,
    vendors and projects named from ``names``, the page validated in one call."""
    order, desc = page.order({"filed_at", "status", "category"}, "-filed_at")
    rows, total = await repository.read_complaints(
        db,
        filters={"vendor_id": vendor_id, "filed_by": filed_by, "category": category, "status": status},
        since=since,
        limit=page.limit,
        offset=page.offset,
        order=order,
        desc=desc,
    )
    show_contact = _shows_contact(principal)
    fields = [_read_fields(row, show_contact) for row in rows]
    await name_records(names, fields)
    return page_items(ComplaintRead, fields), total


async def lock_visible(session: AsyncSession, *, complaint_id: str, principal: Principal) -> Complaint:
    """The complaint's ORM row locked (FOR UPDATE) in the request's transaction, for a change; 404 unless
    ``principal`` may see it. Reads go through :func:`read_visible`."""
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
