"""Tariffs as data, and the cost of consumption under them (``?measure=cost`` of the energy queries)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from houqin_common.errors import NotFound, UnprocessableEntity
from houqin_common.i18n import _
from houqin_common.schemas import EnergyKpi
from houqin_common.tabular import TableFileError, read_rows
from telemetry_ingest.analytics.config import AnalyticsSettings, get_analytics_settings
from telemetry_ingest.energy import like_for_like
from telemetry_ingest.energy import repository as energy_repository
from telemetry_ingest.energy.arithmetic import OfficeInstants, bucket_start
from telemetry_ingest.energy.like_for_like import MeterDayPairs
from telemetry_ingest.energy.repository import MeterFilter, Window
from telemetry_ingest.energy.schemas import RollupRefresh
from telemetry_ingest.energy.service import gc_paused, window
from telemetry_ingest.energy.service import plan as energy_plan
from telemetry_ingest.energy.service import refresh_rollup as energy_refresh
from telemetry_ingest.models.accounting import Tariff as TariffRow
from telemetry_ingest.rollups import repository as rollups_repository
from telemetry_ingest.rollups import service as rollups_service
from telemetry_ingest.rollups.service import Refreshed
from telemetry_ingest.statistics.config import AccountingSettings
from telemetry_ingest.tariffs import arithmetic, repository
from telemetry_ingest.tariffs.arithmetic import CostTotal, Period, Pricer, Scope, to_decimal, yuan
from telemetry_ingest.tariffs.schemas import (
    CostComparisonRow,
    CostConsumptionRead,
    CostRow,
    CostSavingsRead,
    CostTopRow,
    CostYearOnYearRead,
    PeriodCost,
    TariffCreate,
    TariffImportResult,
    TariffRead,
    tariff_from_row,
)

GROUP_ATTR = {
    "total": None,
    "meter": "meter_id",
    "zone": "zone",
    "building": "building",
    "sub_item": "sub_item",
    "energy_type": "energy_type",
    "vendor": "vendor_id",
}


def to_domain(row: TariffRow) -> arithmetic.Tariff:
    return arithmetic.Tariff(
        id=row.id,
        energy_type=row.energy_type,
        effective_from=row.effective_from,
        prices={Period(k): Decimal(v) for k, v in row.prices.items()},
        windows=tuple(
            arithmetic.Window(
                start=time.fromisoformat(w["start"]),
                end=time.fromisoformat(w["end"]),
                period=Period(w["period"]),
                months=frozenset(w["months"]) if w.get("months") else None,
            )
            for w in row.windows
        ),
        scope=Scope(row.scope),
        scope_id=row.scope_id or None,
    )


def _values(tariff_in: TariffCreate) -> dict[str, Any]:
    data = tariff_in.model_dump(mode="json")
    data["scope_id"] = data["scope_id"] or ""
    data["prices"] = {k: str(v) for k, v in tariff_in.prices.items()}
    data["effective_from"] = tariff_in.effective_from
    return data


async def list_tariffs(session: AsyncSession, *, energy_type: str | None) -> list[TariffRead]:
    return [TariffRead(**tariff_from_row(r)) for r in await repository.list_tariffs(session, energy_type=energy_type)]


async def save_tariff(
    session: AsyncSession, *, tariff_in: TariffCreate, settings: AnalyticsSettings | None = None
) -> bool:
    """Insert or replace one version (by id); True when new. The meter-days it may reprice are logged as touched
    (see :func:`_invalidate`)."""
    old = await repository.get_tariff(session, tariff_in.id)
    changed = [(tariff_in.energy_type, tariff_in.effective_from)]
    if old is not None:
        changed.append((old.energy_type, old.effective_from))
    created = await repository.upsert_tariff(session, _values(tariff_in))
    await _invalidate(session, settings, changed)
    return created


async def _invalidate(
    session: AsyncSession, settings: AnalyticsSettings | None, changed: list[tuple[str, date]]
) -> None:
    """Log the rolled-up meter-days of the energy types of a changed version, from its effective date on, as
    touched: the worker reprices them into the daily cost rollup, and queries answer them raw until then."""
    tz = (settings or get_analytics_settings()).timezone
    await repository.invalidate_costs(
        session, energy_types=sorted({t for t, _d in changed}), from_day=min(d for _t, d in changed), tz=tz
    )


async def get_tariff(session: AsyncSession, tariff_id: str) -> TariffRead:
    row = await repository.get_tariff(session, tariff_id)
    if row is None:
        raise NotFound(_("tariff {id} not found", id=tariff_id))
    return TariffRead(**tariff_from_row(row))


async def delete_tariff(session: AsyncSession, tariff_id: str) -> None:
    row = await repository.get_tariff(session, tariff_id)
    if row is None:
        raise NotFound(_("tariff {id} not found", id=tariff_id))
    await repository.delete_tariff(session, tariff_id)
    await _invalidate(session, None, [(row.energy_type, row.effective_from)])


#: Chinese column headings accepted beside the field names of the tariff import
HEADINGS = {
    "编号": "id",
    "名称": "name",
    "能源类型": "energy_type",
    "范围": "scope",
    "范围编号": "scope_id",
    "生效日期": "effective_from",
    "单位": "unit",
    "时段": "period",
    "单价": "price",
    "开始时间": "start",
    "结束时间": "end",
    "月份": "months",
    "示例": "example",
    "备注": "note",
}
IMPORT_REQUIRED = ("id", "energy_type", "effective_from", "period", "price")


def parse_tariff_rows(rows: Sequence[dict[str, str | None]]) -> list[TariffCreate]:
    """Tariff versions from spreadsheet rows, one row per period price or time-of-use window; rows of one
    version share its id. ``start``/``end`` add a window of the row's period; ``months`` is e.g. ``7,8``."""
    grouped: dict[str, dict[str, Any]] = {}
    for n, row in enumerate(rows, start=2):
        tid = row.get("id")
        if not tid:
            raise UnprocessableEntity(_("row {n}: id is empty", n=n))
        g = grouped.setdefault(
            tid,
            {
                "id": tid,
                "name": row.get("name") or tid,
                "energy_type": row.get("energy_type"),
                "scope": row.get("scope") or "all",
                "scope_id": row.get("scope_id"),
                "effective_from": row.get("effective_from"),
                "unit": row.get("unit") or "kWh",
                "example": (row.get("example") or "").lower() in ("1", "true", "yes", "是"),
                "note": row.get("note"),
                "prices": {},
                "windows": [],
            },
        )
        period = row.get("period")
        price = row.get("price")
        if period and price:
            old = g["prices"].get(period)
            if old is not None and Decimal(old) != Decimal(price):
                raise UnprocessableEntity(
                    _("row {n}: two prices for period {period} of {id}", n=n, period=period, id=tid)
                )
            g["prices"][period] = price
        if row.get("start") or row.get("end"):
            months = row.get("months")
            g["windows"].append(
                {
                    "start": row.get("start"),
                    "end": row.get("end"),
                    "period": period,
                    "months": [int(m) for m in months.replace("，", ",").split(",")] if months else None,
                }
            )
    out = []
    for tid, g in grouped.items():
        try:
            out.append(TariffCreate.model_validate(g))
        except (ValidationError, ValueError) as exc:
            raise UnprocessableEntity(_("tariff {id}: {error}", id=tid, error=str(exc))) from exc
    return out


