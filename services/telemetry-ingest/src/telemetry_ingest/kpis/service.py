"""KPIs for the appraisal service: energy per responsible vendor, vehicles per vendor or department."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from houqin_common import clock
from houqin_common.i18n import _
from houqin_common.schemas import EnergyKpi, VehicleKpi, period_bounds
from telemetry_ingest.analytics.config import AnalyticsSettings
from telemetry_ingest.energy import like_for_like
from telemetry_ingest.energy import repository as energy_repository
from telemetry_ingest.energy import service as energy_service
from telemetry_ingest.energy.like_for_like import Comparison
from telemetry_ingest.energy.repository import MeterFilter
from telemetry_ingest.energy.service import year_earlier
from telemetry_ingest.fleet import repository as fleet_repository
from telemetry_ingest.fleet import service as fleet_service
from telemetry_ingest.statistics.config import AccountingSettings


def period_window(period: str, settings: AnalyticsSettings) -> tuple[datetime, datetime]:
    first, after = period_bounds(period)
    return energy_service.local_midnight(first, settings), energy_service.local_midnight(after, settings)


def compared_window(period: str, settings: AnalyticsSettings, now: datetime) -> tuple[datetime, datetime]:
    """The period's window, cut at today's local midnight while it runs (whole days: a day is compared
    with the same whole day a year earlier)."""
    start, end = period_window(period, settings)
    today = energy_service.local_midnight(now.astimezone(ZoneInfo(settings.timezone)).date(), settings)
    return start, max(start, min(end, today))


async def energy_kpi(
    session: AsyncSession,
    *,
    settings: AnalyticsSettings,
    cfg: AccountingSettings,
    vendor_id: str,
    period: str,
    now: datetime | None = None,
) -> tuple[EnergyKpi, Comparison | None]:
    """The vendor's energy over the period beside the same days a year earlier, like for like.

    Only meter-days that reported in both periods are compared (a meter added this year has no "before");
    the carriers are summed in kgce (standard coal), water apart. Below ``energy_kpi_min_compared_share``
    of the period's meter-days compared, the KPI does not score (``not_scored``). ``coverage`` is the share
    of expected reading intervals present (up to now for a period in progress)."""
    now = now or clock.now()
    flt = MeterFilter(vendor_id=vendor_id)
    meters = await energy_repository.meters(session, flt=flt)
    if not meters:
        return EnergyKpi(vendor_id=vendor_id, period=period, meters=0, consumption_kwh=0.0, coverage=0.0), None
    start, end = compared_window(period, settings, now)
    carrier_of = {m["id"]: m["energy_type"] for m in meters}
    unit_of = {m["energy_type"]: m["unit"] for m in meters}
    factors = like_for_like.kgce_factors(cfg)
    energy_carriers = {c for c in set(carrier_of.values()) if factors.get(c) is not None}
    if end > start:
        current = await like_for_like.daily_series(session, settings=settings, flt=flt, start=start, end=end)
        previous = await like_for_like.daily_series(
            session, settings=settings, flt=flt, start=year_earlier(start), end=year_earlier(end)
        )
    else:
        current = previous = like_for_like.DailySeries.of([])
    cmp = like_for_like.compare_series(current, previous, carrier_of, energy_carriers)
    electricity = cfg.electricity_code
    waste = await energy_repository.count_alerts(
        session, vendor_id=vendor_id, kinds_like="energy_waste%", start=start, end=max(end, start)
    )
    _kwh, intervals = (
        await energy_service.total(session, settings=settings, flt=flt, start=start, end=end)
        if end > start
        else (0.0, 0)
    )
    expected = len(meters) * max(0.0, (end - start).total_seconds()) / settings.reading_interval_s
    coverage = min(1.0, intervals / expected) if expected > 0 else 0.0
    cur_kgce = like_for_like.kgce(cmp.compared, factors)
    prev_kgce = like_for_like.kgce(cmp.compared_previous, factors)
    not_scored: str | None = None
    reason: str | None = None
    if cmp.energy_days_compared == 0 or prev_kgce <= 0:
        not_scored = "no_comparable_meters"
        reason = _("no meter of the vendor reported on the same days of both periods: nothing to compare like for like")
    elif cmp.compared_share < settings.energy_kpi_min_compared_share:
        not_scored = "low_coverage"
        reason = _(
            "only {share} of the period's meter-days can be compared with the same days a year earlier "
            "(at least {minimum} needed): not scored",
            share=f"{cmp.compared_share:.1%}",
            minimum=f"{settings.energy_kpi_min_compared_share:.0%}",
        )
    kpi = EnergyKpi(
        vendor_id=vendor_id,
        period=period,
        meters=len(meters),
        consumption_kwh=cmp.quantity.get(electricity, 0.0),
        previous_kwh=cmp.previous.get(electricity) if cmp.meter_days_previous else None,
        consumption_kgce=cur_kgce if cmp.energy_days_compared else None,
        previous_kgce=prev_kgce if cmp.energy_days_compared else None,
        saving_ratio=None if not_scored else (prev_kgce - cur_kgce) / prev_kgce,
        not_scored=not_scored,
        not_scored_reason=reason,
        carriers=like_for_like.carriers(cmp, unit_of, factors),
        scope=like_for_like.scope(cmp, len(meters)),
        waste_alerts=waste,
        coverage=coverage,
        period_end=end,
    )
    return kpi, cmp


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


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
