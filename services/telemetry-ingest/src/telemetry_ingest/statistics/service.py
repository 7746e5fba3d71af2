"""The yearly public-institution energy statistics, the XLSX report, and the payback of investments."""

from __future__ import annotations

import io
import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from houqin_common.errors import NotFound, UnprocessableEntity
from houqin_common.i18n import N_, _
from houqin_common.schemas import EnergyScope
from telemetry_ingest.analytics.config import AnalyticsSettings
from telemetry_ingest.energy import like_for_like
from telemetry_ingest.energy import repository as energy_repository
from telemetry_ingest.energy.like_for_like import MeterDay
from telemetry_ingest.energy.repository import MeterFilter
from telemetry_ingest.models.accounting import BuildingArea, EnergyGoal, Headcount, Investment
from telemetry_ingest.statistics import indicators as ind
from telemetry_ingest.statistics import repository
from telemetry_ingest.statistics.config import AccountingSettings
from telemetry_ingest.statistics.schemas import (
    AreaIn,
    AreaRead,
    Coefficients,
    ComparedYear,
    GoalIn,
    GoalRead,
    HeadcountIn,
    HeadcountRead,
    IndicatorRead,
    InvestmentIn,
    InvestmentRead,
    PaybackRead,
    StatisticsRead,
    YearSaving,
)
from telemetry_ingest.tariffs import repository as tariff_repository
from telemetry_ingest.tariffs import service as tariff_service
from telemetry_ingest.tariffs.arithmetic import CostTotal, yuan


async def put_area(session: AsyncSession, *, building: str, valid_from: date, area_in: AreaIn) -> AreaRead:
    await repository.upsert(
        session,
        BuildingArea,
        ["building", "valid_from"],
        {"building": building, "valid_from": valid_from, **area_in.model_dump()},
    )
    return AreaRead(building=building, valid_from=valid_from, **area_in.model_dump())


async def list_areas(session: AsyncSession, *, building: str | None) -> list[AreaRead]:
    return [AreaRead.model_validate(r) for r in await repository.areas(session, building=building)]


async def put_headcount(session: AsyncSession, *, year: int, headcount_in: HeadcountIn) -> HeadcountRead:
    await repository.upsert(session, Headcount, ["year"], {"year": year, **headcount_in.model_dump()})
    return HeadcountRead(year=year, **headcount_in.model_dump())


async def list_headcounts(session: AsyncSession) -> list[HeadcountRead]:
    return [HeadcountRead.model_validate(r) for r in await repository.headcounts(session)]


async def put_goal(session: AsyncSession, *, indicator: str, year: int, goal_in: GoalIn) -> GoalRead:
    if indicator not in ind.INDICATORS:
        raise NotFound(_("indicator {code} not found", code=indicator))
    await repository.upsert(
        session, EnergyGoal, ["indicator", "year"], {"indicator": indicator, "year": year, **goal_in.model_dump()}
    )
    return GoalRead(indicator=indicator, year=year, **goal_in.model_dump())


async def list_goals(session: AsyncSession, *, year: int | None) -> list[GoalRead]:
    return [GoalRead.model_validate(r) for r in await repository.goals(session, year=year)]


def year_window(year: int, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)


@dataclass(frozen=True)
class PricedYear:
    """One year priced per meter and local day: the statistics' inputs and the meter-days that reported."""

    inputs: ind.YearInputs
    unpriced: Decimal
    days: dict[MeterDay, CostTotal]


async def _year_inputs(
    session: AsyncSession, *, settings: AnalyticsSettings, year: int, carrier_of: dict[str, str]
) -> PricedYear:
    """Every meter's consumption and cost of the year, priced once per meter and local day: the same pricing
    the energy KPI's ``measure=cost`` sums per vendor, so the yuan of a scope is one figure everywhere."""
    tz = ZoneInfo(settings.timezone)
    start, end = year_window(year, tz)
    priced = await tariff_service.price(
        session, settings=settings, flt=MeterFilter(), start=start, end=end, granularity="day", group_by="meter"
    )
    consumption: dict[str, Decimal] = defaultdict(Decimal)
    days: dict[MeterDay, CostTotal] = {}
    for (meter, bucket), c in priced.buckets.items():
        consumption[carrier_of[meter]] += c.total_quantity
        days[(meter, bucket.astimezone(tz).date())] = c
    return PricedYear(
        ind.YearInputs(
            consumption=dict(consumption),
            cost_cny=priced.total.total_cost,
            headcount=await repository.headcount(session, year),
            floor_area_m2=await repository.total_area(session, on=date(year, 12, 31)),
        ),
        priced.total.unpriced,
        days,
    )


