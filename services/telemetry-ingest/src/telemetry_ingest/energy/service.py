"""Energy analytics: consumption buckets, year-on-year, baseline savings, base load and waste."""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from operator import itemgetter
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from pydantic import TypeAdapter
from sqlalchemy.ext.asyncio import AsyncSession

from houqin_common.errors import NotFound, UnprocessableEntity
from houqin_common.i18n import _
from telemetry_ingest.analytics.config import AnalyticsSettings
from telemetry_ingest.energy import repository, waste
from telemetry_ingest.energy.arithmetic import OfficeInstants
from telemetry_ingest.energy.degree_days import degree_days, fit_ols
from telemetry_ingest.energy.repository import CalendarRule, MeterFilter, Window
from telemetry_ingest.energy.schemas import (
    BaseLoadRead,
    BaseLoadRow,
    CategoryLoad,
    ComparisonRow,
    ConsumptionRead,
    ConsumptionRow,
    ConsumptionSeries,
    ConsumptionSeriesRead,
    Granularity,
    GroupBy,
    RollupRefresh,
    SavingsRead,
    TemperatureUpload,
    TemperatureUploadResult,
    TopRow,
    YearOnYearRead,
)
from telemetry_ingest.rollups import repository as rollups_repository
from telemetry_ingest.rollups import service as rollups_service
from telemetry_ingest.rollups.plan import Piece, is_whole_hour, pieces
from telemetry_ingest.statistics.config import AccountingSettings

DEFAULT_CALENDAR = CalendarRule(time(7, 30), time(18, 30), [1, 2, 3, 4, 5], [], [])
CATEGORIES = ("working", "night", "weekend", "holiday")
CONSUMPTION_SERIES = TypeAdapter(list[ConsumptionSeries])


def window(settings: AnalyticsSettings, start: datetime, end: datetime) -> Window:
    """The read window of an energy query: the office's time zone, the register look-back and rollover band."""
    if end <= start:
        raise UnprocessableEntity(_("end must be after start"))
    return Window(
        start=start,
        end=end,
        tz=settings.timezone,
        lookback=timedelta(hours=settings.register_lookback_h),
        band=settings.rollover_band,
    )


@dataclass(frozen=True)
class Plan:
    """How a query is answered: rollup pieces for [start, raw_start), raw readings for [raw_start, end)."""

    rolled: tuple[Piece, ...] = ()
    raw_start: datetime | None = None


async def plan(
    session: AsyncSession,
    *,
    settings: AnalyticsSettings,
    flt: MeterFilter,
    start: datetime,
    end: datetime,
    granularity: str | None,
) -> Plan:
    """Read the rollups up to the first pending touched hour of the scope (readings not yet rolled up),
    the raw readings from there: the answer equals the raw answer whatever the worker has done.

    Only whole local hours are rolled up; 15-minute buckets and windows off the hour read raw."""
    tz = ZoneInfo(settings.timezone)
    if not settings.use_rollup or granularity == "15min" or not is_whole_hour(start, tz):
        return Plan()
    where, params = flt.sql()
    pending = await rollups_repository.first_pending_hour(
        session,
        kind="meter",
        subjects_sql=f"SELECT m.id FROM telemetry.meter m WHERE {where}",
        params=params,
        start=start - timedelta(hours=1),
        end=end,
    )
    split = min(end, pending) if pending is not None else end
    split = max(start, split.replace(minute=0, second=0, microsecond=0))
    while not is_whole_hour(split, tz):  # zones with a non-whole-hour offset
        split -= timedelta(minutes=15)
    if split <= start:
        return Plan()
    return Plan(rolled=tuple(pieces(start, split, tz, granularity)), raw_start=split)


async def refresh_rollup(session: AsyncSession, *, settings: AnalyticsSettings) -> RollupRefresh:
    """Recompute the energy rollups of every pending touched range now (the worker does it every pass; the
    daily cost rollup follows in ``tariffs.service.refresh_daily_costs``)."""
    result = await rollups_service.refresh_energy(session, settings=settings)
    return RollupRefresh(meter_days=result.subject_days, rows=result.rows)