async def import_tariffs(session: AsyncSession, *, data: bytes, filename: str) -> TariffImportResult:
    """Import tariff versions from a CSV or XLSX file (all or nothing: one bad row rejects the file)."""
    try:
        rows = read_rows(data, filename, headings=HEADINGS, required=IMPORT_REQUIRED)
    except TableFileError as exc:
        raise UnprocessableEntity(str(exc)) from exc
    created = updated = 0
    versions = parse_tariff_rows(rows)
    for t in versions:
        if await save_tariff(session, tariff_in=t):
            created += 1
        else:
            updated += 1
    return TariffImportResult(created=created, updated=updated, ids=[t.id for t in versions])


@dataclass
class Priced:
    """Cost per (group, bucket) and per period of a window."""

    buckets: dict[tuple[str, datetime], CostTotal]
    total: CostTotal


async def price(
    session: AsyncSession,
    *,
    settings: AnalyticsSettings,
    flt: MeterFilter,
    start: datetime,
    end: datetime,
    granularity: str | None = None,
    group_by: str = "total",
) -> Priced:
    """Price every reading interval starting in the window under the tariff versions in force.

    Whole local days that are rolled up (no pending touched hour of the scope, see ``energy.service.plan``) are
    summed from the daily cost rollup, which the worker priced with this very function over the raw readings;
    the hours before the first and after the last whole day, and everything from the first pending hour on, are
    priced from the raw readings here. The answer is the raw answer to the fen (costs are exact decimal sums)."""
    tz = ZoneInfo(settings.timezone)
    window(settings, start, end)  # refuses end <= start (422) before any query
    buckets: dict[tuple[str, datetime], CostTotal] = defaultdict(CostTotal)
    total = CostTotal()
    days = await _rolled_days(session, settings=settings, flt=flt, start=start, end=end, granularity=granularity)

    async def raw(a: datetime, b: datetime) -> None:
        await _price_raw(
            session,
            tz=tz,
            flt=flt,
            win=window(settings, a, b),
            granularity=granularity,
            group_by=group_by,
            bucket0=start,
            buckets=buckets,
            total=total,
        )

    if days is None:
        await raw(start, end)
        return Priced(dict(buckets), total)
    d0, d1 = days
    first, after = midnight(d0, tz), midnight(d1, tz)
    if start < first:
        await raw(start, first)
    for row in await repository.daily_costs(
        session, flt=flt, first=d0, after=d1, granularity=granularity, group_by=group_by, tz=settings.timezone
    ):
        cost = _cost_of(row)
        key = (row.group, row.bucket.astimezone(tz) if row.bucket is not None else start)
        if key in buckets:
            buckets[key].merge(cost)
        else:
            buckets[key] = cost
        total.merge(cost)
    if after < end:
        await raw(after, end)
    return Priced(dict(buckets), total)