def _compared(
    cur: PricedYear, prev: PricedYear, carrier_of: dict[str, str], cfg: AccountingSettings, meters: int
) -> tuple[EnergyScope, ComparedYear]:
    """The like-for-like part of the year: meter-days that reported this year and on the same day last year."""
    factors = like_for_like.kgce_factors(cfg)
    energy = {c for c in set(carrier_of.values()) if factors.get(c) is not None}
    cmp = like_for_like.compare(
        {k: float(c.total_quantity) for k, c in cur.days.items()},
        {k: float(c.total_quantity) for k, c in prev.days.items()},
        carrier_of,
        energy,
    )
    cost = sum((cur.days[k].total_cost for k in cmp.pairs.current()), Decimal(0))
    before = sum((prev.days[k].total_cost for k in cmp.pairs.previous()), Decimal(0))
    kgce, previous_kgce = like_for_like.kgce(cmp.compared, factors), like_for_like.kgce(cmp.compared_previous, factors)
    scope = like_for_like.scope(cmp, meters)
    compared = ComparedYear(
        kgce=ind.rounded(Decimal(str(kgce)), 3),
        previous_kgce=ind.rounded(Decimal(str(previous_kgce)), 3),
        saving_ratio=(previous_kgce - kgce) / previous_kgce if previous_kgce else None,
        cost_cny=yuan(cost),
        previous_cost_cny=yuan(before),
        cost_saving_ratio=float((before - cost) / before) if before else None,
    )
    return scope, compared


async def _from_rollup(
    session: AsyncSession, year: int, carrier_of: dict[str, str], cfg: AccountingSettings, meters: int
) -> tuple[ind.YearInputs, ind.YearInputs, Decimal, EnergyScope, ComparedYear]:
    """:func:`_year_inputs` of both years and :func:`_compared`, summed per meter in SQL over the cost rollups
    (which hold the same per meter-day pricing): the same figures without a year of meter-days in Python, and
    from the monthly rows wherever a month pairs whole (see ``tariffs.repository.meter_years``)."""
    rows = await tariff_repository.meter_years(
        session, flt=MeterFilter(), first=date(year, 1, 1), after=date(year + 1, 1, 1)
    )
    factors = like_for_like.kgce_factors(cfg)
    energy = {c for c in set(carrier_of.values()) if factors.get(c) is not None}
    cmp = like_for_like.Comparison()
    consumption: dict[str, Decimal] = defaultdict(Decimal)
    previous_consumption: dict[str, Decimal] = defaultdict(Decimal)
    cost = previous_cost = unpriced = compared_cost = compared_previous_cost = Decimal(0)
    for r in rows:
        carrier = carrier_of.get(r.meter_id)
        if carrier is None:
            continue
        if r.days:
            consumption[carrier] += r.quantity
            cmp.quantity[carrier] += float(r.quantity)
            cmp.meters_current += 1
            cmp.meter_days_current += r.days
            cmp.energy_days_current += r.days if carrier in energy else 0
        if r.previous_days:
            previous_consumption[carrier] += r.previous_quantity
            cmp.previous[carrier] += float(r.previous_quantity)
            cmp.meters_previous += 1
            cmp.meter_days_previous += r.previous_days
        if r.compared_days:
            cmp.compared[carrier] += float(r.compared_quantity)
            cmp.compared_previous[carrier] += float(r.compared_previous_quantity)
            cmp.meters_compared += 1
            cmp.meter_days_compared += r.compared_days
            cmp.energy_days_compared += r.compared_days if carrier in energy else 0
        cost, previous_cost, unpriced = cost + r.cost_cny, previous_cost + r.previous_cost_cny, unpriced + r.unpriced
        compared_cost += r.compared_cost_cny
        compared_previous_cost += r.compared_previous_cost_cny
    kgce, previous_kgce = like_for_like.kgce(cmp.compared, factors), like_for_like.kgce(cmp.compared_previous, factors)
    compared = ComparedYear(
        kgce=ind.rounded(Decimal(str(kgce)), 3),
        previous_kgce=ind.rounded(Decimal(str(previous_kgce)), 3),
        saving_ratio=(previous_kgce - kgce) / previous_kgce if previous_kgce else None,
        cost_cny=yuan(compared_cost),
        previous_cost_cny=yuan(compared_previous_cost),
        cost_saving_ratio=float((compared_previous_cost - compared_cost) / compared_previous_cost)
        if compared_previous_cost
        else None,
    )

    async def inputs(y: int, by_carrier: dict[str, Decimal], yuan_total: Decimal) -> ind.YearInputs:
        return ind.YearInputs(
            consumption=dict(by_carrier),
            cost_cny=yuan_total,
            headcount=await repository.headcount(session, y),
            floor_area_m2=await repository.total_area(session, on=date(y, 12, 31)),
        )

    return (
        await inputs(year, consumption, cost),
        await inputs(year - 1, previous_consumption, previous_cost),
        unpriced,
        like_for_like.scope(cmp, meters),
        compared,
    )


