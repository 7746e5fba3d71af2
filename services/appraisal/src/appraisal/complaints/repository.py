from __future__ import annotations

from datetime import UTC, date, datetime, time

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.models import Assignment, Complaint


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


async def list_complaints(
    session: AsyncSession,
    *,
    vendor_id: str | None,
    filed_by: str | None,
    category: str | None,
    status: str | None,
    since: date | None,
    limit: int,
    offset: int,
    order: str,
    desc: bool,
) -> tuple[list[Complaint], int]:
    stmt = select(Complaint)
    if vendor_id:
        stmt = stmt.where(Complaint.vendor_id == vendor_id)
    if filed_by:
        stmt = stmt.where(Complaint.filed_by == filed_by)
    if category:
        stmt = stmt.where(Complaint.category == category)
    if status:
        stmt = stmt.where(Complaint.status == status)
    if since:
        stmt = stmt.where(Complaint.filed_at >= datetime.combine(since, time.min, tzinfo=UTC))
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    col = getattr(Complaint, order)
    rows = await session.execute(stmt.order_by(col.desc() if desc else col, Complaint.id).limit(limit).offset(offset))
    return list(rows.scalars()), int(total)
