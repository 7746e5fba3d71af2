"""Waste evaluation over stored readings: each meter's day judged against its own profile (the pure rules are
:mod:`.waste`), alerts raised for what it finds."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from telemetry_ingest.analytics.config import AnalyticsSettings
from telemetry_ingest.analytics.energy_alerts import MESSAGES as ENERGY_MESSAGES
from telemetry_ingest.analytics.energy_alerts import EnergyAlertKind
from telemetry_ingest.analytics.profiles import Profile
from telemetry_ingest.energy import repository, service, waste, waste_arrays
from telemetry_ingest.energy.repository import MeterFilter
from telemetry_ingest.energy.schemas import (
    WasteEvaluation,
)
from telemetry_ingest.energy.service import Plan
from telemetry_ingest.rollups import repository as rollups_repository
from telemetry_ingest.rollups.plan import day_ranges
from telemetry_ingest.rollups.service import DERIVE


def waste_policy(settings: AnalyticsSettings) -> waste.WastePolicy:
    return waste.WastePolicy(
        percentile=settings.waste_percentile,
        tolerance=settings.waste_tolerance,
        min_excess_kw=settings.waste_min_excess_kw,
        history_days=settings.waste_history_days,
        min_history=settings.waste_min_history,
    )


async def evaluate_waste(
    session: AsyncSession,
    *,
    settings: AnalyticsSettings,
    flt: MeterFilter,
    start: datetime,
    end: datetime,
    calendar_id: str | None,
) -> WasteEvaluation:
    """Waste alerts of every local day starting in [start, end)."""
    tz = ZoneInfo(settings.timezone)
    first, last = start.astimezone(tz).date(), (end - timedelta(microseconds=1)).astimezone(tz).date()
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return await evaluate_waste_days(session, settings=settings, days=days, flt=flt, calendar_id=calendar_id)


async def evaluate_waste_days(
    session: AsyncSession,
    *,
    settings: AnalyticsSettings,
    days: list[date],
    flt: MeterFilter | None = None,
    calendar_id: str | None = None,
) -> WasteEvaluation:
    """Raise one ``energy_waste_<category>`` alert per meter, day and category whose load exceeds the
    meter's own expected profile (idempotent: unique per kind, meter and day)."""
    flt = flt or MeterFilter()
    if not days:
        return WasteEvaluation(meters=0, waste_findings=0, alerts_created=0)
    rule = await service.calendar_rule(session, settings, calendar_id)
    policy = waste_policy(settings)
    meters = {m["id"]: m for m in await repository.meters(session, flt=flt)}
    profiles = {
        m["id"]: waste.profile_for(m["sub_item"] or m["energy_type"], m["operating_profile"]) for m in meters.values()
    }
    alerts: list[dict[str, Any]] = []
    for first, after in day_ranges(days, join_gap_days=policy.history_days):
        start = service.local_midnight(first - timedelta(days=policy.history_days), settings)
        end = service.local_midnight(after, settings)
        wanted = [d for d in days if first <= d < after]
        how = await service.plan(session, settings=settings, flt=flt, start=start, end=end, granularity="hour")
        if how.rolled:
            grid = await _day_hours(
                session, settings=settings, flt=flt, meters=list(meters), start=start, end=end, how=how
            )
            flagged = waste_arrays.detect(
                grid,
                days=wanted,
                profiles=[profiles[m] for m in grid.meters],
                cal=rule.use_calendar(),
                policy=policy,
            )
            for one in flagged:
                meter_id = grid.meters[one.meter]
                alerts.append(_waste_alert(meters[meter_id], one.finding, profiles[meter_id], policy, settings))
            continue
        # raw readings only: the daily average of each hour category per meter, summed in SQL
        # (waste.daily_category_kw's rule), judged per meter by waste.detect_days
        kw: dict[str, dict[tuple[date, str], float]] = defaultdict(dict)
        for meter_id, day, cat, kwh, hours in await repository.daily_category_load(
            session,
            flt=flt,
            win=service.window(settings, start, end),
            profiles={k: v.value for k, v in profiles.items()},
            cal=rule,
            daylight=waste.DAYLIGHT,
            **plan_kwargs(how),
        ):
            kw[meter_id][(day, cat)] = kwh / hours
        for meter_id, by_day in kw.items():
            meter = meters[meter_id]
            for f in waste.detect_days(by_day, days=wanted, profile=profiles[meter_id], policy=policy):
                alerts.append(_waste_alert(meter, f, profiles[meter_id], policy, settings))
    created = await repository.insert_alerts(session, alerts)
    return WasteEvaluation(meters=len(meters), waste_findings=len(alerts), alerts_created=created)