def _shown(code: str, value: Decimal | None) -> Decimal | None:
    return None if value is None else ind.rounded(value, ind.INDICATORS[code][2])


async def statistics(
    session: AsyncSession, *, settings: AnalyticsSettings, cfg: AccountingSettings, year: int
) -> StatisticsRead:
    """Every indicator of ``year`` beside the previous year, with the change and the goal verdict. Values
    are computed at full precision and rounded once: kgce and m³ to 0.001, CNY to the fen, tCO2 to the gram.

    The indicators are the statutory totals of every meter that reported in each year; ``scope`` names the
    meters and meter-days of each year and ``compared`` gives the like-for-like change (the meter-days that
    reported in both years), which is the saving to read when the meter fleet changed."""
    meters = await energy_repository.meters(session, flt=MeterFilter())
    carrier_of = {m["id"]: m["energy_type"] for m in meters}
    tz = ZoneInfo(settings.timezone)
    if await tariff_service.covered(
        session, settings=settings, flt=MeterFilter(), start=year_window(year - 1, tz)[0], end=year_window(year, tz)[1]
    ):
        cur, prev, unpriced, scope, compared = await _from_rollup(session, year, carrier_of, cfg, len(meters))
    else:
        cur_year = await _year_inputs(session, settings=settings, year=year, carrier_of=carrier_of)
        prev_year = await _year_inputs(session, settings=settings, year=year - 1, carrier_of=carrier_of)
        cur, prev, unpriced = cur_year.inputs, prev_year.inputs, cur_year.unpriced
        scope, compared = _compared(cur_year, prev_year, carrier_of, cfg, len(meters))
    values, previous = ind.year_values(cur, cfg), ind.year_values(prev, cfg)
    goals = {g.indicator: g for g in await repository.goals(session, year=year)}
    rows = []
    for code, (label, unit, _places) in ind.INDICATORS.items():
        value, before = _shown(code, values[code]), _shown(code, previous[code])
        goal = goals.get(code)
        ratio = ind.change_ratio(value, before)
        rows.append(
            IndicatorRead(
                code=code,
                label=_(label),
                unit=_(FORM_UNITS[unit]) if unit in FORM_UNITS else unit,
                unit_code=unit,
                value=value,
                previous=before,
                change=value - before if value is not None and before is not None else None,
                change_ratio=ind.rounded(ratio, 4) if ratio is not None else None,
                goal=GoalIn(max_value=goal.max_value, min_reduction=goal.min_reduction, note=goal.note)
                if goal
                else None,
                goal_met=ind.goal_met(ind.Goal(goal.max_value, goal.min_reduction) if goal else None, value, before),
            )
        )
    return StatisticsRead(
        year=year,
        headcount=cur.headcount,
        previous_headcount=prev.headcount,
        floor_area_m2=cur.floor_area_m2,
        previous_floor_area_m2=prev.floor_area_m2,
        indicators=rows,
        unpriced_quantity=float(unpriced),
        scope=scope,
        compared=compared,
        coefficients=Coefficients(**cfg.model_dump(include=set(Coefficients.model_fields))),
    )


