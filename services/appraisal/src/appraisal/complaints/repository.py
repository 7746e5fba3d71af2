"""Queries of the complaints: the Core read path (one complaint, filtered pages) and the project's vendor."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.models import Assignment, Complaint
from houqin_common import clock
from houqin_common.hotpath import ReadPool, Row, compiled


async def vendor_of_project(session: AsyncSession, project_code: str, on: date) -> str | None:
    row = await session.execute(
        select(Assignment.vendor_id)
        .where(
            Assignment.project_code == project_code,
            Assignment.start_date <= on,
            or_(Assignment.end_date.is_(None), Assignment.end_date >= on),
        )
        .order_by(Assignment.start_date.desc())
        .limit(1)
    )
    return row.scalar_one_or_none()


# --- hot reads (houqin_common.hotpath): Core selects compiled once per shape ---

_COMPLAINT = Complaint.__table__
#: what a read of a complaint needs: ComplaintRead's stored fields, the filer (visibility) and the contact
READ_COLUMNS = (
    "id",
    "kind",
    "channel",
    "category",
    "vendor_id",
    "project_code",
    "description",
    "filed_by",
    "status",
    "filed_at",
    "first_response_at",
    "response",
    "closed_at",
    "substantiated",
    "resolution",
    "contact",
)
_COLUMNS = [_COMPLAINT.c[name] for name in READ_COLUMNS]
#: the list's equality filters, in the order of the statement shape (``since`` is a lower bound)
_FILTERS = ("vendor_id", "filed_by", "category", "status")


def _complaint_by_id() -> Select[Any]:
    return select(*_COLUMNS).where(_COMPLAINT.c.id == bindparam("complaint_id"))


async def read_complaint(db: ReadPool, complaint_id: str) -> Row | None:
    """The complaint's :data:`READ_COLUMNS`, or None (no row lock: nothing is changed)."""
    return await db.fetchrow(compiled("appraisal.complaint", _complaint_by_id), complaint_id=complaint_id)


def _complaints_filtered(present: tuple[bool, ...], since: bool) -> Select[Any]:
    stmt = select(*_COLUMNS)
    for name, on in zip(_FILTERS, present, strict=True):
        if on:
            stmt = stmt.where(_COMPLAINT.c[name] == bindparam(name))
    if since:
        stmt = stmt.where(_COMPLAINT.c.filed_at >= bindparam("since"))
    return stmt


async def read_complaints(
    db: ReadPool,
    *,
    filters: dict[str, str | None],
    since: date | None,
    limit: int,
    offset: int,
    order: str,
    desc: bool,
) -> tuple[list[Row], int]:
    """A page of complaints (:data:`READ_COLUMNS`) and the total (empty filter values are no filter),
    ``order`` then the id."""
    values: dict[str, Any] = {name: filters[name] for name in _FILTERS if filters.get(name)}
    present = tuple(name in values for name in _FILTERS)
    if since:
        values["since"] = clock.day_start(since)
    shape = (present, bool(since))

    def page() -> Select[Any]:
        col = _COMPLAINT.c[order]
        stmt = _complaints_filtered(*shape).order_by(col.desc() if desc else col, _COMPLAINT.c.id)
        return stmt.limit(bindparam("limit")).offset(bindparam("offset"))

    count = compiled(
        ("appraisal.complaints.count", shape),
        lambda: select(func.count()).select_from(_complaints_filtered(*shape).subquery()),
    )
    rows = compiled(("appraisal.complaints.page", shape, order, desc), page)
    async with db.connection() as conn:
        total = await conn.fetchval(count, **values)
        return await conn.fetch(rows, **values, limit=limit, offset=offset), int(total)
