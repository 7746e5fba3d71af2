"""Pydantic models that cross service boundaries: one definition each.

Services import these for the payloads they publish to or read from each other; their own
internal request/response schemas stay in their domain folders.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from houqin_common.i18n import _

T = TypeVar("T")

PERIOD_RE = re.compile(r"^(?P<year>\d{4})(?:(?P<half>H[12])|(?P<quarter>Q[1-4])|-(?P<month>0[1-9]|1[0-2]))?$")


def request_examples(owner: str, *examples: dict[str, Any]) -> Callable[[dict[str, Any], type[Any]], None]:
    """A ``json_schema_extra`` that gives the request model named ``owner`` these OpenAPI ``examples``.

    Response models that inherit the request model's config (``FooRead(FooCreate)``) do not get them.
    """

    def extra(schema: dict[str, Any], model: type[Any]) -> None:
        if model.__name__ == owner:
            schema["examples"] = list(examples)

    return extra


def _check_period(value: str) -> str:
    if not PERIOD_RE.match(value):
        raise ValueError(_("period must look like 2026, 2026H1, 2026Q3 or 2026-07"))
    return value


Period = Annotated[
    str,
    AfterValidator(_check_period),
    Field(description="appraisal period: a year `2026`, a half `2026H1`, a quarter `2026Q3` or a month `2026-07`"),
]


def period_bounds(period: str) -> tuple[date, date]:
    """First day and the day after the last day of ``period`` (half-open interval)."""
    m = PERIOD_RE.match(period)
    if not m:
        raise ValueError(_("invalid period {period}", period=repr(period)))
    year = int(m["year"])
    if m["half"]:
        start_month, months = (1, 6) if m["half"] == "H1" else (7, 6)
    elif m["quarter"]:
        start_month, months = 3 * (int(m["quarter"][1]) - 1) + 1, 3
    elif m["month"]:
        start_month, months = int(m["month"]), 1
    else:
        start_month, months = 1, 12
    end_month = start_month + months
    end = date(year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1)
    return date(year, start_month, 1), end


class Page(BaseModel, Generic[T]):
    """Pagination envelope of every list endpoint."""

    items: list[T] = Field(description="the records of this page")
    total: int = Field(ge=0, description="number of records matching the filters")
    limit: int = Field(ge=1, description="page size asked for")
    offset: int = Field(ge=0, description="records skipped before this page")


class VendorRef(BaseModel):
    """A vendor as other services see it."""

    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="vendor id")
    name: str = Field(description="registered name")
    credit_code: str = Field(description="18-character unified social credit code (统一社会信用代码)")


class Eligibility(BaseModel):
    """Whether a vendor may be awarded, renewed or signed, and why not (one-vote veto 一票否决)."""

    vendor_id: str = Field(description="vendor id")
    eligible: bool = Field(description="true when nothing excludes the vendor")
    reasons: list[str] = Field(default_factory=list, description="each ground that excludes the vendor")


class ContractRef(BaseModel):
    """A contract as other services see it."""

    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="contract id")
    vendor_id: str = Field(description="vendor under contract")
    project_code: str = Field(description="service project code, e.g. `catering`")
    status: str = Field(description="lifecycle status")
    start_date: date | None = Field(default=None, description="first day of the contract period")
    end_date: date | None = Field(default=None, description="last day of the contract period")
    value: Decimal | None = Field(default=None, description="contract value in CNY")


class ScoreComponent(BaseModel):
    """One weighted part of a vendor score."""

    name: str = Field(description="component, e.g. `satisfaction`, `inspections`, `energy`")
    score: float | None = Field(description="0-100, or null when its source was unavailable")
    weight: float = Field(ge=0, description="weight in the scheme")
    available: bool = Field(default=True, description="false when the source could not be read")
    note: str | None = Field(default=None, description="how the component was obtained")


class ProjectRef(BaseModel):
    """A service project (后勤项目) as other services see it."""

    model_config = ConfigDict(from_attributes=True)

    code: str = Field(description="project code, e.g. `catering`")
    name: str = Field(description="English name")
    name_zh: str = Field(description="Chinese name (the label users read)")
    service_type: str = Field(description="`support`, `commercial`, `public_benefit` or `extended`")
    category: str | None = Field(default=None, description="procurement category")


class ProjectLabel(BaseModel):
    """A project named next to its code."""

    code: str = Field(description="project code")
    name_zh: str | None = Field(default=None, description="Chinese name from contracts-api; null when unknown")


class VendorScore(BaseModel):
    """A vendor's appraisal for a period: what contracts-api reads to decide a renewal route."""

    vendor_id: str = Field(description="vendor id")
    vendor_name: str | None = Field(
        default=None, description="registered name from contracts-api; null when contracts-api could not be read"
    )
    projects: list[ProjectLabel] = Field(default_factory=list, description="projects the vendor ran in the period")
    scheme: str | None = Field(
        default=None, description="scoring scheme (service type of its projects, held by contracts-api)"
    )
    period: Period
    total: float | None = Field(description="weighted total 0-100; null when nothing could be scored")
    satisfaction: float | None = Field(default=None, description="satisfaction survey score 0-100")
    quality: float | None = Field(default=None, description="service quality (inspections) score 0-100")
    complete: bool = Field(description="false when a source was unavailable; the total is then provisional")
    missing: list[str] = Field(default_factory=list, description="components whose source was unavailable")
    rank: int | None = Field(default=None, ge=1, description="rank among vendors for the period")
    components: list[ScoreComponent] = Field(default_factory=list, description="the breakdown")