def local_midnight(day: date, settings: AnalyticsSettings) -> datetime:
    return datetime.combine(day, time(0), ZoneInfo(settings.timezone))


def year_earlier(ts: datetime) -> datetime:
    try:
        return ts.replace(year=ts.year - 1)
    except ValueError:  # 29 February
        return ts.replace(year=ts.year - 1, day=28)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while tens of thousands of row objects are built (no await inside):
    each young collection would otherwise be triggered every 700 allocations and the full ones walk the whole
    process heap; on large answers that was most of the time (docs/telemetry-analytics.md). Row objects form
    no cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def series_rows(series: list[ConsumptionSeries], local: OfficeInstants) -> list[ConsumptionRow]:
    """The rows of the (validated) series, ordered by bucket and then group in the database's order of the
    groups, each bucket in the office's zone. The series come in that group order, each ascending by bucket:
    when they all have the same buckets (a chart of meters that all reported) the rows are read bucket by
    bucket across the series, with no sort and each bucket converted once; otherwise they are sorted."""
    if not series:
        return []
    first = series[0].buckets
    if all(s.buckets == first for s in series):
        groups = [s.group for s in series]
        return [
            {"group": g, "bucket": b, "kwh": k, "intervals": n}
            for b, kwh, intervals in zip(
                local.ascending(first),
                zip(*(s.kwh for s in series), strict=True),
                zip(*(s.intervals for s in series), strict=True),
                strict=True,
            )
            for g, k, n in zip(groups, kwh, intervals, strict=True)
        ]
    rows = [
        (bucket, rank, s.group, kwh, n)
        for rank, s in enumerate(series)
        for bucket, kwh, n in zip(s.buckets, s.kwh, s.intervals, strict=True)
    ]
    rows.sort()  # (bucket, rank) is unique: the rest of the tuple is never compared
    shown = local.ascending(r[0] for r in rows)  # sorted: each bucket converted once
    return [{"group": g, "bucket": b, "kwh": k, "intervals": n} for b, (_, _, g, k, n) in zip(shown, rows, strict=True)]


async def _series(
    session: AsyncSession,
    *,
    settings: AnalyticsSettings,
    flt: MeterFilter,
    start: datetime,
    end: datetime,
    granularity: Granularity,
    group_by: GroupBy,
) -> list[dict[str, Any]]:
    how = await plan(session, settings=settings, flt=flt, start=start, end=end, granularity=granularity.value)
    return await repository.consumption_series(
        session,
        flt=flt,
        win=window(settings, start, end),
        granularity=granularity.value,
        group_by=group_by.value,
        rolled=how.rolled,
        raw_start=how.raw_start,
    )


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
    """A row per group and bucket (read as series: one row per group with arrays, far cheaper to fetch; the
    rows are plain dicts, see :class:`ConsumptionRow`)."""
    series = await _series(
        session, settings=settings, flt=flt, start=start, end=end, granularity=granularity, group_by=group_by
    )
    with gc_paused():
        # every value is validated here, once, as the series; the rows are plain dicts built from them
        items = CONSUMPTION_SERIES.validate_python(series)
        rows = series_rows(items, OfficeInstants(ZoneInfo(settings.timezone)))
    return ConsumptionRead.model_construct(
        start=start,
        end=end,
        granularity=granularity,
        group_by=group_by,
        total_kwh=sum(map(itemgetter("kwh"), rows)),  # in row order, as before
        rows=rows,
    )


