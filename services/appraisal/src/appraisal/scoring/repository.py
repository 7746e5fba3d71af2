"""The SQL behind the scores: aggregates per vendor over a date range."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.models import (
    Answer,
    Assignment,
    Booking,
    Campaign,
    Complaint,
    FoodSafetyInspection,
    Hazard,
    RectificationOrder,
    Response,
    RoutineInspection,
    ServiceItem,
)
from houqin_common import clock


def _overlaps(start: date, end: date):  # type: ignore[no-untyped-def]
    return and_(Assignment.start_date < end, or_(Assignment.end_date.is_(None), Assignment.end_date >= start))


async def assignments(session: AsyncSession, start: date, end: date) -> dict[str, set[str]]:
    """vendor id -> project codes it ran at some point of [start, end)."""
    rows = await session.execute(select(Assignment.vendor_id, Assignment.project_code).where(_overlaps(start, end)))
    out: dict[str, set[str]] = defaultdict(set)
    for vendor_id, project in rows:
        out[vendor_id].add(project)
    return dict(out)


async def grade_counts(
    session: AsyncSession, campaign_periods: list[str], *, campaign_id: str | None = None
) -> dict[str, dict[str, int]]:
    """vendor id -> grade -> answers, through item -> project -> the vendor assigned when the campaign closed."""
    closes = func.date(Campaign.closes_at)
    stmt = (
        select(Assignment.vendor_id, Answer.grade, func.count())
        .select_from(Answer)
        .join(Response, Response.id == Answer.response_id)
        .join(Campaign, Campaign.id == Response.campaign_id)
        .join(ServiceItem, ServiceItem.id == Answer.item_id)
        .join(
            Assignment,
            and_(
                Assignment.project_code == ServiceItem.project_code,
                Assignment.start_date <= closes,
                or_(Assignment.end_date.is_(None), Assignment.end_date >= closes),
            ),
        )
        .group_by(Assignment.vendor_id, Answer.grade)
    )
    stmt = stmt.where(Campaign.id == campaign_id) if campaign_id else stmt.where(Campaign.period.in_(campaign_periods))
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for vendor_id, grade, n in await session.execute(stmt):
        out[vendor_id][grade] = int(n)
    return dict(out)


async def routine_scores(session: AsyncSession, start: date, end: date) -> dict[str, list[float]]:
    rows = await session.execute(
        select(RoutineInspection.vendor_id, RoutineInspection.score).where(
            RoutineInspection.inspected_on >= start, RoutineInspection.inspected_on < end
        )
    )
    out: dict[str, list[float]] = defaultdict(list)
    for vendor_id, score in rows:
        out[vendor_id].append(score)
    return dict(out)


async def food_safety(session: AsyncSession, start: date, end: date) -> dict[str, list[tuple[float, str | None]]]:
    rows = await session.execute(
        select(FoodSafetyInspection.vendor_id, FoodSafetyInspection.score, FoodSafetyInspection.worst_severity).where(
            FoodSafetyInspection.inspected_on >= start, FoodSafetyInspection.inspected_on < end
        )
    )
    out: dict[str, list[tuple[float, str | None]]] = defaultdict(list)
    for vendor_id, score, worst in rows:
        out[vendor_id].append((score, worst))
    return dict(out)


async def complaints(
    session: AsyncSession, start: date, end: date
) -> dict[str, list[tuple[bool, datetime, datetime | None]]]:
    """vendor id -> (counts against the vendor, filed at, first response at) of the complaints filed in
    [start, end), office days (a complaint filed at 07:00 Beijing time on 1 July is July's)."""
    rows = await session.execute(
        select(Complaint.vendor_id, Complaint.substantiated, Complaint.filed_at, Complaint.first_response_at).where(
            Complaint.kind == "complaint",
            Complaint.vendor_id.is_not(None),
            Complaint.filed_at >= clock.day_start(start),
            Complaint.filed_at < clock.day_start(end),
        )
    )
    out: dict[str, list[tuple[bool, datetime, datetime | None]]] = defaultdict(list)
    for vendor_id, substantiated, filed_at, first in rows:
        out[str(vendor_id)].append((substantiated is not False, filed_at, first))
    return dict(out)


async def orders(session: AsyncSession, start: date, end: date) -> dict[str, list[RectificationOrder]]:
    rows = await session.execute(
        select(RectificationOrder).where(RectificationOrder.deadline >= start, RectificationOrder.deadline < end)
    )
    out: dict[str, list[RectificationOrder]] = defaultdict(list)
    for order in rows.scalars():
        out[order.vendor_id].append(order)
    return dict(out)


async def hazards(session: AsyncSession, start: date, end: date) -> dict[str, list[Hazard]]:
    """vendor id -> hazards due for removal in [start, end) (office days)."""
    lo, hi = clock.day_start(start), clock.day_start(end)
    rows = await session.execute(
        select(Hazard)
        .where(Hazard.removal_due_at >= lo, Hazard.removal_due_at < hi)
        .order_by(Hazard.removal_due_at, Hazard.id)
    )
    out: dict[str, list[Hazard]] = defaultdict(list)
    for h in rows.scalars():
        out[h.vendor_id].append(h)
    return dict(out)


async def meetings(session: AsyncSession, start: date, end: date) -> dict[str, list[Booking]]:
    """conference vendor id -> meetings held in [start, end) that it served."""
    lo, hi = clock.day_start(start), clock.day_start(end)
    rows = await session.execute(
        select(Booking)
        .where(
            Booking.service_vendor_id.is_not(None),
            Booking.status == "held",
            Booking.starts_at >= lo,
            Booking.starts_at < hi,
        )
        .order_by(Booking.starts_at, Booking.id)
    )
    out: dict[str, list[Booking]] = defaultdict(list)
    for b in rows.scalars():
        out[str(b.service_vendor_id)].append(b)
    return dict(out)