PERIODS = {p.value: p for p in Period}


def _cost_of(row: repository.DailyCost) -> CostTotal:
    """The periods of a sum of cost rollup rows (``''``: the unpriced quantity)."""
    cost = CostTotal()
    for period, quantity, yuan_ in zip(row.periods, row.quantities, row.costs, strict=True):
        if period:
            cost.quantity[PERIODS[period]] = quantity
            cost.cost[PERIODS[period]] = yuan_
        else:
            cost.unpriced = quantity
    return cost


def midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tz)


async def covered(
    session: AsyncSession, *, settings: AnalyticsSettings, flt: MeterFilter, start: datetime, end: datetime
) -> bool:
    """True when the daily cost rollup answers every day of ``[start, end)`` (local midnights, nothing of the
    scope pending): per meter-day sums can then be read from it in SQL."""
    tz = ZoneInfo(settings.timezone)
    if not (is_midnight(start, tz) and is_midnight(end, tz)) or end <= start:
        return False
    days = await _rolled_days(session, settings=settings, flt=flt, start=start, end=end, granularity=None)
    return days == (start.astimezone(tz).date(), end.astimezone(tz).date())


def is_midnight(ts: datetime, tz: ZoneInfo) -> bool:
    return ts.astimezone(tz).timetz().replace(tzinfo=None) == time(0)