#: indicator code -> its row of the yearly statistics form (公共机构能源资源消耗统计); the msgids are English,
#: the zh-CN catalog holds the form's own wording, so the default workbook is the statutory form
FORM_NAMES = {
    "comprehensive_energy_kgce": N_("Comprehensive energy consumption"),
    "energy_per_capita_kgce": N_("Comprehensive energy consumption per capita"),
    "energy_per_m2_kgce": N_("Energy consumption per unit of floor area"),
    "water_per_capita_m3": N_("Water consumption per capita"),
    "electricity_kwh": N_("Electricity consumption"),
    "water_m3": N_("Water consumption"),
    "gas_m3": N_("Natural gas consumption"),
    "heat_gj": N_("Heat consumption"),
    "cost_cny": N_("Energy and resource costs"),
    "carbon_tco2": N_("Carbon dioxide emissions"),
}
FORM_UNITS = {
    "kgce": N_("kg of standard coal"),
    "kgce/person": N_("kg of standard coal per person"),
    "kgce/m²": N_("kg of standard coal per m²"),
    "m³/person": N_("m³ per person"),
    "kWh": N_("kWh"),
    "m³": N_("m³"),
    "GJ": N_("GJ"),
    "CNY": N_("CNY"),
    "tCO2": N_("t CO2"),
}
FORM_COLUMNS = (
    N_("Indicator"),
    N_("Unit"),
    N_("This year"),
    N_("Last year"),
    N_("Change"),
    N_("Change (%)"),
    N_("Goal"),
    N_("Goal met"),
)


