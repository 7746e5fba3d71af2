"""Queries of the surveys: campaigns, invitations, response rates and grade statistics."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.models import Answer, Campaign, ConsumedToken, Invitation, Response, ServiceItem


async def list_campaigns(
    session: AsyncSession, *, period: str | None, limit: int, offset: int, order: str, desc: bool
) -> tuple[list[Campaign], int]:
    stmt = select(Campaign)
    if period:
        stmt = stmt.where(Campaign.period.startswith(period))
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    col = getattr(Campaign, order)
    rows = await session.execute(stmt.order_by(col.desc() if desc else col, Campaign.id).limit(limit).offset(offset))
    return list(rows.scalars()), int(total)


async def invitation_by_hash(session: AsyncSession, campaign_id: str, token_hash: str) -> Invitation | None:
    return (
        await session.execute(
            select(Invitation).where(Invitation.campaign_id == campaign_id, Invitation.token_hash == token_hash)
        )
    ).scalar_one_or_none()


async def consume(session: AsyncSession, campaign_id: str, token_hash: str) -> bool:
    """Mark the token used; False when it already was (the primary key decides, even under concurrency)."""
    stmt = (
        insert(ConsumedToken)
        .values(campaign_id=campaign_id, token_hash=token_hash)
        .on_conflict_do_nothing()
        .returning(ConsumedToken.token_hash)
    )
    return (await session.execute(stmt)).first() is not None


async def invited_by_department(session: AsyncSession, campaign_id: str) -> dict[str, int]:
    dept = func.coalesce(Invitation.department, "")
    rows = await session.execute(select(dept, func.count()).where(Invitation.campaign_id == campaign_id).group_by(dept))
    return {d: int(n) for d, n in rows}


async def answered_by_department(session: AsyncSession, campaign_id: str) -> dict[str, int]:
    dept = func.coalesce(Response.department, "")
    rows = await session.execute(select(dept, func.count()).where(Response.campaign_id == campaign_id).group_by(dept))
    return {d: int(n) for d, n in rows}


async def item_grades(session: AsyncSession, campaign_id: str) -> list[tuple[ServiceItem, str, int]]:
    rows = await session.execute(
        select(ServiceItem, Answer.grade, func.count())
        .join(Answer, Answer.item_id == ServiceItem.id)
        .join(Response, Response.id == Answer.response_id)
        .where(Response.campaign_id == campaign_id)
        .group_by(ServiceItem.id, Answer.grade)
        .order_by(ServiceItem.project_code, ServiceItem.code)
    )
    return [(i, g, int(n)) for i, g, n in rows]


async def department_grades(session: AsyncSession, campaign_id: str) -> dict[str, dict[str, int]]:
    dept = func.coalesce(Response.department, "")
    rows = await session.execute(
        select(dept, Answer.grade, func.count())
        .join(Answer, Answer.response_id == Response.id)
        .where(Response.campaign_id == campaign_id)
        .group_by(dept, Answer.grade)
    )
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for d, g, n in rows:
        out[d][g] = int(n)
    return dict(out)


async def texts(session: AsyncSession, campaign_id: str) -> tuple[list[str], list[str]]:
    rows = (
        await session.execute(
            select(Response.overall_opinion, Response.suggestions).where(Response.campaign_id == campaign_id)
        )
    ).all()
    # sorted by text: the order in which answers arrived must not show
    return sorted(o for o, _ in rows if o), sorted(s for _, s in rows if s)