async def _rolled_days(
    session: AsyncSession,
    *,
    settings: AnalyticsSettings,
    flt: MeterFilter,
    start: datetime,
    end: datetime,
    granularity: str | None,
) -> tuple[date, date] | None:
    """The local days ``[first, after)`` of the window the daily cost rollup answers: whole days, before the
    first pending touched hour of the scope; None when there are none (or the rollups are off, or the buckets
    are finer than a day)."""
    if not settings.use_rollup or granularity not in (None, "day", "month"):
        return None
    how = await energy_plan(session, settings=settings, flt=flt, start=start, end=end, granularity="day")
    whole = [p for p in how.rolled if p.grain != "hour"]
    if not whole:
        return None
    tz = ZoneInfo(settings.timezone)
    first, after = whole[0].start.astimezone(tz).date(), whole[-1].end.astimezone(tz).date()
    where, params = flt.sql()
    stale = await rollups_repository.first_pending_hour(
        session,
        kind="cost",
        subjects_sql=f"SELECT m.id FROM telemetry.meter m WHERE {where}",
        params=params,
        start=midnight(first, tz),
        end=midnight(after, tz),
    )
    if stale is not None:  # meter-days not repriced yet: the raw readings answer from that day on
        after = stale.astimezone(tz).date()
    return (first, after) if first < after else None


#: the buckets finer than a day, by their width in seconds (local time: each starts on a multiple of it after midnight)
BUCKET_SECONDS = {"15min": 900, "hour": 3600}


async def _price_raw(
    session: AsyncSession,
    *,
    tz: ZoneInfo,
    flt: MeterFilter,
    win: Window,
    granularity: str | None,
    group_by: str,
    bucket0: datetime,
    buckets: dict[tuple[str, datetime], CostTotal],
    total: CostTotal,
) -> None:
    """Price the reading intervals starting in ``win`` from the raw readings into ``buckets`` and ``total``."""
    pricer = Pricer([to_domain(r) for r in await repository.list_tariffs(session)], tz)
    attr = GROUP_ATTR[group_by]

    def book(item: Any, cost: CostTotal) -> None:
        group = "total" if attr is None else str(getattr(item, attr))
        bucket = bucket_start(item.start, granularity, tz) if granularity else bucket0
        buckets[(group, bucket)].merge(cost)
        total.merge(cost)

    # SQL sums the intervals of each slot between the price edges and, for buckets finer than a day, the bucket
    # edges (each slot lies inside one price period and one bucket); Python splits only the intervals that cross
    # a price edge or a midnight. Each interval counts in the bucket where it starts, whole (split between the
    # periods it spans): an interval over a bucket edge alone is summed into the slot where it starts.
    price_edges = pricer.edge_seconds()
    step = BUCKET_SECONDS.get(granularity or "")
    edges = price_edges if step is None else sorted({*price_edges, *(float(s) for s in range(step, 86_400, step))})
    slots, intervals = await repository.slot_consumption(session, flt=flt, win=win, edges_s=edges, split_s=price_edges)
    for sl in slots:
        book(
            sl,
            pricer.cost_at(
                sl.start,
                to_decimal(sl.quantity),
                energy_type=sl.energy_type,
                meter_id=sl.meter_id,
                building=sl.building,
            ),
        )
    for it in intervals:
        cost = pricer.cost(
            it.start,
            it.end,
            to_decimal(it.quantity),
            energy_type=it.energy_type,
            meter_id=it.meter_id,
            building=it.building,
        )
        book(it, cost)