class EnergyKpi(BaseModel):
    """Energy indicators of the meters a vendor is responsible for, over a period."""

    vendor_id: str = Field(description="responsible vendor")
    period: Period
    meters: int = Field(ge=0, description="meters counted")
    consumption_kwh: float = Field(description="consumption in the period")
    previous_kwh: float | None = Field(default=None, description="same period of the previous year")
    saving_ratio: float | None = Field(
        default=None, description="(previous - current) / previous; 0.12 means 12 % saved"
    )
    waste_alerts: int = Field(default=0, ge=0, description="off-hours waste alerts raised")
    coverage: float = Field(default=1.0, ge=0, le=1, description="share of expected readings present")
    cost_cny: Decimal | None = Field(default=None, description="cost in the period under the tariffs (measure=cost)")
    previous_cost_cny: Decimal | None = Field(default=None, description="cost of the same period last year")
    cost_saving_ratio: float | None = Field(
        default=None, description="(previous cost - cost) / previous cost (measure=cost)"
    )


class VehicleKpi(BaseModel):
    """Official-vehicle indicators for a vendor or department over a period."""

    vendor_id: str | None = Field(default=None, description="responsible vendor, if any")
    department: str | None = Field(default=None, description="department, if grouped by it")
    period: Period
    vehicles: int = Field(ge=0, description="vehicles counted")
    distance_km: float = Field(ge=0, description="distance driven")
    trips: int = Field(ge=0, description="trips driven")
    violations: int = Field(ge=0, description="alerts: off-hours, unrequested use, geofence, overspeed")
    compliance_ratio: float | None = Field(default=None, ge=0, le=1, description="share of trips with no violation")


def _finite(value: float | None) -> float | None:
    if value is not None and not math.isfinite(value):
        raise ValueError(_("must be a finite number"))
    return value


class ReadingPayload(BaseModel):
    """One energy-meter reading as published on `houqin/v1/meters/{meter_id}/readings`."""

    model_config = ConfigDict(extra="allow")

    meter_id: str | None = Field(default=None, description="must equal the topic's meter id when given")
    ts: datetime = Field(description="device time, ISO 8601 with offset or epoch milliseconds")
    energy_kwh: float | None = Field(default=None, ge=0, description="cumulative register, kWh")
    power_kw: float | None = Field(default=None, description="instantaneous power, kW")

    _finite = field_validator("energy_kwh", "power_kw")(_finite)


class PositionPayload(BaseModel):
    """One BeiDou fix as published on `houqin/v1/vehicles/{vehicle_id}/positions`."""

    model_config = ConfigDict(extra="ignore")

    vehicle_id: str | None = Field(default=None, description="must equal the topic's vehicle id when given")
    ts: datetime = Field(description="device time")
    lat: float = Field(ge=-90, le=90, description="WGS-84 latitude")
    lon: float = Field(ge=-180, le=180, description="WGS-84 longitude")
    speed_kmh: float = Field(default=0, ge=0, le=400, description="ground speed")
    heading: float | None = Field(default=None, ge=0, le=360, description="degrees from north")
    altitude: float | None = Field(default=None, description="metres")
    ignition: bool | None = Field(default=None, description="engine on")
    satellites: int | None = Field(default=None, ge=0, le=200, description="satellites in view")
    odometer_km: float | None = Field(default=None, ge=0, description="odometer")

    _finite = field_validator("lat", "lon", "speed_kmh", "heading", "altitude", "odometer_km")(_finite)


class RouteDecision(BaseModel):
    """The recommended procurement route (进驻方式) for a project and value, with the reasons."""

    project_code: str = Field(description="service project code")
    estimated_value: Decimal = Field(description="estimated contract value in CNY")
    renewal: bool = Field(description="whether the procurement renews an existing contract")
    route: str = Field(description="`open_tender`, `designated_tender`, `price_comparison` or `single_source`")
    route_label_zh: str = Field(description="Chinese label of the route")
    reasons: list[str] = Field(description="why this route, in order")
    incumbent_vendor_id: str | None = Field(default=None, description="vendor of the contract being renewed")
    predecessor_contract_id: str | None = Field(default=None, description="contract being renewed")
    appraisal_period: str | None = Field(default=None, description="appraisal period consulted for the renewal")


class VendorImportRowError(BaseModel):
    """Why one row of a vendor import was refused."""

    row: int = Field(description="1-based data row number (the header is row 0)")
    errors: list[str] = Field(description="what is wrong with the row")


class VendorImportReport(BaseModel):
    """Outcome of an all-or-nothing vendor import."""

    imported: int = Field(description="vendors created (0 when any row failed: nothing is half-imported)")
    errors: list[VendorImportRowError] = Field(default_factory=list, description="row-level errors")


class RenewalCandidate(BaseModel):
    """A contract ending soon, with the route recommended for its next period."""

    contract: ContractRef = Field(description="the contract ending soon")
    days_left: int = Field(description="days from today to its end date")
    recommended_route: str | None = Field(description="next route; null when it could not be decided")
    reasons: list[str] = Field(default_factory=list, description="why (or why it could not be decided)")
