"""Guidance queries: regulations, plans, visits, trainings and attendance, a vendor's tally for scoring."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.guidance.rules import GuidanceTally
from appraisal.models import (
    Finding,
    GuidancePlan,
    GuidanceVisit,
    RectificationOrder,
    Regulation,
    Training,
    TrainingAttendance,
)

GUIDANCE_SOURCE = "guidance"


async def list_regulations(session: AsyncSession, *, project_code: str | None) -> list[Regulation]:
    rows = (await session.execute(select(Regulation).order_by(Regulation.number, Regulation.version))).scalars()
    if project_code is None:
        return list(rows)
    # a regulation with no project listed governs every project
    return [r for r in rows if not r.projects or project_code in r.projects]


async def list_plans(
    session: AsyncSession, *, year: int | None, vendor_id: str | None
) -> list[tuple[GuidancePlan, int]]:
    visits = select(GuidanceVisit.plan_id, func.count().label("n")).group_by(GuidanceVisit.plan_id).subquery()
    stmt = select(GuidancePlan, func.coalesce(visits.c.n, 0)).outerjoin(visits, visits.c.plan_id == GuidancePlan.id)
    if year is not None:
        stmt = stmt.where(GuidancePlan.year == year)
    if vendor_id is not None:
        stmt = stmt.where(GuidancePlan.vendor_id == vendor_id)
    rows = await session.execute(stmt.order_by(GuidancePlan.year, GuidancePlan.project_code))
    return [(p, int(n)) for p, n in rows]


async def list_visits(session: AsyncSession, *, vendor_id: str | None, year: int | None) -> list[GuidanceVisit]:
    stmt = select(GuidanceVisit)
    if vendor_id is not None:
        stmt = stmt.where(GuidanceVisit.vendor_id == vendor_id)
    if year is not None:
        stmt = stmt.where(GuidanceVisit.visited_on >= date(year, 1, 1), GuidanceVisit.visited_on < date(year + 1, 1, 1))
    return list((await session.execute(stmt.order_by(GuidanceVisit.visited_on, GuidanceVisit.id))).scalars())


async def list_trainings(
    session: AsyncSession, *, year: int | None, vendor_id: str | None
) -> list[tuple[Training, list[TrainingAttendance], str | None]]:
    stmt = select(Training, Regulation.title).outerjoin(Regulation, Regulation.id == Training.regulation_id)
    if year is not None:
        stmt = stmt.where(Training.held_on >= date(year, 1, 1), Training.held_on < date(year + 1, 1, 1))
    if vendor_id is not None:
        stmt = stmt.where(
            Training.id.in_(select(TrainingAttendance.training_id).where(TrainingAttendance.vendor_id == vendor_id))
        )
    trainings = list(await session.execute(stmt.order_by(Training.held_on, Training.id)))
    ids = [t.id for t, _title in trainings]
    lines: dict[str, list[TrainingAttendance]] = defaultdict(list)
    if ids:
        att = select(TrainingAttendance).where(TrainingAttendance.training_id.in_(ids))
        if vendor_id is not None:
            att = att.where(TrainingAttendance.vendor_id == vendor_id)
        for a in (await session.execute(att.order_by(TrainingAttendance.vendor_id))).scalars():
            lines[a.training_id].append(a)
    return [(t, lines[t.id], title) for t, title in trainings]


async def attendance(session: AsyncSession, training_id: str, *, lock: bool = False) -> list[TrainingAttendance]:
    stmt = select(TrainingAttendance).where(TrainingAttendance.training_id == training_id)
    if lock:
        stmt = stmt.with_for_update()
    return list((await session.execute(stmt)).scalars())


def _open_at(end: date):  # type: ignore[no-untyped-def]
    """Not verified closed before ``end``."""
    return or_(RectificationOrder.verified_on.is_(None), RectificationOrder.verified_on >= end)


async def open_findings(
    session: AsyncSession, *, vendor_id: str, start: date, end: date
) -> list[tuple[Finding, RectificationOrder]]:
    rows = await session.execute(
        select(Finding, RectificationOrder)
        .join(RectificationOrder, RectificationOrder.finding_id == Finding.id)
        .where(
            Finding.vendor_id == vendor_id,
            Finding.source == GUIDANCE_SOURCE,
            Finding.found_on >= start,
            Finding.found_on < end,
            _open_at(end),
        )
        .order_by(Finding.found_on, Finding.id)
    )
    return [(f, o) for f, o in rows]


async def tallies(session: AsyncSession, start: date, end: date) -> dict[str, GuidanceTally]:
    """vendor id -> trainings invited (attendance recorded) and attended in [start, end), guidance findings
    found in the period and not verified closed before its end."""
    invited: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    rows = await session.execute(
        select(TrainingAttendance.vendor_id, TrainingAttendance.attended)
        .join(Training, Training.id == TrainingAttendance.training_id)
        .where(Training.held_on >= start, Training.held_on < end, TrainingAttendance.attended.is_not(None))
    )
    for vendor_id, attended in rows:
        invited[vendor_id][0] += 1
        invited[vendor_id][1] += int(bool(attended))
    found = await session.execute(
        select(Finding.vendor_id, func.count())
        .join(RectificationOrder, RectificationOrder.finding_id == Finding.id)
        .where(Finding.source == GUIDANCE_SOURCE, Finding.found_on >= start, Finding.found_on < end, _open_at(end))
        .group_by(Finding.vendor_id)
    )
    open_by_vendor = {v: int(n) for v, n in found}
    return {
        v: GuidanceTally(
            invited=invited[v][0] if v in invited else 0,
            attended=invited[v][1] if v in invited else 0,
            open_findings=open_by_vendor.get(v, 0),
        )
        for v in set(invited) | set(open_by_vendor)
    }