async def refresh_daily_costs(session: AsyncSession, *, settings: AnalyticsSettings) -> Refreshed:
    """Reprice every meter-day logged as touched for the daily cost rollup (kind ``cost``: rolled-up energy or a
    changed tariff) from the raw readings, with this module's raw pricing. The analytics worker calls it after
    the energy refresh, in its own transaction."""
    tz = ZoneInfo(settings.timezone)
    touched = await rollups_repository.pop_touched(session, "cost")
    ranges = rollups_service.ranges_of(touched, tz)
    if not ranges:
        return Refreshed(0, 0, [], len(touched))
    raw = settings.model_copy(update={"use_rollup": False})
    meters_of: dict[tuple[date, date], list[str]] = defaultdict(list)
    for meter, first, after in ranges:
        meters_of[(first, after)].append(meter)
    rows: list[tuple[str, date, str, Decimal, Decimal]] = []
    for (first, after), meters in sorted(meters_of.items()):
        priced = await price(
            session,
            settings=raw,
            flt=MeterFilter(meter_ids=meters),
            start=midnight(first, tz),
            end=midnight(after, tz),
            granularity="day",
            group_by="meter",
        )
        for (meter, bucket), c in priced.buckets.items():
            day = bucket.astimezone(tz).date()
            rows.extend((meter, day, p.value, q, c.cost[p]) for p, q in c.quantity.items())
            if c.unpriced or not c.quantity:
                rows.append((meter, day, "", c.unpriced, Decimal(0)))
    written = await repository.replace_daily_costs(session, ranges=ranges, rows=rows)
    return Refreshed(sum((a - f).days for _, f, a in ranges), written, ranges, len(touched))


async def refresh_rollups(session: AsyncSession, *, settings: AnalyticsSettings) -> RollupRefresh:
    """The energy rollups, then the daily cost rollup, of everything pending (``POST /v1/energy/rollup/refresh``)."""
    energy = await energy_refresh(session, settings=settings)
    await refresh_daily_costs(session, settings=settings)
    return energy


async def total_cost(
    session: AsyncSession, *, settings: AnalyticsSettings, flt: MeterFilter, start: datetime, end: datetime
) -> CostTotal:
    return (await price(session, settings=settings, flt=flt, start=start, end=end)).total


def _periods(total: CostTotal) -> list[PeriodCost]:
    return [
        PeriodCost(period=p, quantity=float(total.quantity[p]), cost_cny=yuan(total.cost[p]))
        for p in Period
        if p in total.quantity
    ]


#: the cost rows of an answer, validated in one call (faster than constructing each row in Python)
COST_ROWS = TypeAdapter(list[CostRow])


async def consumption(
    session: AsyncSession,
    *,
    settings: AnalyticsSettings,
    flt: MeterFilter,
    start: datetime,
    end: datetime,
    granularity: str,
    group_by: str,
) -> CostConsumptionRead:
    """Yuan and quantity per group and local-time bucket, from :func:`price`. Per meter and day over a window the
    cost rollup covers (see :func:`covered`; a month of 400 meters is 12 000 rows), the rows are read from the day
    totals of each meter-month (``energy_month_day_cost``: a row per meter and month instead of a row per meter,
    day and price period) and the window's periods from the rollup as :func:`price` sums them: the same figures
    without a period breakdown per row in Python."""
    tz = ZoneInfo(settings.timezone)
    local = OfficeInstants(tz)
    if (
        granularity == "day"
        and group_by == "meter"
        and await covered(session, settings=settings, flt=flt, start=start, end=end)
    ):
        first, after = start.astimezone(tz).date(), end.astimezone(tz).date()
        total = CostTotal()
        for row in await repository.daily_costs(
            session, flt=flt, first=first, after=after, granularity=None, group_by="total", tz=settings.timezone
        ):
            total.merge(_cost_of(row))
        midnights = await repository.local_midnights(session, first=first, after=after, tz=settings.timezone)
        months = await repository.meter_month_days(session, flt=flt, first=first, after=after)
        with gc_paused():  # no await inside
            rows = COST_ROWS.validate_python(
                _meter_day_cells(months, first=first, after=after, buckets=[local(m) for m in midnights])
            )
    else:
        priced = await price(
            session, settings=settings, flt=flt, start=start, end=end, granularity=granularity, group_by=group_by
        )
        total = priced.total
        with gc_paused():
            rows = COST_ROWS.validate_python(
                [
                    {
                        "group": g,
                        "bucket": local(b),
                        "cost_cny": yuan(c.total_cost),
                        "quantity": float(c.total_quantity),
                    }
                    for (g, b), c in sorted(priced.buckets.items(), key=lambda kv: (kv[0][1], kv[0][0]))
                ]
            )
    return CostConsumptionRead(
        start=start,
        end=end,
        granularity=granularity,
        group_by=group_by,
        total_cost_cny=yuan(total.total_cost),
        unpriced_quantity=float(total.unpriced),
        periods=_periods(total),
        rows=rows,
    )


