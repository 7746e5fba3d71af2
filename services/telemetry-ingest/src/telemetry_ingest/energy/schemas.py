"""Request and response bodies of the energy analytics routes."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator
from typing_extensions import TypedDict

from houqin_common.schemas import EnergyCarrier, EnergyScope, InputModel

#: how every energy bucket is answered (consumption rows and series, and their cost rows)
BUCKET_DESCRIPTION = (
    "start of the bucket in the office's calendar (setting `timezone`, Asia/Shanghai): a day bucket starts at "
    "local midnight, a month bucket at local midnight of the 1st, written as the local wall clock with its UTC "
    "offset (October: `2026-10-01T00:00:00+08:00`, never `2026-09-30T16:00:00Z`); an interval counts in the "
    "bucket where it starts"
)


class Granularity(StrEnum):
    quarter_hour = "15min"
    hour = "hour"
    day = "day"
    month = "month"


class GroupBy(StrEnum):
    total = "total"
    meter = "meter"
    zone = "zone"
    building = "building"
    sub_item = "sub_item"
    energy_type = "energy_type"
    vendor = "vendor"


# A plain dict, not a model: an hourly month of 40 meters is 28 800 rows, and as model instances they cost
# several times more to build, each is walked by the garbage collector, and the service builds them from
# series it has validated already (energy.service.consumption). The JSON and its schema are a model's.
# (No docstring: it would become the schema's description.)
class ConsumptionRow(TypedDict):
    group: Annotated[
        str, Field(description="value of the grouping dimension (meter id, zone, building, sub-item code...)")
    ]
    bucket: Annotated[datetime, Field(description=BUCKET_DESCRIPTION)]
    kwh: Annotated[float, Field(description="consumption in the bucket, multiplier applied")]
    intervals: Annotated[int, Field(description="register intervals summed")]


class ConsumptionRead(BaseModel):
    start: datetime = Field(description="window start (inclusive)")
    end: datetime = Field(description="window end (exclusive)")
    granularity: Granularity
    group_by: GroupBy
    total_kwh: float = Field(description="sum of every row")
    rows: list[ConsumptionRow] = Field(description="one row per group and bucket")


class Layout(StrEnum):
    """How a consumption answer is laid out: a row per group and bucket, or one series per group."""

    rows = "rows"
    series = "series"


class ConsumptionSeries(BaseModel):
    group: str = Field(description="value of the grouping dimension")
    buckets: list[datetime] = Field(description="the buckets with data, ascending, each the " + BUCKET_DESCRIPTION)
    kwh: list[float] = Field(description="consumption per bucket (same positions as buckets)")
    intervals: list[int] = Field(description="register intervals summed per bucket")


class ConsumptionSeriesRead(BaseModel):
    """The rows of :class:`ConsumptionRead` as one series per group (the same buckets and values): a chart
    of 40 meters x 720 hours is 40 objects instead of 28 800, which is what makes it answer quickly."""

    start: datetime = Field(description="window start (inclusive)")
    end: datetime = Field(description="window end (exclusive)")
    granularity: Granularity
    group_by: GroupBy
    total_kwh: float = Field(description="sum of every series")
    series: list[ConsumptionSeries] = Field(description="one series per group, ordered by group")


class ComparisonRow(BaseModel):
    group: str = Field(description="value of the grouping dimension")
    current_kwh: float = Field(description="consumption in the window")
    previous_kwh: float = Field(description="consumption in the same window one year earlier")
    change_ratio: float | None = Field(description="(current - previous) / previous; -0.12 means 12 % less")


class YearOnYearRead(BaseModel):
    start: datetime = Field(description="window start")
    end: datetime = Field(description="window end")
    rows: list[ComparisonRow] = Field(description="one row per group")
    current_kwh: float = Field(description="total of the window (registers' units: kWh, or m³ for water/gas)")
    previous_kwh: float = Field(description="total of the same window a year before")
    saving_ratio: float | None = Field(description="(previous - current) / previous of the totals")
    scope: EnergyScope | None = Field(
        default=None, description="meters and meter-days of each window, and those compared (reported in both)"
    )
    carriers: list[EnergyCarrier] = Field(
        default_factory=list, description="like for like per carrier, in its own unit (never added to another)"
    )
    compared_kgce: float | None = Field(default=None, description="compared meter-days of the window, kgce")
    compared_previous_kgce: float | None = Field(default=None, description="the same meter-days a year before, kgce")
    compared_saving_ratio: float | None = Field(
        default=None, description="like for like: (compared previous - compared) / compared previous, kgce"
    )


class SavingsRead(BaseModel):
    baseline_start: date = Field(description="first day of the baseline period")
    baseline_end: date = Field(description="day after the baseline period")
    start: date = Field(description="first day of the reporting period")
    end: date = Field(description="day after the reporting period")
    normalised: bool = Field(description="whether the expected consumption is weather-normalised")
    actual_kwh: float = Field(description="consumption in the reporting period")
    expected_kwh: float = Field(description="baseline consumption adjusted to the reporting period")
    saving_kwh: float = Field(description="expected - actual")
    saving_ratio: float | None = Field(description="(expected - actual) / expected")
    intercept_kwh_per_day: float | None = Field(default=None, description="regression: base load per day")
    kwh_per_hdd: float | None = Field(default=None, description="regression: kWh per heating degree day")
    kwh_per_cdd: float | None = Field(default=None, description="regression: kWh per cooling degree day")
    r2: float | None = Field(default=None, description="regression: coefficient of determination")
    cv_rmse: float | None = Field(default=None, description="regression: CV(RMSE) of daily consumption")
    days_used: int = Field(description="baseline days with consumption (and temperature) data")
    meters: list[str] = Field(
        default_factory=list,
        description="the meters compared: those of the filter that reported in both periods (like for like)",
    )
    meters_left_out: list[str] = Field(
        default_factory=list, description="meters of the filter that reported in one period only: not counted"
    )


class CategoryLoad(BaseModel):
    kwh: float = Field(description="consumption")
    hours: float = Field(description="hours covered by readings")
    avg_kw: float | None = Field(description="average power kWh/h")
    share_of_working: float | None = Field(default=None, description="avg_kw / working-hours avg_kw")


class BaseLoadRow(BaseModel):
    meter_id: str = Field(description="meter")
    meter_name: str | None = Field(default=None, description="the meter's name")
    building: str | None = Field(default=None, description="the meter's building")
    working: CategoryLoad
    night: CategoryLoad
    weekend: CategoryLoad
    holiday: CategoryLoad


class BaseLoadRead(BaseModel):
    start: datetime = Field(description="window start")
    end: datetime = Field(description="window end")
    rows: list[BaseLoadRow] = Field(description="per meter")


class WasteEvaluation(BaseModel):
    meters: int = Field(description="meters evaluated")
    waste_findings: int = Field(description="meter/day/category loads above the meter's own expected profile")
    alerts_created: int = Field(description="new alerts (already raised ones are not repeated)")


class TopRow(BaseModel):
    group: str = Field(description="value of the grouping dimension")
    kwh: float = Field(description="consumption")
    share: float = Field(description="share of the total of the listed scope")


class TemperatureSample(InputModel):
    ts: AwareDatetime = Field(description="observation time with offset")
    temp_c: float = Field(ge=-80, le=70, description="outdoor air temperature, °C")


class TemperatureUpload(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "station": "58343",
                    "samples": [
                        {"ts": "2026-11-27T08:00:00+08:00", "temp_c": 6.4},
                        {"ts": "2026-11-27T09:00:00+08:00", "temp_c": 8.1},
                    ],
                }
            ]
        }
    )

    station: str | None = Field(default=None, max_length=64, description="weather station (default from settings)")
    samples: list[TemperatureSample] = Field(min_length=1, max_length=200_000, description="observations")

    @field_validator("station")
    @classmethod
    def _strip(cls, v: str | None) -> str | None:
        return v.strip() or None if v is not None else None


class TemperatureUploadResult(BaseModel):
    station: str = Field(description="station written")
    stored: int = Field(description="samples inserted or updated")


class RollupRefresh(BaseModel):
    meter_days: int = Field(description="(meter, local day) pairs recomputed from the pending touched ranges")
    rows: int = Field(description="meter-hours written")