def workbook(report: StatisticsRead) -> bytes:
    """The statistics as the yearly form, in the reader's language (zh-CN: the statutory form's wording):
    title, basic data (headcount, floor area), one row per indicator with this year, last year, change and
    goal, then the coefficients used."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Year {year}", year=report.year)
    sheet.append([_("Public institution energy and resource consumption statistics ({year})", year=report.year)])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    sheet.append([_("Basic data"), _("Unit"), _("This year"), _("Last year")])
    sheet.append([_("Headcount"), _("persons"), report.headcount, report.previous_headcount])
    sheet.append([_("Floor area"), _("m²"), _num(report.floor_area_m2), _num(report.previous_floor_area_m2)])
    sheet.append([])
    sheet.append([_(c) for c in FORM_COLUMNS])
    header_row = sheet.max_row
    met_text = {True: _("met"), False: _("not met"), None: ""}
    for r in report.indicators:
        goal = ""
        if r.goal is not None:
            parts = []
            if r.goal.max_value is not None:
                parts.append(f"≤ {r.goal.max_value.normalize():f}")
            if r.goal.min_reduction is not None:
                parts.append(_("down ≥ {percent}%", percent=f"{(r.goal.min_reduction * 100).normalize():f}"))
            goal = _("; ").join(parts)
        ratio = _num(r.change_ratio * 100) if r.change_ratio is not None else None
        sheet.append(
            [
                _(FORM_NAMES[r.code]),
                r.unit,
                _num(r.value),
                _num(r.previous),
                _num(r.change),
                ratio,
                goal,
                met_text[r.goal_met],
            ]
        )
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    c = report.coefficients
    water = _num(c.kgce_per_m3_water) if c.kgce_per_m3_water is not None else _("not converted")
    sheet.append([])
    sheet.append([_("Conversion coefficients and emission factors")])
    sheet.append(
        [_("Electricity (calorific equivalent)"), "kgce/kWh", _num(c.kgce_per_kwh_electricity), "GB/T 2589-2020"]
    )
    sheet.append([_("Natural gas"), "kgce/m³", _num(c.kgce_per_m3_gas), "GB/T 2589-2020"])
    sheet.append([_("Heat"), "kgce/GJ", _num(c.kgce_per_gj_heat), "GB/T 2589-2020"])
    sheet.append([_("Water"), "kgce/m³", water, ""])
    sheet.append(
        [
            _("Grid emission factor"),
            "tCO2/MWh",
            _num(c.grid_emission_factor_t_per_mwh),
            _("{source} (published {year})", source=c.grid_emission_factor_source, year=c.grid_emission_factor_year),
        ]
    )
    sheet.append([_("Natural gas emission factor"), "kgCO2/m³", _num(c.co2_kg_per_m3_gas), ""])
    sheet.append([_("Heat emission factor"), "tCO2/GJ", _num(c.co2_t_per_gj_heat), ""])
    for col, width in zip("ABCDEFGH", (22, 12, 18, 18, 16, 12, 22, 10), strict=True):
        sheet.column_dimensions[col].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _num(value: Decimal | None) -> float | None:
    """Cells hold numbers (a spreadsheet sums them); the Decimal was rounded before."""
    return float(value) if value is not None else None


async def create_investment(session: AsyncSession, *, investment_in: InvestmentIn) -> InvestmentRead:
    row = Investment(id=uuid.uuid4().hex[:16], **investment_in.model_dump())
    session.add(row)
    await session.flush()
    return InvestmentRead.model_validate(row)


async def list_investments(session: AsyncSession) -> list[InvestmentRead]:
    return [InvestmentRead.model_validate(r) for r in await repository.investments(session)]


def _same_day_year_earlier(d: date) -> date:
    try:
        return d.replace(year=d.year - 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year - 1, day=28)


async def payback(
    session: AsyncSession, *, settings: AnalyticsSettings, investment_id: str, as_of: date
) -> PaybackRead:
    """Yuan saved since an investment went into service against the 365 days before it, the simple payback
    time, and the yuan saved year on year for each calendar year since the start."""
    row = await repository.investment(session, investment_id)
    if row is None:
        raise NotFound(_("investment {id} not found", id=investment_id))
    if as_of <= row.start_date:
        raise UnprocessableEntity(_("as_of must be after the investment's start date {start}", start=row.start_date))
    tz = ZoneInfo(settings.timezone)

    def midnight(d: date) -> datetime:
        return datetime.combine(d, time(0), tz)

    # Like for like (the measurement boundary of a saving, as IPMVP): only meters that reported in the
    # baseline year count on both sides; a meter added after the investment has no "before" to save on.
    boundary = await repository.meters_reporting(
        session,
        building=row.building,
        start=midnight(row.start_date - timedelta(days=365)),
        end=midnight(row.start_date),
    )
    flt = MeterFilter(building=row.building, meter_ids=boundary or ["-"])
    left_out = sorted(
        set(
            await repository.meters_reporting(
                session, building=row.building, start=midnight(row.start_date), end=midnight(as_of)
            )
        )
        - set(boundary)
    )

    costs: dict[tuple[date, date], Decimal] = {}

    async def cost(first: date, after: date) -> Decimal:
        """The yuan of the boundary over ``[first, after)``, priced once per window (the first calendar year's
        window is often the whole time since the start)."""
        if (first, after) not in costs:
            total = await tariff_service.total_cost(
                session, settings=settings, flt=flt, start=midnight(first), end=midnight(after)
            )
            costs[(first, after)] = total.total_cost
        return costs[(first, after)]

    baseline_first = row.start_date - timedelta(days=365)
    baseline = await cost(baseline_first, row.start_date)
    actual = await cost(row.start_date, as_of)
    result = ind.payback(
        cost=row.cost_cny,
        start=row.start_date,
        as_of=as_of,
        baseline_cost=baseline,
        baseline_days=365,
        actual_cost=actual,
    )
    years = []
    for year in range(row.start_date.year, as_of.year + 1):
        first, after = max(date(year, 1, 1), row.start_date), min(date(year + 1, 1, 1), as_of)
        if after <= first:
            continue
        now_cost = await cost(first, after)
        before = await cost(_same_day_year_earlier(first), _same_day_year_earlier(after))
        years.append(
            YearSaving(year=year, cost_cny=yuan(now_cost), previous_cny=yuan(before), saved_cny=yuan(before - now_cost))
        )
    return PaybackRead(
        investment=InvestmentRead.model_validate(row),
        as_of=as_of,
        baseline_cny=yuan(result.baseline_cost_cny),
        expected_cny=yuan(result.expected_cost_cny),
        actual_cny=yuan(result.actual_cost_cny),
        saved_cny=yuan(result.saved_cny),
        annual_saving_cny=yuan(result.annual_saving_cny) if result.annual_saving_cny is not None else None,
        payback_years=ind.rounded(result.payback_years, 2) if result.payback_years is not None else None,
        paid_back=result.paid_back,
        paid_back_on=result.paid_back_on,
        years=years,
        boundary_meters=sorted(boundary),
        meters_left_out=left_out,
    )