def _meter_day_cells(
    months: list[repository.MeterMonthDays], *, first: date, after: date, buckets: list[datetime]
) -> list[dict[str, Any]]:
    """Cost rows per meter and local day of ``[first, after)`` (``buckets[i]``: day ``first + i``), ordered by
    day, then meter, from the day totals of each meter-month; a meter without a reading interval that day has
    no row."""
    by_month: dict[date, list[repository.MeterMonthDays]] = defaultdict(list)
    for mm in months:
        by_month[mm.month].append(mm)
    cells: list[dict[str, Any]] = []
    for month in sorted(by_month):
        meters = sorted(by_month[month], key=lambda mm: mm.meter_id)
        for day in range(max(first, month).day - 1, len(meters[0].quantity)):
            on = month + timedelta(days=day)
            if on >= after:
                break
            bucket = buckets[(on - first).days]
            for mm in meters:
                quantity, cost = mm.quantity[day], mm.cost_cny[day]
                if quantity is not None and cost is not None:  # the meter had a reading interval that day
                    cells.append({"group": mm.meter_id, "bucket": bucket, "cost_cny": yuan(cost), "quantity": quantity})
    return cells


def _by_group(priced: Priced) -> dict[str, Decimal]:
    out: dict[str, Decimal] = defaultdict(Decimal)
    for (g, _b), c in priced.buckets.items():
        out[g] += c.total_cost
    return dict(out)


def _ratio(num: Decimal, den: Decimal) -> float | None:
    return float(num / den) if den else None


async def year_on_year(
    session: AsyncSession,
    *,
    settings: AnalyticsSettings,
    flt: MeterFilter,
    start: datetime,
    end: datetime,
    previous_start: datetime,
    previous_end: datetime,
    group_by: str,
    cfg: AccountingSettings | None = None,
) -> CostYearOnYearRead:
    """Yuan of the window beside the same window a year earlier: the totals of every meter (the facts of each
    window) and, like for like, the yuan of the meter-days that reported in both (the pairs of the kWh
    comparison, ``energy.like_for_like``), with that scope stated."""
    cur = _by_group(await price(session, settings=settings, flt=flt, start=start, end=end, group_by=group_by))
    prev = _by_group(
        await price(session, settings=settings, flt=flt, start=previous_start, end=previous_end, group_by=group_by)
    )
    rows = []
    for g in sorted(set(cur) | set(prev)):
        c, p = yuan(cur.get(g, Decimal(0))), yuan(prev.get(g, Decimal(0)))
        rows.append(
            CostComparisonRow(group=g, current_cny=c, previous_cny=p, saved_cny=p - c, change_ratio=_ratio(c - p, p))
        )
    c_total, p_total = yuan(sum(cur.values(), Decimal(0))), yuan(sum(prev.values(), Decimal(0)))
    meters = await energy_repository.meters(session, flt=flt)
    factors = like_for_like.kgce_factors(cfg or AccountingSettings())
    cmp = like_for_like.compare_series(
        await like_for_like.daily_series(session, settings=settings, flt=flt, start=start, end=end),
        await like_for_like.daily_series(session, settings=settings, flt=flt, start=previous_start, end=previous_end),
        {m["id"]: m["energy_type"] for m in meters},
        {c for c, f in factors.items() if f is not None},
    )
    compared = previous_compared = None
    if cmp.pairs:
        compared = await _pair_cost(
            session, settings=settings, flt=flt, start=start, end=end, meters=cmp.pairs.meters, days=cmp.pairs.days
        )
        previous_compared = await _pair_cost(
            session,
            settings=settings,
            flt=flt,
            start=previous_start,
            end=previous_end,
            meters=cmp.pairs.meters,
            days=cmp.pairs.previous_days,
        )
    return CostYearOnYearRead(
        start=start,
        end=end,
        rows=rows,
        current_cny=c_total,
        previous_cny=p_total,
        saved_cny=p_total - c_total,
        saving_ratio=_ratio(p_total - c_total, p_total),
        scope=like_for_like.scope(cmp, len(meters)),
        compared_cny=yuan(compared) if compared is not None else None,
        compared_previous_cny=yuan(previous_compared) if previous_compared is not None else None,
        compared_saved_cny=yuan(previous_compared - compared)
        if compared is not None and previous_compared is not None
        else None,
        compared_saving_ratio=_ratio(previous_compared - compared, previous_compared)
        if compared is not None and previous_compared is not None
        else None,
    )


