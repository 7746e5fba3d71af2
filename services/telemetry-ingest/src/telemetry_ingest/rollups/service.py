"""Refresh exactly what the writes touched: meter-days (energy rollups) and vehicle-days (distance
rollup, trips, alerts), of any age, from the invalidation log the insert triggers keep."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from telemetry_ingest.analytics.calendar import UseCalendar
from telemetry_ingest.analytics.config import AnalyticsSettings
from telemetry_ingest.rollups import repository
from telemetry_ingest.rollups.plan import day_ranges, touched_days

DERIVE = "derive"
"""Invalidation-log kind of meter-days whose rows derived from the energy rollups (``energy_week_hours``,
``energy_month_days``) are to build; the readings' kind ``meter`` rebuilds them with the rollups."""


@dataclass(frozen=True)
class Refreshed:
    subject_days: int
    rows: int
    ranges: list[tuple[str, date, date]] = field(default_factory=list)
    touched: int = 0
    """(subject, hour) ranges consumed from the invalidation log"""


def ranges_of(touched: list[tuple[str, datetime]], tz: ZoneInfo) -> list[tuple[str, date, date]]:
    """(subject, first local day, day after) ranges covering the touched (subject, hour) pairs."""
    hours: dict[str, list[datetime]] = defaultdict(list)
    for subject, hour in touched:
        hours[subject].append(hour)
    return [
        (subject, first, after)
        for subject in sorted(hours)
        for first, after in day_ranges(touched_days(hours[subject], tz))
    ]


async def refresh_energy(session: AsyncSession, *, settings: AnalyticsSettings) -> Refreshed:
    """Recompute hour, day and month rows of every meter-day with pending touched hours; the same meter-days
    are logged as touched for the daily cost rollup (kind ``cost``), which the tariffs reprice. The meter-days
    logged as kind ``derive`` (only their rows of ``energy_week_hours`` and ``energy_month_days`` are missing,
    as after the migrations that added these) are rebuilt from the energy rollups (not counted in the result:
    their readings did not change)."""
    touched = await repository.pop_touched(session, "meter")
    ranges = ranges_of(touched, ZoneInfo(settings.timezone))
    rows = await repository.refresh_energy(
        session,
        ranges=ranges,
        tz=settings.timezone,
        lookback=timedelta(hours=settings.register_lookback_h),
        band=settings.rollover_band,
        work_hours=await energy_work_hours(session, settings),
    )
    derive = await repository.pop_touched(session, DERIVE)
    await repository.refresh_derived(
        session, ranges=ranges_of(derive, ZoneInfo(settings.timezone)), tz=settings.timezone
    )
    return Refreshed(sum((a - f).days for _, f, a in ranges), rows, ranges, len(touched) + len(derive))


async def energy_work_hours(session: AsyncSession, settings: AnalyticsSettings) -> tuple[time, time]:
    """Working hours of the energy calendar (``energy_calendar_id``), else the default calendar's."""
    found = await repository.work_hours(session, settings.energy_calendar_id)
    default = UseCalendar()
    return found or (default.work_start, default.work_end)


async def refresh_vehicle_days(session: AsyncSession, *, settings: AnalyticsSettings) -> Refreshed:
    """Recompute the daily distance of every vehicle-day with pending touched hours; the caller
    re-evaluates trips and alerts of the returned ranges."""
    touched = await repository.pop_touched(session, "vehicle")
    ranges = ranges_of(touched, ZoneInfo(settings.timezone))
    rows = await repository.refresh_vehicle_days(
        session, ranges=ranges, tz=settings.timezone, max_speed_kmh=settings.max_plausible_speed_kmh
    )
    return Refreshed(sum((a - f).days for _, f, a in ranges), rows, ranges, len(touched))


VACUUMED = (
    "touched_range",
    "energy_hourly",
    "energy_daily",
    "energy_week_hours",
    "energy_month_days",
    "energy_monthly",
    "energy_daily_cost",
    "energy_monthly_cost",
    "energy_month_day_cost",
    "vehicle_day",
)


async def vacuum(connection: AsyncConnection) -> None:
    """VACUUM ANALYZE the invalidation log and the rollups (``connection`` in autocommit: VACUUM cannot run in
    a transaction). The log is a queue: a pass deletes what the writers inserted, and after a bulk backfill
    the pending-range look-up of every query walks the dead index entries until they are vacuumed."""
    for table in VACUUMED:
        await connection.execute(text(f"VACUUM ANALYZE telemetry.{table}"))
