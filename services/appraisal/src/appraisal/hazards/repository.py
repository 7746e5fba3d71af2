"""Queries of the hazard register."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.models import Hazard, HazardAlarm

OPEN = ("found", "assigned", "rectifying")


async def get(session: AsyncSession, hazard_id: str, *, lock: bool = False) -> Hazard | None:
    stmt = select(Hazard).where(Hazard.id == hazard_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def open_for_zone(session: AsyncSession, panel_id: str, zone: str) -> Hazard | None:
    """The open hazard an alarm of this zone joins (the newest), locked."""
    stmt = (
        select(Hazard)
        .where(Hazard.panel_id == panel_id, Hazard.zone == zone, Hazard.status.in_((*OPEN, "removed")))
        .order_by(Hazard.found_at.desc())
        .limit(1)
        .with_for_update()
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def get_alarm(session: AsyncSession, alarm_id: str) -> HazardAlarm | None:
    return await session.get(HazardAlarm, alarm_id)


async def alarms_of(session: AsyncSession, hazard_ids: Sequence[str]) -> dict[str, list[HazardAlarm]]:
    if not hazard_ids:
        return {}
    rows = await session.execute(
        select(HazardAlarm).where(HazardAlarm.hazard_id.in_(hazard_ids)).order_by(HazardAlarm.occurred_at)
    )
    out: dict[str, list[HazardAlarm]] = {}
    for alarm in rows.scalars():
        out.setdefault(alarm.hazard_id, []).append(alarm)
    return out


def _conditions(
    *,
    vendor_id: str | None,
    status: str | None,
    category: str | None,
    overdue_at: datetime | None,
    found_from: datetime | None,
    found_to: datetime | None,
) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if vendor_id is not None:
        where.append(Hazard.vendor_id == vendor_id)
    if status is not None:
        where.append(Hazard.status == status)
    if category is not None:
        where.append(Hazard.category == category)
    if overdue_at is not None:
        where += [Hazard.status.in_(OPEN), Hazard.removal_due_at < overdue_at]
    if found_from is not None:
        where.append(Hazard.found_at >= found_from)
    if found_to is not None:
        where.append(Hazard.found_at < found_to)
    return where


async def list_hazards(
    session: AsyncSession,
    *,
    vendor_id: str | None = None,
    status: str | None = None,
    category: str | None = None,
    overdue_at: datetime | None = None,
    found_from: datetime | None = None,
    found_to: datetime | None = None,
    limit: int = 50,
    offset: int = 0,
    order: str = "found_at",
    desc: bool = False,
) -> tuple[list[Hazard], int]:
    where = _conditions(
        vendor_id=vendor_id,
        status=status,
        category=category,
        overdue_at=overdue_at,
        found_from=found_from,
        found_to=found_to,
    )
    total = (await session.execute(select(func.count()).select_from(Hazard).where(*where))).scalar_one()
    column = getattr(Hazard, order)
    stmt = select(Hazard).where(*where).order_by(column.desc() if desc else column, Hazard.id)
    rows = (await session.execute(stmt.limit(limit).offset(offset))).scalars().all()
    return list(rows), int(total)


async def in_period(session: AsyncSession, start: datetime, end: datetime) -> list[Hazard]:
    """Hazards due for removal in [start, end): each counts in the one period its deadline falls in."""
    stmt = select(Hazard).where(Hazard.removal_due_at >= start, Hazard.removal_due_at < end)
    return list((await session.execute(stmt.order_by(Hazard.found_at))).scalars())


async def found_in(session: AsyncSession, start: datetime, end: datetime) -> list[Hazard]:
    stmt = select(Hazard).where(Hazard.found_at >= start, Hazard.found_at < end).order_by(Hazard.found_at)
    return list((await session.execute(stmt)).scalars())
