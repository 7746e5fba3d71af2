"""Energy analytics: consumption buckets, year-on-year, baseline savings, base load and waste."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from houqin_common.errors import NotFound, UnprocessableEntity
from telemetry_ingest.energy import repository
from telemetry_ingest.energy.config import AnalyticsSettings
from telemetry_ingest.energy.degree_days import degree_days, fit_ols
from telemetry_ingest.energy.repository import CalendarRule, MeterFilter, Window
from telemetry_ingest.energy.schemas import (
    BaseLoadRead,
    BaseLoadRow,
    CategoryLoad,
    ComparisonRow,
    ConsumptionRead,
    ConsumptionRow,
    Granularity,
    GroupBy,
    RollupRefresh,
    SavingsRead,
    TemperatureUpload,
    TemperatureUploadResult,
    TopRow,
    WasteEvaluation,
    YearOnYearRead,
)

DEFAULT_CALENDAR = CalendarRule(time(7, 30), time(18, 30), [1, 2, 3, 4, 5], [], [])
CATEGORIES = ("working", "night", "weekend", "holiday")


def _window(settings: AnalyticsSettings, start: datetime, end: datetime) -> Window:
    if end <= start:
        raise UnprocessableEntity("end must be after start")
    return Window(
        start=start,
        end=end,
        tz=settings.timezone,
        lookback=timedelta(hours=settings.register_lookback_h),
        band=settings.rollover_band,
    )


def floor_hour(ts: datetime) -> datetime:
    return ts.replace(minute=0, second=0, microsecond=0)


async def rollup_split(
    session: AsyncSession, *, settings: AnalyticsSettings, start: datetime, end: datetime, granularity: str | None
) -> datetime | None:
    """Where the hourly rollup stops answering and the raw readings take over, or None (raw only).

    The rollup is exact for any bucket made of whole local hours: an interval counts in the hour it
    starts, whichever path sums it."""
    if not settings.use_rollup or granularity == "15min" or floor_hour(start) != start:
        return None
    mark = await repository.watermark(session)
    if mark is None or not (mark[0] <= start < mark[1]):
        return None
    return min(floor_hour(end), mark[1])


async def refresh_rollup(
    session: AsyncSession, *, settings: AnalyticsSettings, start: datetime | None, end: datetime | None, now: datetime
) -> RollupRefresh:
    """Recompute the hourly rollup: by default from the watermark minus the recheck margin (late data)
    up to the last whole hour."""
    end = floor_hour(end or now)
    if start is None:
        mark = await repository.watermark(session)
        if mark is not None:
            start = mark[1] - timedelta(hours=settings.rollup_recheck_h)
        else:
            first = await repository.first_reading_at(session)
            start = first if first is not None else end
    start = floor_hour(start)
    if end <= start:
        mark = await repository.watermark(session)
        return RollupRefresh(
            start=start, end=end, rows=0, rolled_from=mark[0] if mark else None, rolled_until=mark[1] if mark else None
        )
    rows = await repository.refresh_rollup(session, win=_window(settings, start, end))
    mark = await repository.watermark(session)
    return RollupRefresh(
        start=start, end=end, rows=rows, rolled_from=mark[0] if mark else None, rolled_until=mark[1] if mark else None
    )


def local_midnight(day: date, settings: AnalyticsSettings) -> datetime:
    return datetime.combine(day, time(0), ZoneInfo(settings.timezone))


def year_earlier(ts: datetime) -> datetime:
    try:
        return ts.replace(year=ts.year - 1)
    except ValueError:  # 29 February
        return ts.replace(year=ts.year - 1, day=28)


async def consumption(
    session: AsyncSession,
    *,
    settings: AnalyticsSettings,
    flt: MeterFilter,
    start: datetime,
    end: datetime,
    granularity: Granularity,
    group_by: GroupBy,
) -> ConsumptionRead:
    split = await rollup_split(session, settings=settings, start=start, end=end, granularity=granularity.value)
    rows = await repository.consumption(
        session,
        flt=flt,
        win=_window(settings, start, end),
        granularity=granularity.value,
        group_by=group_by.value,
        rollup_until=split,
    )
    items = [ConsumptionRow(**r) for r in rows]
    return ConsumptionRead(
        start=start,
        end=end,
        granularity=granularity,
        group_by=group_by,
        total_kwh=sum(r.kwh for r in items),
        rows=items,
    )


async def totals(
    session: AsyncSession,
    *,
    settings: AnalyticsSettings,
    flt: MeterFilter,
    start: datetime,
    end: datetime,
    group_by: str,
) -> dict[str, float]:
    split = await rollup_split(session, settings=settings, start=start, end=end, granularity=None)
    rows = await repository.consumption(
        session, flt=flt, win=_window(settings, start, end), granularity=None, group_by=group_by, rollup_until=split
    )
    return {str(r["group"]): r["kwh"] for r in rows}


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


async def year_on_year(
    session: AsyncSession,
    *,
    settings: AnalyticsSettings,
    flt: MeterFilter,
    start: datetime,
    end: datetime,
    group_by: GroupBy,
) -> YearOnYearRead:
    current = await totals(session, settings=settings, flt=flt, start=start, end=end, group_by=group_by.value)
    previous = await totals(
        session, settings=settings, flt=flt, start=year_earlier(start), end=year_earlier(end), group_by=group_by.value
    )
    rows = [
        ComparisonRow(
            group=g,
            current_kwh=current.get(g, 0.0),
            previous_kwh=previous.get(g, 0.0),
            change_ratio=_ratio(current.get(g, 0.0) - previous.get(g, 0.0), previous.get(g, 0.0)),
        )
        for g in sorted(set(current) | set(previous))
    ]
    cur, prev = sum(current.values()), sum(previous.values())
    return YearOnYearRead(
        start=start, end=end, rows=rows, current_kwh=cur, previous_kwh=prev, saving_ratio=_ratio(prev - cur, prev)
    )


async def _daily(
    session: AsyncSession, *, settings: AnalyticsSettings, flt: MeterFilter, start: date, end: date
) -> dict[date, float]:
    tz = ZoneInfo(settings.timezone)
    first, after = local_midnight(start, settings), local_midnight(end, settings)
    rows = await repository.consumption(
        session,
        flt=flt,
        win=_window(settings, first, after),
        granularity="day",
        group_by="total",
        rollup_until=await rollup_split(session, settings=settings, start=first, end=after, granularity="day"),
    )
    return {r["bucket"].astimezone(tz).date(): r["kwh"] for r in rows}


async def savings(
    session: AsyncSession,
    *,
    settings: AnalyticsSettings,
    flt: MeterFilter,
    baseline_start: date,
    baseline_end: date,
    start: date,
    end: date,
    normalise: bool,
    station: str | None,
) -> SavingsRead:
    """Savings of the reporting period against a baseline period (IPMVP option C style).

    Without normalisation the expected consumption is the baseline's daily average times the
    reporting days. With it, daily baseline consumption is regressed on HDD and CDD of the uploaded
    temperatures and the expected consumption is the model applied to the reporting days' weather.
    """
    if baseline_end <= baseline_start or end <= start:
        raise UnprocessableEntity("each period must end after it starts")
    base = await _daily(session, settings=settings, flt=flt, start=baseline_start, end=baseline_end)
    report = await _daily(session, settings=settings, flt=flt, start=start, end=end)
    if not base:
        raise UnprocessableEntity("no consumption data in the baseline period")
    common: dict[str, Any] = {
        "baseline_start": baseline_start,
        "baseline_end": baseline_end,
        "start": start,
        "end": end,
        "normalised": normalise,
    }
    if not normalise:
        actual = sum(report.values())
        expected = sum(base.values()) / (baseline_end - baseline_start).days * (end - start).days
        return SavingsRead(
            **common,
            actual_kwh=actual,
            expected_kwh=expected,
            saving_kwh=expected - actual,
            saving_ratio=_ratio(expected - actual, expected),
            days_used=len(base),
        )
    station = station or settings.temperature_station
    temps = await repository.daily_mean_temperatures(
        session,
        station=station,
        start=local_midnight(min(baseline_start, start), settings),
        end=local_midnight(max(baseline_end, end), settings),
        tz=settings.timezone,
    )

    def dd(day: date) -> tuple[float, float]:
        return degree_days(temps[day], heating_base_c=settings.heating_base_c, cooling_base_c=settings.cooling_base_c)

    base_days = sorted(d for d in base if d in temps)
    if len(base_days) < 14:
        raise UnprocessableEntity(
            f"degree-day normalisation needs temperatures of station {station!r} for at least 14 baseline days"
        )
    missing = [d for d in report if d not in temps]
    if missing:
        raise UnprocessableEntity(
            f"station {station!r} has no temperature for {len(missing)} reporting days (first {min(missing)})"
        )
    try:
        fit = fit_ols([dd(d) for d in base_days], [base[d] for d in base_days])
    except ValueError as exc:
        raise UnprocessableEntity(f"baseline regression failed: {exc}") from exc
    expected = sum(fit.predict(dd(d)) for d in report)
    actual = sum(report.values())
    return SavingsRead(
        **common,
        actual_kwh=actual,
        expected_kwh=expected,
        saving_kwh=expected - actual,
        saving_ratio=_ratio(expected - actual, expected),
        intercept_kwh_per_day=fit.intercept,
        kwh_per_hdd=fit.coefficients[0],
        kwh_per_cdd=fit.coefficients[1],
        r2=fit.r2,
        cv_rmse=fit.cv_rmse,
        days_used=len(base_days),
    )


async def _calendar(session: AsyncSession, settings: AnalyticsSettings, calendar_id: str | None) -> CalendarRule:
    cid = calendar_id or settings.energy_calendar_id
    if cid is None:
        return DEFAULT_CALENDAR
    cal = await repository.calendar(session, cid)
    if cal is None:
        raise NotFound(f"calendar {cid} not found")
    return cal


async def base_load(
    session: AsyncSession,
    *,
    settings: AnalyticsSettings,
    flt: MeterFilter,
    start: datetime,
    end: datetime,
    calendar_id: str | None,
) -> BaseLoadRead:
    """Average power per meter during working hours, nights, weekends and sealed holidays."""
    cal = await _calendar(session, settings, calendar_id)
    rows = await repository.load_by_category(session, flt=flt, win=_window(settings, start, end), cal=cal)
    by_meter: dict[str, dict[str, tuple[float, float]]] = {}
    for r in rows:
        by_meter.setdefault(r["meter_id"], {})[r["cat"]] = (float(r["kwh"]), float(r["hours"]))
    out = []
    for meter_id, cats in sorted(by_meter.items()):
        wk_kwh, wk_h = cats.get("working", (0.0, 0.0))
        working_kw = wk_kwh / wk_h if wk_h else None
        loads: dict[str, CategoryLoad] = {}
        for cat in CATEGORIES:
            kwh, hours = cats.get(cat, (0.0, 0.0))
            avg = kwh / hours if hours else None
            share = avg / working_kw if avg is not None and working_kw else None
            waste = cat != "working" and share is not None and share > settings.waste_share
            loads[cat] = CategoryLoad(kwh=kwh, hours=hours, avg_kw=avg, share_of_working=share, waste=waste)
        out.append(BaseLoadRow(meter_id=meter_id, **loads))
    return BaseLoadRead(start=start, end=end, waste_share=settings.waste_share, rows=out)


async def evaluate_waste(
    session: AsyncSession,
    *,
    settings: AnalyticsSettings,
    flt: MeterFilter,
    start: datetime,
    end: datetime,
    calendar_id: str | None,
) -> WasteEvaluation:
    """Raise one ``energy_waste_<category>`` alert per meter and category above the threshold."""
    report = await base_load(session, settings=settings, flt=flt, start=start, end=end, calendar_id=calendar_id)
    meters = {m["id"]: m for m in await repository.meters(session, flt=flt)}
    alerts: list[dict[str, Any]] = []
    for row in report.rows:
        for cat in ("night", "weekend", "holiday"):
            load: CategoryLoad = getattr(row, cat)
            if not load.waste:
                continue
            meter = meters.get(row.meter_id, {})
            alerts.append(
                {
                    "kind": f"energy_waste_{cat}",
                    "severity": "warning",
                    "subject_type": "meter",
                    "subject_id": row.meter_id,
                    "vendor_id": meter.get("vendor_id"),
                    "department": meter.get("building"),
                    "started_at": start,
                    "ended_at": end,
                    "message": (
                        f"{cat} base load {load.avg_kw:.2f} kW is {load.share_of_working:.0%} of the working-hours "
                        f"average (threshold {settings.waste_share:.0%})"
                    ),
                    "details": {
                        "category": cat,
                        "avg_kw": load.avg_kw,
                        "working_avg_kw": row.working.avg_kw,
                        "share": load.share_of_working,
                        "kwh": load.kwh,
                    },
                }
            )
    created = await repository.insert_alerts(session, alerts)
    return WasteEvaluation(meters=len(report.rows), waste_findings=len(alerts), alerts_created=created)


async def top_consumers(
    session: AsyncSession,
    *,
    settings: AnalyticsSettings,
    flt: MeterFilter,
    start: datetime,
    end: datetime,
    group_by: GroupBy,
    limit: int,
) -> list[TopRow]:
    win = _window(settings, start, end)
    split = await rollup_split(session, settings=settings, start=start, end=end, granularity=None)
    rows = await repository.top(session, flt=flt, win=win, group_by=group_by.value, limit=limit, rollup_until=split)
    total = sum((await totals(session, settings=settings, flt=flt, start=start, end=end, group_by="total")).values())
    return [TopRow(group=str(r["group"]), kwh=r["kwh"], share=r["kwh"] / total if total else 0.0) for r in rows]


async def upload_temperatures(
    session: AsyncSession, *, settings: AnalyticsSettings, upload: TemperatureUpload
) -> TemperatureUploadResult:
    station = upload.station or settings.temperature_station
    # one row per instant (the last sample wins): an upsert cannot touch the same row twice
    latest = {s.ts: s.temp_c for s in upload.samples}
    stored = await repository.upsert_temperatures(session, station=station, rows=list(latest.items()))
    return TemperatureUploadResult(station=station, stored=stored)
