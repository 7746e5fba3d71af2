"""Floor areas, headcounts, goals and investments of the energy statistics."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from telemetry_ingest.models.accounting import BuildingArea, EnergyGoal, Headcount, Investment


async def upsert(session: AsyncSession, model: Any, keys: list[str], values: dict[str, Any]) -> None:
    stmt = insert(model).values(**values)
    await session.execute(
        stmt.on_conflict_do_update(index_elements=keys, set_={k: stmt.excluded[k] for k in values if k not in keys})
    )


async def areas(session: AsyncSession, *, building: str | None = None) -> list[BuildingArea]:
    stmt = select(BuildingArea).order_by(BuildingArea.building, BuildingArea.valid_from)
    if building is not None:
        stmt = stmt.where(BuildingArea.building == building)
    return list((await session.scalars(stmt)).all())


async def total_area(session: AsyncSession, *, on: date) -> Decimal | None:
    """Sum over buildings of the floor area valid on ``on`` (each building's latest row from before it)."""
    latest = (
        select(BuildingArea.floor_area_m2)
        .distinct(BuildingArea.building)
        .where(BuildingArea.valid_from <= on)
        .order_by(BuildingArea.building, BuildingArea.valid_from.desc())
        .subquery()
    )
    value = await session.scalar(select(func.sum(latest.c.floor_area_m2)))
    return Decimal(value) if value is not None else None


async def headcounts(session: AsyncSession) -> list[Headcount]:
    return list((await session.scalars(select(Headcount).order_by(Headcount.year))).all())


async def headcount(session: AsyncSession, year: int) -> int | None:
    return await session.scalar(select(Headcount.headcount).where(Headcount.year == year))


async def goals(session: AsyncSession, *, year: int | None = None) -> list[EnergyGoal]:
    stmt = select(EnergyGoal).order_by(EnergyGoal.year, EnergyGoal.indicator)
    if year is not None:
        stmt = stmt.where(EnergyGoal.year == year)
    return list((await session.scalars(stmt)).all())


async def investments(session: AsyncSession) -> list[Investment]:
    return list((await session.scalars(select(Investment).order_by(Investment.start_date, Investment.id))).all())


async def investment(session: AsyncSession, investment_id: str) -> Investment | None:
    return await session.get(Investment, investment_id)
