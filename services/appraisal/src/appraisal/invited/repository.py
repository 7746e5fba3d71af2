"""Invited-service queries: providers, active schedules, sessions and their ratings in a range."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.models import InvitedProvider, InvitedRating, InvitedSchedule, InvitedSession


async def list_providers(session: AsyncSession) -> list[InvitedProvider]:
    return list((await session.execute(select(InvitedProvider).order_by(InvitedProvider.name))).scalars())


async def schedules(session: AsyncSession, start: date, end: date) -> list[tuple[InvitedSchedule, InvitedProvider]]:
    rows = await session.execute(
        select(InvitedSchedule, InvitedProvider)
        .join(InvitedProvider, InvitedProvider.id == InvitedSchedule.provider_id)
        .where(
            InvitedSchedule.active.is_(True),
            InvitedSchedule.starts_on < end,
            (InvitedSchedule.ends_on.is_(None)) | (InvitedSchedule.ends_on >= start),
        )
        .order_by(InvitedSchedule.start_time, InvitedSchedule.id)
    )
    return [(s, p) for s, p in rows]


async def sessions(session: AsyncSession, start: date, end: date) -> list[InvitedSession]:
    rows = await session.execute(
        select(InvitedSession).where(InvitedSession.held_on >= start, InvitedSession.held_on < end)
    )
    return list(rows.scalars())


async def ratings(session: AsyncSession, session_ids: list[str]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = defaultdict(list)
    if session_ids:
        rows = await session.execute(
            select(InvitedRating.session_id, InvitedRating.stars).where(InvitedRating.session_id.in_(session_ids))
        )
        for sid, stars in rows:
            out[sid].append(int(stars))
    return dict(out)
