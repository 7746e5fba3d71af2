"""Savings ledger queries: a year's project and platform lines, upserts by natural key."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.models import PlatformSaving, ProjectSaving


async def project_line(session: AsyncSession, project_code: str, year: int) -> ProjectSaving | None:
    row = await session.execute(
        select(ProjectSaving)
        .where(ProjectSaving.project_code == project_code, ProjectSaving.year == year)
        .with_for_update()
    )
    return row.scalar_one_or_none()


async def platform_line(session: AsyncSession, platform: str, year: int) -> PlatformSaving | None:
    row = await session.execute(
        select(PlatformSaving).where(PlatformSaving.platform == platform, PlatformSaving.year == year).with_for_update()
    )
    return row.scalar_one_or_none()


async def year_lines(session: AsyncSession, year: int) -> tuple[list[ProjectSaving], list[PlatformSaving]]:
    projects = await session.execute(
        select(ProjectSaving).where(ProjectSaving.year == year).order_by(ProjectSaving.project_code)
    )
    platforms = await session.execute(
        select(PlatformSaving).where(PlatformSaving.year == year).order_by(PlatformSaving.platform)
    )
    return list(projects.scalars()), list(platforms.scalars())
