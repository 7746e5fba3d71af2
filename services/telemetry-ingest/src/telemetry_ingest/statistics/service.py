"""The yearly public-institution energy statistics, the XLSX report, and the payback of investments."""

from __future__ import annotations

import io
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from houqin_common.errors import NotFound, UnprocessableEntity
from houqin_common.i18n import _
from telemetry_ingest.energy.config import AnalyticsSettings
from telemetry_ingest.energy.repository import MeterFilter
from telemetry_ingest.models.accounting import BuildingArea, EnergyGoal, Headcount, Investment
from telemetry_ingest.statistics import indicators as ind
from telemetry_ingest.statistics import repository
from telemetry_ingest.statistics.config import AccountingSettings
from telemetry_ingest.statistics.schemas import (
    AreaIn,
    AreaRead,
    Coefficients,
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
from telemetry_ingest.tariffs import service as tariff_service
from telemetry_ingest.tariffs.arithmetic import yuan


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


async def _year_inputs(
    session: AsyncSession, *, settings: AnalyticsSettings, year: int
) -> tuple[ind.YearInputs, Decimal]:
    start, end = year_window(year, ZoneInfo(settings.timezone))
    priced = await tariff_service.price(
        session, settings=settings, flt=MeterFilter(), start=start, end=end, group_by="energy_type"
    )
    consumption = {g: c.total_quantity for (g, _b), c in priced.buckets.items()}
    return (
        ind.YearInputs(
            consumption=consumption,
            cost_cny=priced.total.total_cost,
            headcount=await repository.headcount(session, year),
            floor_area_m2=await repository.total_area(session, on=date(year, 12, 31)),
        ),
        priced.total.unpriced,
    )


def _shown(code: str, value: Decimal | None) -> Decimal | None:
    return None if value is None else ind.rounded(value, ind.INDICATORS[code][2])


async def statistics(
    session: AsyncSession, *, settings: AnalyticsSettings, cfg: AccountingSettings, year: int
) -> StatisticsRead:
    """Every indicator of ``year`` beside the previous year, with the change and the goal verdict. Values
    are computed at full precision and rounded once: kgce and m³ to 0.001, CNY to the fen, tCO2 to the gram."""
    cur, unpriced = await _year_inputs(session, settings=settings, year=year)
    prev, _unpriced = await _year_inputs(session, settings=settings, year=year - 1)
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
                unit=unit,
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
        coefficients=Coefficients(**cfg.model_dump(include=set(Coefficients.model_fields))),
    )


#: indicator code -> the name of the yearly statistics form (公共机构能源资源消耗统计); the workbook is that
#: Chinese statutory form, so its headings stay Chinese whatever the reader's language
FORM_NAMES = {
    "comprehensive_energy_kgce": "综合能耗",
    "energy_per_capita_kgce": "人均综合能耗",
    "energy_per_m2_kgce": "单位建筑面积能耗",
    "water_per_capita_m3": "人均用水量",
    "electricity_kwh": "电力消费量",
    "water_m3": "水消费量",
    "gas_m3": "天然气消费量",
    "heat_gj": "热力消费量",
    "cost_cny": "能源资源费用",
    "carbon_tco2": "二氧化碳排放量",
}
FORM_UNITS = {
    "kgce": "千克标准煤",
    "kgce/person": "千克标准煤/人",
    "kgce/m²": "千克标准煤/平方米",
    "m³/person": "立方米/人",
    "kWh": "千瓦时",
    "m³": "立方米",
    "GJ": "吉焦",
    "CNY": "元",
    "tCO2": "吨二氧化碳",
}
FORM_COLUMNS = ("指标名称", "计量单位", "本年", "上年", "增减量", "增减率(%)", "目标", "是否达标")


def workbook(report: StatisticsRead) -> bytes:
    """The statistics as the yearly form: title, basic data (headcount, floor area), one row per indicator
    with this year, last year, change and goal, then the coefficients used."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = f"{report.year}年"
    sheet.append([f"公共机构能源资源消耗统计表（{report.year}年度）"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    sheet.append(["基本情况", "计量单位", "本年", "上年"])
    sheet.append(["用能人数", "人", report.headcount, report.previous_headcount])
    sheet.append(["建筑面积", "平方米", _num(report.floor_area_m2), _num(report.previous_floor_area_m2)])
    sheet.append([])
    sheet.append(list(FORM_COLUMNS))
    header_row = sheet.max_row
    for r in report.indicators:
        goal = ""
        if r.goal is not None:
            parts = []
            if r.goal.max_value is not None:
                parts.append(f"≤ {r.goal.max_value.normalize():f}")
            if r.goal.min_reduction is not None:
                parts.append(f"下降 ≥ {(r.goal.min_reduction * 100).normalize():f}%")
            goal = "；".join(parts)
        met = {True: "达标", False: "未达标", None: ""}[r.goal_met]
        ratio = _num(r.change_ratio * 100) if r.change_ratio is not None else None
        sheet.append(
            [
                FORM_NAMES[r.code],
                FORM_UNITS.get(r.unit, r.unit),
                _num(r.value),
                _num(r.previous),
                _num(r.change),
                ratio,
                goal,
                met,
            ]
        )
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    c = report.coefficients
    sheet.append([])
    sheet.append(["折标系数及排放因子"])
    sheet.append(["电力（当量值）", "kgce/kWh", _num(c.kgce_per_kwh_electricity), "GB/T 2589-2020"])
    sheet.append(["天然气", "kgce/m³", _num(c.kgce_per_m3_gas), "GB/T 2589-2020"])
    sheet.append(["热力", "kgce/GJ", _num(c.kgce_per_gj_heat), "GB/T 2589-2020"])
    sheet.append(["水", "kgce/m³", _num(c.kgce_per_m3_water) if c.kgce_per_m3_water is not None else "不折标", ""])
    sheet.append(
        [
            "电网排放因子",
            "tCO2/MWh",
            _num(c.grid_emission_factor_t_per_mwh),
            f"{c.grid_emission_factor_source}（{c.grid_emission_factor_year}年发布）",
        ]
    )
    sheet.append(["天然气排放因子", "kgCO2/m³", _num(c.co2_kg_per_m3_gas), ""])
    sheet.append(["热力排放因子", "tCO2/GJ", _num(c.co2_t_per_gj_heat), ""])
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
    flt = MeterFilter(building=row.building)

    def midnight(d: date) -> datetime:
        return datetime.combine(d, time(0), tz)

    async def cost(first: date, after: date) -> Decimal:
        total = await tariff_service.total_cost(
            session, settings=settings, flt=flt, start=midnight(first), end=midnight(after)
        )
        return total.total_cost

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
    )