async def _day_hours(
    session: AsyncSession,
    *,
    settings: AnalyticsSettings,
    flt: MeterFilter,
    meters: list[str],
    start: datetime,
    end: datetime,
    how: Plan,
) -> waste_arrays.DayHours:
    """The hourly kWh of every meter and local day of [start, end) (whole local days, from the Monday of the
    first): the days before the first pending hour (of the readings, or of a week row still to derive)
    from ``energy_week_hours``, the rest from the raw readings, bucketed as
    :func:`repository.daily_category_load` buckets them."""
    tz = ZoneInfo(settings.timezone)
    split = how.raw_start or start
    where, params = flt.sql()
    unbuilt = await rollups_repository.first_pending_hour(
        session,
        kind=DERIVE,
        subjects_sql=f"SELECT m.id FROM telemetry.meter m WHERE {where}",
        params=params,
        start=start,
        end=end,
    )
    if unbuilt is not None:
        split = min(split, unbuilt)
    first = start.astimezone(tz).date()
    monday = first - timedelta(days=first.isoweekday() - 1)
    split_day = max(first, split.astimezone(tz).date())  # a day the raw readings answer in part is read raw
    hours = waste_arrays.DayHours.empty(meters, monday, (end.astimezone(tz).date() - monday).days)
    index = {m: i for i, m in enumerate(meters)}
    rows = await repository.week_hours(session, flt=flt, monday=monday, after=split_day)
    waste_arrays.fill_weeks(hours, rows)
    hours.has[:, (split_day - monday).days :] = False  # the rest of the split week is read raw
    tail = service.local_midnight(split_day, settings)
    if tail < end:
        for meter_id, local, value in await repository.hourly_load(
            session, flt=flt, win=service.window(settings, tail, end)
        ):
            m, d = index[meter_id], (local.date() - monday).days
            hours.kwh[m, d, local.hour] = value
            hours.has[m, d, local.hour] = True
    return hours


def plan_kwargs(how: Plan) -> dict[str, Any]:
    return {"rolled": how.rolled, "raw_start": how.raw_start}


def _waste_alert(
    meter: dict[str, Any],
    f: waste.WasteFinding,
    profile: Profile,
    policy: waste.WastePolicy,
    settings: AnalyticsSettings,
) -> dict[str, Any]:
    kind = EnergyAlertKind(f"energy_waste_{f.category}")
    params = {
        "meter_id": meter["id"],
        "category": f.category,
        "profile": profile.value,
        "avg_kw": round(f.avg_kw, 2),
        "threshold_kw": round(f.threshold_kw, 2),
        "expected_kw": round(f.expected_kw, 2),
        "percentile": policy.percentile,
        "history_days": policy.history_days,
    }
    return {
        "kind": kind.value,
        "severity": "warning",
        "subject_type": "meter",
        "subject_id": meter["id"],
        "vendor_id": meter["vendor_id"],
        "department": meter["building"],
        "started_at": service.local_midnight(f.day, settings),
        "ended_at": service.local_midnight(f.day + timedelta(days=1), settings),
        "message": ENERGY_MESSAGES[kind].format(**params),
        "details": params,
    }
