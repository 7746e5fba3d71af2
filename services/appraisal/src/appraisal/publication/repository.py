"""Queries of the publications: the latest version of a period, the period lock, versions."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.models import Publication


async def latest(session: AsyncSession, period: str) -> Publication | None:
    rows = await session.execute(
        select(Publication).where(Publication.period == period).order_by(Publication.version.desc()).limit(1)
    )
    return rows.scalar_one_or_none()


async def lock_period(session: AsyncSession, period: str) -> None:
    """Serialise publications of one period (two at once would both claim the next version)."""
    await session.execute(select(func.pg_advisory_xact_lock(func.hashtext("appraisal.publication." + period))))


async def versions(session: AsyncSession, period: str) -> list[Publication]:
    rows = await session.execute(select(Publication).where(Publication.period == period).order_by(Publication.version))
    return list(rows.scalars())


async def get(session: AsyncSession, period: str, version: int) -> Publication | None:
    rows = await session.execute(
        select(Publication).where(Publication.period == period, Publication.version == version)
    )
    return rows.scalar_one_or_none()


async def add(session: AsyncSession, publication: Publication) -> None:
    session.add(publication)
    await session.flush()
    await session.refresh(publication)