async def consumption_series(
    session: AsyncSession,
    *,
    settings: AnalyticsSettings,
    flt: MeterFilter,
    start: datetime,
    end: datetime,
    granularity: Granularity,
    group_by: GroupBy,
) -> ConsumptionSeriesRead:
    """:func:`consumption` laid out as one series per group (the same buckets and values)."""
    series = await _series(
        session, settings=settings, flt=flt, start=start, end=end, granularity=granularity, group_by=group_by
    )
    local = OfficeInstants(ZoneInfo(settings.timezone))
    with gc_paused():
        for s, buckets in zip(series, local.lists(s["buckets"] for s in series), strict=True):
            s["buckets"] = buckets
        items = CONSUMPTION_SERIES.validate_python(series)
        return ConsumptionSeriesRead(
            start=start,
            end=end,
            granularity=granularity,
            group_by=group_by,
            total_kwh=sum(sum(s.kwh) for s in items),
            series=items,
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
    win = window(settings, start, end)
    how = await plan(session, settings=settings, flt=flt, start=start, end=end, granularity=None)
    rows = await repository.consumption(
        session, flt=flt, win=win, granularity=None, group_by=group_by, rolled=how.rolled, raw_start=how.raw_start
    )
    return {str(r["group"]): r["kwh"] for r in rows}


async def total(
    session: AsyncSession, *, settings: AnalyticsSettings, flt: MeterFilter, start: datetime, end: datetime
) -> tuple[float, int]:
    """(kWh, register intervals) of the scope over the window."""
    win = window(settings, start, end)
    how = await plan(session, settings=settings, flt=flt, start=start, end=end, granularity=None)
    rows = await repository.consumption(
        session, flt=flt, win=win, granularity=None, group_by="total", rolled=how.rolled, raw_start=how.raw_start
    )
    return sum(r["kwh"] for r in rows), sum(int(r["intervals"]) for r in rows)


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


async def year_on_year(
    session: AsyncSession,
    *,
    settings: AnalyticsSettings,
    cfg: AccountingSettings,
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
    # like for like beside the totals: the meter-days that reported in both windows, carriers in kgce
    from telemetry_ingest.energy import like_for_like  # imported here: it plans its queries with this module

    meters = await repository.meters(session, flt=flt)
    carrier_of = {m["id"]: m["energy_type"] for m in meters}
    factors = like_for_like.kgce_factors(cfg)
    now = await like_for_like.daily_series(session, settings=settings, flt=flt, start=start, end=end)
    before = await like_for_like.daily_series(
        session, settings=settings, flt=flt, start=year_earlier(start), end=year_earlier(end)
    )
    cmp = like_for_like.compare_series(now, before, carrier_of, {c for c, f in factors.items() if f is not None})
    compared = like_for_like.kgce(cmp.compared, factors)
    compared_before = like_for_like.kgce(cmp.compared_previous, factors)
    return YearOnYearRead(
        start=start,
        end=end,
        rows=rows,
        current_kwh=cur,
        previous_kwh=prev,
        saving_ratio=_ratio(prev - cur, prev),
        scope=like_for_like.scope(cmp, len(meters)),
        carriers=like_for_like.carriers(cmp, {m["energy_type"]: m["unit"] for m in meters}, factors),
        compared_kgce=compared if cmp.pairs else None,
        compared_previous_kgce=compared_before if cmp.pairs else None,
        compared_saving_ratio=_ratio(compared_before - compared, compared_before) if cmp.pairs else None,
    )


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

    Like for like: only the meters that reported in both periods count (``meters``; the others are named in
    ``meters_left_out``). Without normalisation the expected consumption is the baseline's daily average times the
    reporting days. With it, daily baseline consumption is regressed on HDD and CDD of the uploaded
    temperatures and the expected consumption is the model applied to the reporting days' weather.
    """
    if baseline_end <= baseline_start or end <= start:
        raise UnprocessableEntity(_("each period must end after it starts"))
    from telemetry_ingest.energy import like_for_like  # imported here: it plans its queries with this module

    # like for like: only meters that reported in both periods (a meter added later has no baseline)
    base_m = await like_for_like.daily_by_meter(
        session,
        settings=settings,
        flt=flt,
        start=local_midnight(baseline_start, settings),
        end=local_midnight(baseline_end, settings),
    )
    report_m = await like_for_like.daily_by_meter(
        session, settings=settings, flt=flt, start=local_midnight(start, settings), end=local_midnight(end, settings)
    )
    in_base, in_report = {m for m, _d in base_m}, {m for m, _d in report_m}
    both = in_base & in_report
    base: dict[date, float] = defaultdict(float)
    report: dict[date, float] = defaultdict(float)
    for (meter, day), kwh in base_m.items():
        if meter in both:
            base[day] += kwh
    for (meter, day), kwh in report_m.items():
        if meter in both:
            report[day] += kwh
    if not base:
        raise UnprocessableEntity(_("no consumption data in the baseline period"))
    common: dict[str, Any] = {
        "baseline_start": baseline_start,
        "baseline_end": baseline_end,
        "start": start,
        "end": end,
        "normalised": normalise,
        "meters": sorted(both),
        "meters_left_out": sorted((in_base | in_report) - both),
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
            _(
                "degree-day normalisation needs temperatures of station {station!r} for at least 14 baseline days",
                station=station,
            )
        )
    missing = [d for d in report if d not in temps]
    if missing:
        raise UnprocessableEntity(
            _(
                "station {station!r} has no temperature for {count} reporting days (first {first})",
                station=station,
                count=len(missing),
                first=min(missing),
            )
        )
    try:
        fit = fit_ols([dd(d) for d in base_days], [base[d] for d in base_days])
    except ValueError as exc:
        raise UnprocessableEntity(_("baseline regression failed: {error}", error=str(exc))) from exc
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


async def calendar_rule(session: AsyncSession, settings: AnalyticsSettings, calendar_id: str | None) -> CalendarRule:
    cid = calendar_id or settings.energy_calendar_id
    if cid is None:
        return DEFAULT_CALENDAR
    cal = await repository.calendar(session, cid)
    if cal is None:
        raise NotFound(_("calendar {id} not found", id=cid))
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
    """Average power per meter during working hours, nights, weekends and sealed holidays (descriptive:
    waste is judged per meter against its own profile, see :func:`evaluate_waste`). A window of whole local
    days that is rolled up reads the daily rollup when it was split at the calendar's working hours; otherwise
    (a partial day, pending readings, other hours) the raw readings answer."""
    cal = await calendar_rule(session, settings, calendar_id)
    win = window(settings, start, end)
    how = await plan(session, settings=settings, flt=flt, start=start, end=end, granularity="day")
    whole = bool(how.rolled) and how.raw_start == end and all(p.grain == "day" for p in how.rolled)
    tz = ZoneInfo(settings.timezone)
    first, after = start.astimezone(tz).date(), end.astimezone(tz).date()
    # whole local days, all rolled up, split at these working hours: the month rows answer, else the daily rollup
    rows = (
        await _load_by_category_months(session, flt=flt, window=(start, end), days=(first, after), cal=cal)
        if whole
        else None
    )
    if rows is None:
        if whole and not await repository.rolled_work_hours_differ(session, flt=flt, first=first, after=after, cal=cal):
            rows = await repository.load_by_category_rolled(session, flt=flt, first=first, after=after, cal=cal)
        else:
            rows = await repository.load_by_category(session, flt=flt, win=win, cal=cal)
    by_meter: dict[str, dict[str, tuple[float, float]]] = {}
    for r in rows:
        by_meter.setdefault(r["meter_id"], {})[r["cat"]] = (float(r["kwh"]), float(r["hours"]))
    named = {m["id"]: m for m in await repository.meters(session, flt=flt)} if by_meter else {}
    out = []
    for meter_id, cats in sorted(by_meter.items()):
        wk_kwh, wk_h = cats.get("working", (0.0, 0.0))
        working_kw = wk_kwh / wk_h if wk_h else None
        loads: dict[str, CategoryLoad] = {}
        for cat in CATEGORIES:
            kwh, hours = cats.get(cat, (0.0, 0.0))
            avg = kwh / hours if hours else None
            share = avg / working_kw if avg is not None and working_kw else None
            loads[cat] = CategoryLoad(kwh=kwh, hours=hours, avg_kw=avg, share_of_working=share)
        meter = named.get(meter_id)
        out.append(
            BaseLoadRow(
                meter_id=meter_id,
                meter_name=meter["name"] if meter else None,
                building=meter["building"] if meter else None,
                **loads,
            )
        )
    return BaseLoadRead(start=start, end=end, rows=out)


BASE_LOAD_KINDS = ("working_day", "weekend", "holiday")
BASE_LOAD_CATEGORIES = ("working", "night", "weekend", "holiday")


async def _load_by_category_months(
    session: AsyncSession,
    *,
    flt: MeterFilter,
    window: tuple[datetime, datetime],
    days: tuple[date, date],
    cal: CalendarRule,
) -> list[dict[str, Any]] | None:
    """:func:`repository.load_by_category_rolled` from ``energy_month_days`` (a row per meter and month, not
    per day: a year of 400 meters is 4 800 rows), the days sorted into categories here: a holiday or weekend
    day is one category, a working day splits into its working-hours part and the rest. Each (meter,
    category) sums its days in day order. ``window`` is [start, end) of whole local ``days`` [first, after).
    None when a month row of the window is still to build or was split at other working hours (the caller
    reads the daily rollup or the raw readings)."""
    where, params = flt.sql()
    pending = await rollups_repository.first_pending_hour(
        session,
        kind=rollups_service.DERIVE,
        subjects_sql=f"SELECT m.id FROM telemetry.meter m WHERE {where}",
        params=params,
        start=window[0],
        end=window[1],
    )
    if pending is not None:
        return None
    first, after = days
    first_month = first.replace(day=1)
    found, same_hours = await repository.month_days(session, flt=flt, first_month=first_month, after=after, cal=cal)
    if not same_hours:
        return None
    if not found:
        return []
    use = cal.use_calendar()
    meter_ids = list(dict.fromkeys(r[0] for r in found))  # the rows come by meter and month
    index = {m: i for i, m in enumerate(meter_ids)}
    meter = np.repeat(np.array([index[r[0]] for r in found], dtype=np.intp), 31)  # per day slot
    day = (np.array([r[1] for r in found], dtype=np.intp)[:, None] + np.arange(31)).ravel()  # days from first_month
    masks = np.array([r[2] for r in found], dtype=np.int64)
    daily = np.frombuffer(b"".join(r[3] for r in found), dtype=">f8").astype(np.float64).reshape(-1, 4)
    lo, hi = (first - first_month).days, (after - first_month).days
    keep = (((masks[:, None] >> np.arange(31)) & 1).astype(bool)).ravel() & (day >= lo) & (day < hi)
    kinds = np.array(
        [BASE_LOAD_KINDS.index(waste.day_kind(first_month + timedelta(days=i), use)) for i in range(hi)] + [0] * 31,
        dtype=np.intp,
    )[np.minimum(day, hi)]
    kwh, seconds, working_kwh, working_seconds = daily.T
    working_day = keep & (kinds == 0)
    whole = keep & (kinds != 0)  # a holiday or a weekend day: one category
    worked = working_day & (working_seconds > 0)
    nights = working_day & (seconds > working_seconds)
    cats = len(BASE_LOAD_CATEGORIES)
    # one bucket per (meter, category); each bucket's days come from one of the three parts, in day order
    # (the rows come in month order), and bincount adds in the order given
    bucket = np.concatenate(
        [meter[whole] * cats + np.where(kinds[whole] == 2, 3, 2), meter[worked] * cats, meter[nights] * cats + 1]
    )
    size = len(meter_ids) * cats
    sum_kwh = np.bincount(
        bucket,
        weights=np.concatenate([kwh[whole], working_kwh[worked], kwh[nights] - working_kwh[nights]]),
        minlength=size,
    )
    sum_s = np.bincount(
        bucket,
        weights=np.concatenate([seconds[whole], working_seconds[worked], seconds[nights] - working_seconds[nights]]),
        minlength=size,
    )
    count = np.bincount(bucket, minlength=size)
    return [
        {
            "meter_id": meter_ids[i // cats],
            "cat": BASE_LOAD_CATEGORIES[i % cats],
            "kwh": float(sum_kwh[i]),
            "hours": float(sum_s[i]) / 3600.0,
        }
        for i in np.flatnonzero(count).tolist()
    ]


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
    win = window(settings, start, end)
    how = await plan(session, settings=settings, flt=flt, start=start, end=end, granularity=None)
    rows = await repository.top(
        session, flt=flt, win=win, group_by=group_by.value, limit=limit, rolled=how.rolled, raw_start=how.raw_start
    )
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
