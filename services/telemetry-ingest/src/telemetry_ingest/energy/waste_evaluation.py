"""Waste evaluation over stored readings: each meter's day judged against its own profile (the pure rules are
:mod:`.waste`), alerts raised for what it finds."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from telemetry_ingest.analytics.calendar import UseCalendar
from telemetry_ingest.analytics.config import AnalyticsSettings
from telemetry_ingest.analytics.energy_alerts import MESSAGES as ENERGY_MESSAGES
from telemetry_ingest.analytics.energy_alerts import EnergyAlertKind
from telemetry_ingest.analytics.profiles import Profile
from telemetry_ingest.energy import repository, service, waste
from telemetry_ingest.energy.repository import CalendarRule, MeterFilter
from telemetry_ingest.energy.schemas import (
    WasteEvaluation,
)
from telemetry_ingest.energy.service import Plan
from telemetry_ingest.rollups.plan import day_ranges


def _use_calendar(cal: CalendarRule) -> UseCalendar:
    return UseCalendar(
        work_start=cal.work_start,
        work_end=cal.work_end,
        working_weekdays=tuple(cal.working_weekdays),
        holidays=frozenset(cal.holidays),
        extra_workdays=frozenset(cal.extra_workdays),
    )


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
    tz = ZoneInfo(settings.timezone)
    cal = _use_calendar(await service.calendar_rule(session, settings, calendar_id))
    policy = waste_policy(settings)
    meters = {m["id"]: m for m in await repository.meters(session, flt=flt)}
    alerts: list[dict[str, Any]] = []
    for first, after in day_ranges(days, join_gap_days=policy.history_days):
        rows = await repository.consumption(
            session,
            flt=flt,
            win=service.window(
                settings,
                service.local_midnight(first - timedelta(days=policy.history_days), settings),
                service.local_midnight(after, settings),
            ),
            granularity="hour",
            group_by="meter",
            **plan_kwargs(
                await service.plan(
                    session,
                    settings=settings,
                    flt=flt,
                    start=service.local_midnight(first - timedelta(days=policy.history_days), settings),
                    end=service.local_midnight(after, settings),
                    granularity="hour",
                )
            ),
        )
        hourly: dict[str, list[tuple[datetime, float]]] = defaultdict(list)
        for r in rows:
            hourly[str(r["group"])].append((r["bucket"], r["kwh"]))
        wanted = [d for d in days if first <= d < after]
        for meter_id, series in hourly.items():
            meter = meters.get(meter_id)
            if meter is None:
                continue
            profile = waste.profile_for(meter["sub_item"] or meter["energy_type"], meter["operating_profile"])
            kw = waste.daily_category_kw(series, profile, cal, tz)
            for f in waste.detect_days(kw, days=wanted, profile=profile, policy=policy):
                alerts.append(_waste_alert(meter, f, profile, policy, settings))
    created = await repository.insert_alerts(session, alerts)
    return WasteEvaluation(meters=len(meters), waste_findings=len(alerts), alerts_created=created)


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
