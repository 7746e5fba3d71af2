"""KPIs for the appraisal service: energy per responsible vendor, vehicles per vendor or department."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from houqin_common import clock
from houqin_common.schemas import EnergyKpi, VehicleKpi, period_bounds
from telemetry_ingest.analytics.config import AnalyticsSettings
from telemetry_ingest.energy import repository as energy_repository
from telemetry_ingest.energy import service as energy_service
from telemetry_ingest.energy.repository import MeterFilter
from telemetry_ingest.fleet import repository as fleet_repository
from telemetry_ingest.fleet import service as fleet_service


def period_window(period: str, settings: AnalyticsSettings) -> tuple[datetime, datetime]:
    first, after = period_bounds(period)
    return energy_service.local_midnight(first, settings), energy_service.local_midnight(after, settings)


async def energy_kpi(
    session: AsyncSession, *, settings: AnalyticsSettings, vendor_id: str, period: str, now: datetime | None = None
) -> EnergyKpi:
    """Consumption of the vendor's meters in the period beside the same period a year earlier.

    ``coverage`` is the share of expected reading intervals present (up to now for a period in progress),
    read from the same rollups as the consumption."""
    start, end = period_window(period, settings)
    flt = MeterFilter(vendor_id=vendor_id)
    meters = await energy_repository.meters(session, flt=flt)
    if not meters:
        return EnergyKpi(vendor_id=vendor_id, period=period, meters=0, consumption_kwh=0.0, coverage=0.0)
    current, present = await energy_service.total(session, settings=settings, flt=flt, start=start, end=end)
    prev_start, prev_end = energy_service.year_earlier(start), energy_service.year_earlier(end)
    prev_totals = await energy_service.totals(
        session, settings=settings, flt=flt, start=prev_start, end=prev_end, group_by="total"
    )
    previous = sum(prev_totals.values()) if prev_totals else None
    waste = await energy_repository.count_alerts(
        session, vendor_id=vendor_id, kinds_like="energy_waste%", start=start, end=end
    )
    horizon = min(end, now or clock.now())
    expected = len(meters) * max(0.0, (horizon - start).total_seconds()) / settings.reading_interval_s
    coverage = min(1.0, present / expected) if expected > 0 else 0.0
    return EnergyKpi(
        vendor_id=vendor_id,
        period=period,
        meters=len(meters),
        consumption_kwh=current,
        previous_kwh=previous,
        saving_ratio=(previous - current) / previous if previous else None,
        waste_alerts=waste,
        coverage=coverage,
    )


async def fleet_distance(
    session: AsyncSession, *, settings: AnalyticsSettings, start: datetime, end: datetime, vendor_id: str | None
) -> dict[str, float]:
    """km per vehicle over the window: the daily distance rollup where complete, raw positions elsewhere."""
    km: dict[str, float] = defaultdict(float)
    for row in await fleet_service.distance(
        session, settings=settings, start=start, end=end, unit="month", vehicle_id=None, vendor_id=vendor_id
    ):
        km[row.vehicle_id] += row.km
    return km


async def vehicle_kpis(
    session: AsyncSession, *, settings: AnalyticsSettings, period: str, vendor_id: str | None, group_by: str
) -> list[VehicleKpi]:
    """Per vendor (or department): vehicles, distance without GPS jumps, stored trips, violation alerts,
    and the share of trips with no violation. Trips and alerts come from the fleet evaluator."""
    start, end = period_window(period, settings)
    rows = await fleet_repository.kpi_rows(session, start=start, end=end, group=group_by, vendor_id=vendor_id)
    km_by_vehicle = await fleet_distance(session, settings=settings, start=start, end=end, vendor_id=vendor_id)
    out = []
    for r in rows:
        trips, clean = int(r["trips"]), int(r["clean"])
        out.append(
            VehicleKpi(
                vendor_id=r["grp"] if group_by == "vendor" else None,
                department=r["grp"] if group_by == "department" else None,
                period=period,
                vehicles=int(r["vehicles"]),
                distance_km=sum(km_by_vehicle.get(v, 0.0) for v in r["ids"]),
                trips=trips,
                violations=int(r["violations"]),
                compliance_ratio=clean / trips if trips else None,
            )
        )
    return out