async def _pair_cost(
    session: AsyncSession,
    *,
    settings: AnalyticsSettings,
    flt: MeterFilter,
    start: datetime,
    end: datetime,
    meters: list[str],
    days: list[int],
) -> Decimal:
    """Yuan of the given meter-days of the window (``meters[i]`` on local day number ``days[i]``, see
    ``like_for_like.day_number``): from the daily cost rollup when it covers the window, else priced per meter
    and day."""
    if await covered(session, settings=settings, flt=flt, start=start, end=end):
        return await repository.pair_costs(session, meters=meters, days=days)
    tz = ZoneInfo(settings.timezone)
    pairs = {(m, like_for_like.day_of(d)) for m, d in zip(meters, days, strict=True)}
    priced = await price(session, settings=settings, flt=flt, start=start, end=end, granularity="day", group_by="meter")
    return sum(
        (c.total_cost for (m, b), c in priced.buckets.items() if (m, b.astimezone(tz).date()) in pairs), Decimal(0)
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
) -> CostSavingsRead:
    """Yuan saved against a baseline period: the baseline's daily cost times the reporting days minus the
    reporting period's cost (the tariffs in force on each day price each period), over the meters that
    reported in both periods (named, with those left out), as the kWh savings."""
    if baseline_end <= baseline_start or end <= start:
        raise UnprocessableEntity(_("each period must end after it starts"))
    tz = ZoneInfo(settings.timezone)

    def midnight(d: date) -> datetime:
        return datetime.combine(d, time(0), tz)

    # like for like, as the kWh savings: only the meters that reported in both periods are priced
    in_base = await _meters_reporting(
        session, settings=settings, flt=flt, start=midnight(baseline_start), end=midnight(baseline_end)
    )
    in_report = await _meters_reporting(session, settings=settings, flt=flt, start=midnight(start), end=midnight(end))
    both = sorted(in_base & in_report)
    scoped = MeterFilter(meter_ids=both or ["-"])  # an empty list would mean every meter
    base = await total_cost(
        session, settings=settings, flt=scoped, start=midnight(baseline_start), end=midnight(baseline_end)
    )
    actual = await total_cost(session, settings=settings, flt=scoped, start=midnight(start), end=midnight(end))
    expected = base.total_cost / (baseline_end - baseline_start).days * (end - start).days
    return CostSavingsRead(
        baseline_start=baseline_start,
        baseline_end=baseline_end,
        start=start,
        end=end,
        baseline_cny=yuan(base.total_cost),
        expected_cny=yuan(expected),
        actual_cny=yuan(actual.total_cost),
        saved_cny=yuan(expected - actual.total_cost),
        saving_ratio=_ratio(expected - actual.total_cost, expected),
        meters=both,
        meters_left_out=sorted((in_base | in_report) - set(both)),
    )


