"""Request and response bodies of the energy statistics routes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from houqin_common.i18n import _
from houqin_common.schemas import EnergyScope, InputModel
from telemetry_ingest.statistics.indicators import INDICATORS


class AreaIn(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"floor_area_m2": "32000.00", "note": "2026年房产普查"}]})

    floor_area_m2: Decimal = Field(gt=0, max_digits=14, decimal_places=2, description="building floor area, m²")
    note: str | None = Field(default=None, max_length=2000, description="e.g. the survey it comes from")


class AreaRead(AreaIn):
    model_config = ConfigDict(from_attributes=True)

    building: str = Field(description="building (as on the meters)")
    valid_from: date = Field(description="first day the area applies; earlier rows are the history")
    recorded_at: datetime | None = None


class HeadcountIn(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"headcount": 1200, "note": "机关在编及常驻人员"}]})

    headcount: int = Field(gt=0, description="energy-using headcount (用能人数) of the year")
    note: str | None = Field(default=None, max_length=2000)


class HeadcountRead(HeadcountIn):
    model_config = ConfigDict(from_attributes=True)

    year: int
    recorded_at: datetime | None = None


class GoalIn(InputModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"min_reduction": "0.02", "note": "“十四五”人均综合能耗年度下降目标"}]}
    )

    max_value: Decimal | None = Field(default=None, description="ceiling of the indicator for the year")
    min_reduction: Decimal | None = Field(
        default=None, ge=0, le=1, description="least fall against the previous year (0.02 = 2 %)"
    )
    note: str | None = Field(default=None, max_length=2000, description="e.g. the five-year plan target")

    @model_validator(mode="after")
    def _some_target(self) -> GoalIn:
        if self.max_value is None and self.min_reduction is None:
            raise ValueError(_("a goal needs max_value or min_reduction"))
        return self


class GoalRead(GoalIn):
    model_config = ConfigDict(from_attributes=True)

    indicator: str = Field(description=f"indicator code: {', '.join(INDICATORS)}")
    year: int


class IndicatorRead(BaseModel):
    code: str = Field(description="indicator code")
    label: str = Field(description="indicator name in the reader's language")
    unit: str = Field(description="unit in the reader's language (e.g. 千克标准煤/人)")
    unit_code: str = Field(description="unit symbol, e.g. `kgce/person`")
    value: Decimal | None = Field(description="the year's value (None when a denominator is missing)")
    previous: Decimal | None = Field(description="the previous year's value")
    change: Decimal | None = Field(description="value - previous")
    change_ratio: Decimal | None = Field(description="(value - previous) / previous, rounded to 0.0001")
    goal: GoalIn | None = Field(default=None, description="the goal of the year, if one is set")
    goal_met: bool | None = Field(default=None, description="whether the goal is met (None: no goal or no data)")


class Coefficients(BaseModel):
    kgce_per_kwh_electricity: Decimal
    kgce_per_m3_gas: Decimal
    kgce_per_gj_heat: Decimal
    kgce_per_m3_water: Decimal | None
    grid_emission_factor_t_per_mwh: Decimal
    grid_emission_factor_year: int
    grid_emission_factor_source: str
    co2_kg_per_m3_gas: Decimal
    co2_t_per_gj_heat: Decimal


class ComparedYear(BaseModel):
    """The year against the previous one like for like: only the meter-days that reported in both."""

    kgce: Decimal = Field(description="comprehensive energy of the compared meter-days, kgce")
    previous_kgce: Decimal = Field(description="the same meter-days a year earlier, kgce")
    saving_ratio: float | None = Field(description="(previous - this year) / previous, kgce")
    cost_cny: Decimal = Field(description="cost of the compared meter-days")
    previous_cost_cny: Decimal = Field(description="cost of the same meter-days a year earlier")
    cost_saving_ratio: float | None = Field(description="(previous - this year) / previous, CNY")


class StatisticsRead(BaseModel):
    year: int
    headcount: int | None = Field(description="energy-using headcount of the year")
    previous_headcount: int | None
    floor_area_m2: Decimal | None = Field(description="building floor area on 31 December")
    previous_floor_area_m2: Decimal | None
    indicators: list[IndicatorRead]
    unpriced_quantity: float = Field(description="consumption of the year no tariff priced (missing from the cost)")
    scope: EnergyScope | None = Field(
        default=None, description="meters and meter-days of each year (the indicators count every one of them)"
    )
    compared: ComparedYear | None = Field(
        default=None, description="like for like: the meter-days that reported in both years"
    )
    coefficients: Coefficients = Field(description="the conversion coefficients used")


class InvestmentIn(InputModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "能耗监测系统", "cost_cny": "800000.00", "start_date": "2026-01-01"}]}
    )

    name: str = Field(min_length=1, max_length=200, description="e.g. the energy monitoring system")
    cost_cny: Decimal = Field(ge=0, max_digits=14, decimal_places=2, description="investment, CNY")
    start_date: date = Field(description="day it went into service; the 365 days before are the baseline")
    building: str | None = Field(default=None, max_length=100, description="only this building's meters; default all")
    note: str | None = Field(default=None, max_length=2000)


class InvestmentRead(InvestmentIn):
    model_config = ConfigDict(from_attributes=True)

    id: str


class YearSaving(BaseModel):
    year: int
    cost_cny: Decimal = Field(description="cost of the year (to as_of for the current year)")
    previous_cny: Decimal = Field(description="cost of the same days one year earlier")
    saved_cny: Decimal = Field(description="previous - cost: yuan saved year on year")


class PaybackRead(BaseModel):
    investment: InvestmentRead
    as_of: date
    baseline_cny: Decimal = Field(description="cost of the 365 days before the start")
    expected_cny: Decimal = Field(description="baseline daily cost × days since the start")
    actual_cny: Decimal = Field(description="cost since the start")
    saved_cny: Decimal = Field(description="expected - actual: yuan saved against the baseline")
    annual_saving_cny: Decimal | None = Field(description="saved per 365 days so far")
    payback_years: Decimal | None = Field(description="cost / annual saving (None while nothing is saved)")
    paid_back: bool = Field(description="the savings so far cover the cost")
    paid_back_on: date | None = Field(description="day the savings reach the cost at the rate so far")
    years: list[YearSaving] = Field(description="yuan saved year on year since the start")
    boundary_meters: list[str] = Field(
        default_factory=list,
        description="the measurement boundary (IPMVP): meters of the investment's building (or all) that reported "
        "in the baseline year; every figure of the answer counts these meters only",
    )
    meters_left_out: list[str] = Field(
        default_factory=list,
        description="meters of the scope that reported since the start but not in the baseline year (a meter added "
        "later has no 'before' to save on): not counted, so the yearly costs are below the statistics' by theirs",
    )
