"""Tariff rows, and the one narrow read the cost computation needs from the readings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from telemetry_ingest.energy import repository as energy_repository
from telemetry_ingest.energy.repository import MeterFilter, Window
from telemetry_ingest.models.accounting import Tariff


@dataclass(frozen=True)
class MeterInterval:
    """Consumption of one meter between two consecutive readings, with the meter's grouping attributes."""

    meter_id: str
    start: datetime
    end: datetime
    quantity: float
    building: str
    zone: str
    sub_item: str
    energy_type: str
    vendor_id: str


async def interval_consumption(session: AsyncSession, *, flt: MeterFilter, win: Window) -> list[MeterInterval]:
    """Every reading interval starting in the window, computed exactly as the energy queries compute it
    (the raw-readings CTE of ``energy.repository``: resets, rollovers, multiplier)."""
    cte, params = energy_repository._intervals_cte(flt, win)
    sql = f"""{cte}
    SELECT d.meter_id, d.start_ts, d.end_ts, d.kwh, m.building, coalesce(m.zone, '') AS zone,
           coalesce(m.sub_item, m.energy_type) AS sub_item, m.energy_type, coalesce(m.vendor_id, '') AS vendor_id
    FROM d JOIN m ON m.id = d.meter_id ORDER BY d.meter_id, d.start_ts"""
    rows = await session.execute(text(sql), params)
    return [MeterInterval(r[0], r[1], r[2], float(r[3]), r[4], r[5], r[6], r[7], r[8]) for r in rows.tuples()]


async def list_tariffs(session: AsyncSession, *, energy_type: str | None = None) -> list[Tariff]:
    stmt = select(Tariff).order_by(Tariff.energy_type, Tariff.scope, Tariff.scope_id, Tariff.effective_from)
    if energy_type is not None:
        stmt = stmt.where(Tariff.energy_type == energy_type)
    return list((await session.scalars(stmt)).all())


async def get_tariff(session: AsyncSession, tariff_id: str) -> Tariff | None:
    return await session.get(Tariff, tariff_id)


async def upsert_tariff(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Insert or replace a version by id; True when it was new."""
    existed = await session.scalar(select(Tariff.id).where(Tariff.id == values["id"]))
    stmt = insert(Tariff).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[Tariff.id], set_={k: stmt.excluded[k] for k in values if k != "id"}
    )
    await session.execute(stmt)
    return existed is None


async def delete_tariff(session: AsyncSession, tariff_id: str) -> None:
    await session.execute(delete(Tariff).where(Tariff.id == tariff_id))