async def _meters_reporting(
    session: AsyncSession, *, settings: AnalyticsSettings, flt: MeterFilter, start: datetime, end: datetime
) -> set[str]:
    """Meters of ``flt`` with a meter-day of at least one reading interval in the window (the meters of
    ``like_for_like.daily_by_meter``): from the cost rollup when it covers the window."""
    if await covered(session, settings=settings, flt=flt, start=start, end=end):
        tz = ZoneInfo(settings.timezone)
        return await repository.meters_with_costs(
            session, flt=flt, first=start.astimezone(tz).date(), after=end.astimezone(tz).date()
        )
    return {
        m for m, _d in await like_for_like.daily_by_meter(session, settings=settings, flt=flt, start=start, end=end)
    }


async def top_consumers(
    session: AsyncSession,
    *,
    settings: AnalyticsSettings,
    flt: MeterFilter,
    start: datetime,
    end: datetime,
    group_by: str,
    limit: int,
) -> list[CostTopRow]:
    by_group = _by_group(await price(session, settings=settings, flt=flt, start=start, end=end, group_by=group_by))
    total = sum(by_group.values(), Decimal(0))
    ranked = sorted(by_group.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [CostTopRow(group=g, cost_cny=yuan(c), share=float(c / total) if total else 0.0) for g, c in ranked]


async def with_cost(
    session: AsyncSession,
    *,
    settings: AnalyticsSettings,
    kpi: EnergyKpi,
    window: tuple[datetime, datetime],
    pairs: MeterDayPairs,
) -> EnergyKpi:
    """The energy KPI of a vendor with the cost of its meters in the period and the same period last year
    (every meter: the figure the statistics give for the same scope), and the like-for-like cost saving over
    the compared meter-days ``pairs`` (meter, local day), for an appraisal scheme that scores the yuan saved."""
    flt = MeterFilter(vendor_id=kpi.vendor_id)
    start, end = window
    if end <= start:
        return kpi
    if await covered(session, settings=settings, flt=flt, start=_year_earlier(start), end=end):
        # the cost rollup answers every day of both windows: totals and the compared meter-days in SQL
        now = await price(session, settings=settings, flt=flt, start=start, end=end)
        before = await price(session, settings=settings, flt=flt, start=_year_earlier(start), end=_year_earlier(end))
        current_cmp = await repository.pair_costs(session, meters=pairs.meters, days=pairs.days)
        previous_cmp = await repository.pair_costs(session, meters=pairs.meters, days=pairs.previous_days)
    else:
        tz = ZoneInfo(settings.timezone)
        now = await price(
            session, settings=settings, flt=flt, start=start, end=end, granularity="day", group_by="meter"
        )
        before = await price(
            session,
            settings=settings,
            flt=flt,
            start=_year_earlier(start),
            end=_year_earlier(end),
            granularity="day",
            group_by="meter",
        )

        def compared(priced: Priced, keep: set[tuple[str, date]]) -> Decimal:
            return sum(
                (c.total_cost for (m, b), c in priced.buckets.items() if (m, b.astimezone(tz).date()) in keep),
                Decimal(0),
            )

        current_cmp, previous_cmp = compared(now, pairs.current()), compared(before, pairs.previous())
    return kpi.model_copy(
        update={
            "cost_cny": yuan(now.total.total_cost),
            "previous_cost_cny": yuan(before.total.total_cost) if before.buckets else None,
            "compared_cost_cny": yuan(current_cmp) if pairs else None,
            "compared_previous_cost_cny": yuan(previous_cmp) if pairs else None,
            "cost_saving_ratio": _ratio(previous_cmp - current_cmp, previous_cmp)
            if previous_cmp and kpi.not_scored is None
            else None,
        }
    )


def _year_earlier(ts: datetime) -> datetime:
    try:
        return ts.replace(year=ts.year - 1)
    except ValueError:  # 29 February
        return ts.replace(year=ts.year - 1, day=28)
