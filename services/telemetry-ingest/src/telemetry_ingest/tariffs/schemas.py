"""Request and response bodies of the tariffs and of the cost views of the energy routes."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer, WithJsonSchema, model_validator

from houqin_common.i18n import _
from houqin_common.schemas import EnergyScope, InputModel
from telemetry_ingest.energy.schemas import BUCKET_DESCRIPTION
from telemetry_ingest.tariffs.arithmetic import Period, Scope


class Measure(StrEnum):
    """What an energy query answers in: consumption in meter units, or its cost in CNY under the tariffs."""

    energy = "energy"
    cost = "cost"


#: a local time of day as the price notices print it; JSON Schema's `format: time` is RFC 3339's full-time,
#: which requires an offset that a window in the office's local day does not have
LOCAL_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"


def _local_time(value: time) -> time:
    if value.tzinfo is not None or value.microsecond:
        raise ValueError(_("a window time is a local time of day, HH:MM or HH:MM:SS, with no offset"))
    return value


def _local_time_text(value: time) -> str:
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


LocalTime = Annotated[
    time,
    AfterValidator(_local_time),
    PlainSerializer(_local_time_text, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "pattern": LOCAL_TIME_PATTERN, "examples": ["08:00", "22:30"]}),
]


class TariffWindow(InputModel):
    start: LocalTime = Field(description="local start time of the window, inclusive")
    end: LocalTime = Field(description="local end time, exclusive; 00:00 means midnight (may wrap over midnight)")
    period: Period = Field(description="price period of the window: critical, peak, flat or valley")
    months: list[int] | None = Field(
        default=None,
        description="only in these months (1-12), e.g. critical peak in July and August; such a "
        "window takes precedence over the all-year windows",
    )

    @model_validator(mode="after")
    def _check(self) -> TariffWindow:
        if self.period is Period.single:
            raise ValueError(_("a time-of-use window cannot have the period single"))
        if self.start == self.end:
            raise ValueError(_("a window must not be empty"))
        if self.months is not None and (not self.months or any(not 1 <= m <= 12 for m in self.months)):
            raise ValueError(_("months must be 1 to 12"))
        return self


class TariffIn(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "一般工商业分时电价（2026年）",
                    "energy_type": "01000",
                    "scope": "all",
                    "effective_from": "2026-01-01",
                    "unit": "kWh",
                    "prices": {"critical": "1.2836", "peak": "1.0697", "flat": "0.6685", "valley": "0.2674"},
                    "windows": [
                        {"start": "00:00", "end": "08:00", "period": "valley"},
                        {"start": "08:00", "end": "11:00", "period": "peak"},
                        {"start": "17:00", "end": "22:00", "period": "peak"},
                        {"start": "14:00", "end": "15:00", "period": "critical", "months": [7, 8]},
                    ],
                    "note": "市发改委电价通知",
                },
                {
                    "name": "非居民用水",
                    "energy_type": "02000",
                    "scope": "building",
                    "scope_id": "A座",
                    "effective_from": "2026-01-01",
                    "unit": "m³",
                    "prices": {"single": "4.90"},
                },
            ]
        }
    )

    name: str = Field(min_length=1, max_length=200, description="name, e.g. the price notice it comes from")
    energy_type: str = Field(pattern=r"^0[1-5]000$", description="energy type code (01000 electricity, 02000 water…)")
    scope: Scope = Field(default=Scope.all, description="all buildings, one building or one meter")
    scope_id: str | None = Field(default=None, max_length=100, description="the building or meter id of the scope")
    effective_from: date = Field(description="first day (local) this version is in force; a later version replaces it")
    unit: str = Field(default="kWh", max_length=16, description="unit priced: kWh, m³, GJ (the meter's unit)")
    prices: dict[Period, Decimal] = Field(
        description="CNY per unit by period: `single` for a flat rate, otherwise `flat` and the periods the windows use"
    )
    windows: list[TariffWindow] = Field(default=[], description="time-of-use windows; empty for a flat rate")
    example: bool = Field(default=False, description="an example value, not the office's own tariff")
    note: str | None = Field(default=None, max_length=2000, description="source of the prices")

    @model_validator(mode="after")
    def _check(self) -> TariffIn:
        if (self.scope is Scope.all) != (self.scope_id is None):
            raise ValueError(_("scope_id is required for a building or meter scope and forbidden for all"))
        if any(p < 0 for p in self.prices.values()):
            raise ValueError(_("prices must not be negative"))
        if not self.windows:
            if set(self.prices) != {Period.single}:
                raise ValueError(_("a tariff without windows has exactly one price, single"))
        else:
            needed = {w.period for w in self.windows} | {Period.flat}
            missing = sorted(p.value for p in needed - set(self.prices))
            if missing:
                raise ValueError(_("prices missing for the periods {periods}", periods=", ".join(missing)))
            if Period.single in self.prices:
                raise ValueError(_("a time-of-use tariff has no single price"))
        return self


class TariffCreate(TariffIn):
    id: str = Field(min_length=1, max_length=64, description="identifier of this tariff version")


class TariffRead(TariffCreate):
    model_config = ConfigDict(from_attributes=True)

    created_at: datetime | None = Field(default=None, description="when it was entered")


class TariffImportResult(BaseModel):
    created: int = Field(description="tariff versions created")
    updated: int = Field(description="tariff versions replaced (same id)")
    ids: list[str] = Field(description="ids of the imported versions")


class PeriodCost(BaseModel):
    period: Period = Field(description="price period")
    quantity: float = Field(description="consumption in the period, meter units")
    cost_cny: Decimal = Field(description="cost in the period, CNY rounded to the fen")


class CostRow(BaseModel):
    group: str = Field(description="value of the group_by dimension")
    bucket: datetime = Field(description=BUCKET_DESCRIPTION)
    cost_cny: Decimal = Field(description="cost, CNY rounded to the fen")
    quantity: float = Field(description="consumption, meter units")


class CostConsumptionRead(BaseModel):
    measure: Measure = Field(default=Measure.cost, description="always `cost`")
    start: datetime
    end: datetime
    granularity: str = Field(description="bucket size")
    group_by: str = Field(description="dimension of the rows")
    total_cost_cny: Decimal = Field(description="cost of the window, CNY")
    unpriced_quantity: float = Field(description="consumption no tariff version covered (not in the cost)")
    periods: list[PeriodCost] = Field(description="the window's cost per time-of-use period")
    rows: list[CostRow]


class CostComparisonRow(BaseModel):
    group: str
    current_cny: Decimal = Field(description="cost of the window, CNY")
    previous_cny: Decimal = Field(description="cost of the same window one year earlier, CNY")
    saved_cny: Decimal = Field(description="previous - current, CNY")
    change_ratio: float | None = Field(description="(current - previous) / previous")


class CostYearOnYearRead(BaseModel):
    measure: Measure = Field(default=Measure.cost, description="always `cost`")
    start: datetime
    end: datetime
    rows: list[CostComparisonRow]
    current_cny: Decimal
    previous_cny: Decimal
    saved_cny: Decimal = Field(description="yuan saved against the same window last year (every meter: the totals)")
    saving_ratio: float | None
    scope: EnergyScope | None = Field(
        default=None,
        description="like for like: meters and meter-days of each window and those compared (reported in both), "
        "the same meter-days as the kWh comparison",
    )
    compared_cny: Decimal | None = Field(default=None, description="cost of the compared meter-days, CNY")
    compared_previous_cny: Decimal | None = Field(
        default=None, description="cost of the same meter-days a year earlier, CNY"
    )
    compared_saved_cny: Decimal | None = Field(default=None, description="compared previous - compared, CNY")
    compared_saving_ratio: float | None = Field(
        default=None, description="like for like: (compared previous - compared) / compared previous"
    )


class CostSavingsRead(BaseModel):
    measure: Measure = Field(default=Measure.cost, description="always `cost`")
    baseline_start: date
    baseline_end: date
    start: date
    end: date
    baseline_cny: Decimal = Field(description="cost of the baseline period, CNY")
    expected_cny: Decimal = Field(description="baseline daily cost × reporting days")
    actual_cny: Decimal = Field(description="cost of the reporting period")
    saved_cny: Decimal = Field(description="expected - actual: yuan saved against the baseline")
    saving_ratio: float | None
    meters: list[str] = Field(
        default=[],
        description="the meters priced: those of the filter that reported in both periods (like for like, as the "
        "kWh savings)",
    )
    meters_left_out: list[str] = Field(default=[], description="meters that reported in one period only")


class CostTopRow(BaseModel):
    group: str
    cost_cny: Decimal
    share: float = Field(description="share of the scope's total cost")


def tariff_from_row(row: Any) -> dict[str, Any]:
    """The API shape of a stored tariff (scope_id '' is None)."""
    return {
        "id": row.id,
        "name": row.name,
        "energy_type": row.energy_type,
        "scope": row.scope,
        "scope_id": row.scope_id or None,
        "effective_from": row.effective_from,
        "unit": row.unit,
        "prices": {k: Decimal(v) for k, v in row.prices.items()},
        "windows": row.windows,
        "example": row.example,
        "note": row.note,
        "created_at": row.created_at,
    }
