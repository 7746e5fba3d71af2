"""Every reading interval of a window as its own row: the per-interval reference the cost slots are checked
against (``telemetry_ingest.tariffs.repository.slot_consumption`` pre-sums them in SQL)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from telemetry_ingest.energy import repository as energy_repository
from telemetry_ingest.energy.repository import MeterFilter, Window
from telemetry_ingest.tariffs.repository import MeterInterval


async def interval_consumption(session: AsyncSession, *, flt: MeterFilter, win: Window) -> list[MeterInterval]:
    """Every reading interval starting in the window, computed exactly as the energy queries compute it
    (the raw-readings CTE of ``energy.repository``: resets, rollovers, multiplier)."""
    cte, params = energy_repository.intervals_cte(flt, win)
    sql = f"""{cte}
    SELECT d.meter_id, d.start_ts, d.end_ts, d.kwh, m.building, coalesce(m.zone, '') AS zone,
           coalesce(m.sub_item, m.energy_type) AS sub_item, m.energy_type, coalesce(m.vendor_id, '') AS vendor_id
    FROM d JOIN m ON m.id = d.meter_id ORDER BY d.meter_id, d.start_ts"""
    rows = await session.execute(text(sql), params)
    return [MeterInterval(r[0], r[1], r[2], float(r[3]), r[4], r[5], r[6], r[7], r[8]) for r in rows.tuples()]
