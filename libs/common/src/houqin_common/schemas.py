"""Pydantic models that cross service boundaries: one definition each.

Services import these for the payloads they publish to or read from each other; their own
internal request/response schemas stay in their domain folders.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Generic, TypeVar, cast

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    PlainValidator,
    PrivateAttr,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    ValidationInfo,
    WithJsonSchema,
    field_serializer,
    model_serializer,
    model_validator,
)
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from houqin_common.i18n import N_, Text, TextError, _, current_locale

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


class JsonStrEnum(StrEnum):
    """A ``StrEnum`` that pydantic writes to JSON as the string each member is. Pydantic's enum serialiser
    reads each member's ``.value``, a Python-level descriptor on Python 3.11 (about 0.2 µs a member, 10 µs
    for a page of 50); a ``StrEnum`` member *is* its value, so the plain string serialiser writes the same
    text. Validation, the JSON schema and ``model_dump()`` (members in Python mode) are unchanged."""

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        schema = handler(source)
        if schema["type"] != "enum":
            return schema
        return cast(CoreSchema, {**schema, "serialization": core_schema.simple_ser_schema("str")})


def _check_period(value: str) -> str:
    if not PERIOD_RE.match(value):
        raise ValueError(_("period must look like 2026, 2026H1, 2026Q3 or 2026-07"))
    return value


Period = Annotated[
    str,
    AfterValidator(_check_period),
    Field(description="appraisal period: a year `2026`, a half `2026H1`, a quarter `2026Q3` or a month `2026-07`"),
]


ISO_DATETIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _iso_datetime_text(value: Any) -> Any:
    """Refuse what is not ISO 8601 text: pydantic would read ``0.5`` or ``1700000000`` as Unix seconds, so
    ``?since=0.5`` silently meant 1970. Datetime objects (Python callers) pass through."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not ISO_DATETIME_RE.match(value.strip()):
        raise ValueError(_("must be an ISO 8601 date-time with an offset, such as 2026-07-01T08:00:00+08:00"))
    return value.strip()


IsoDateTime = Annotated[
    AwareDatetime,
    BeforeValidator(_iso_datetime_text),
    Field(examples=["2026-07-01T08:00:00+08:00"]),
]
"""A date-time query or body parameter: ISO 8601 text with an offset, never a number."""


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


class InputModel(BaseModel):
    """Base of every HTTP request body: an unknown field is refused (422 problem+json naming it), never
    dropped silently. MQTT payloads keep their own models: a device's extra field is not a client error."""

    model_config = ConfigDict(extra="forbid")


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
    vendor_name: str | None = Field(default=None, description="the vendor's registered name")
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
    vendor_name: str | None = Field(default=None, description="the vendor's registered name")
    project_name_zh: str | None = Field(default=None, description="the project's Chinese name")


#: The label a person reads for each scoring component (the reports' column heads use the same msgids).
COMPONENT_LABELS = {
    "satisfaction": N_("satisfaction survey"),
    "routine": N_("routine inspections"),
    "food_safety": N_("food-safety inspections"),
    "complaints": N_("complaints and suggestions"),
    "rectification": N_("rectification"),
    "energy": N_("energy use"),
    "vehicles": N_("official vehicles"),
    "hazards": N_("hazard removal on time"),
    "conference": N_("conference centre"),
    "guidance": N_("guidance and training"),
}


def component_label(code: str) -> str:
    """A scoring component's label in the reader's language (its code when it has no label)."""
    return _(COMPONENT_LABELS[code]) if code in COMPONENT_LABELS else code


class ScoreComponent(BaseModel):
    """One weighted part of a vendor score. In Python ``name`` is the component's code; a JSON answer
    carries the code in ``code`` and the label a person reads in ``name`` (and is read back the same way)."""

    name: str = Field(description="the component's label in the answer's language (满意度测评 …); its code is `code`")
    code: str | None = Field(default=None, description="component code, e.g. `satisfaction`, `routine`, `energy`")
    score: float | None = Field(description="0-100, or null when its source was unavailable")
    weight: float = Field(ge=0, description="weight in the scheme")
    available: bool = Field(default=True, description="false when the source could not be read")
    note: str | None = Field(default=None, description="how the component was obtained")
    #: the note as stored text (msgid and parameters), kept for a published snapshot; never serialised
    _note_text: Text | None = PrivateAttr(default=None)

    @classmethod
    def noted(cls, note: Text | str | None, **fields: Any) -> ScoreComponent:
        """A component whose note is rendered now and also kept language-neutral (:meth:`stored_note`)."""
        component = cls(note=note.render() if isinstance(note, Text) else note, **fields)
        component._note_text = note if isinstance(note, Text) else None
        return component

    def stored_note(self) -> dict[str, Any] | str | None:
        """The note as a snapshot stores it: :class:`Text` JSON when known, else the rendered string."""
        return self._note_text.to_json() if self._note_text is not None else self.note

    @model_validator(mode="before")
    @classmethod
    def _code_is_the_name(cls, data: Any) -> Any:
        """A JSON answer read back (a client, a published snapshot): its ``code`` is the component's name."""
        if isinstance(data, dict) and data.get("code"):
            return {**data, "name": data["code"]}
        return data

    @model_validator(mode="after")
    def _code_of_the_name(self) -> ScoreComponent:
        if self.code is None:
            self.code = self.name
        return self

    @field_serializer("name", when_used="json")
    def _label(self, name: str) -> str:
        """In JSON ``name`` is the label a person reads, in the answer's language."""
        return component_label(name)


class LocalizedName(BaseModel):
    """Reference data named in two languages (``name`` English, ``name_zh`` Chinese, as stored): in a JSON
    answer ``name`` is the name in the reader's language, Chinese unless English was asked for, and
    ``name_en`` / ``name_zh`` carry both alternates."""

    name_en: str | None = Field(default=None, description="English name (the alternate of `name_zh`)")

    # No return annotation, on purpose: pydantic documents a wrap serializer by its return type, and `Any`
    # made every subclass (ProjectRead, ServiceItemRead) an empty schema in the OpenAPI documents; without
    # one, the model's own fields are documented (tests/deploy/test_openapi_examples.py).
    @model_serializer(mode="wrap")
    def localize_name(  # type: ignore[no-untyped-def]
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ):
        data = handler(self)
        if info.mode_is_json() and isinstance(data, dict) and "name" in data and data.get("name_zh"):
            data["name_en"] = data["name"]
            if current_locale() != "en":
                data["name"] = data["name_zh"]
        return data


class ProjectRef(BaseModel):
    """A service project (后勤项目) as other services see it."""

    model_config = ConfigDict(from_attributes=True)

    code: str = Field(description="project code, e.g. `catering`")
    name: str = Field(description="name in the language the register was asked in")
    name_zh: str = Field(description="Chinese name (the label users read)")
    name_en: str | None = Field(default=None, description="English name (whatever the language asked)")

    def label(self) -> str:
        """The project's name in the reader's language (the English name when English was asked for)."""
        return (self.name_en or self.name) if current_locale() == "en" else self.name_zh

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
    provisional: bool = Field(
        default=False, description="true when the period is not published: computed now, it may still change"
    )
    published_version: int | None = Field(
        default=None, ge=1, description="the publication the score was read from (null: computed, provisional)"
    )


class ScoreQuery(InputModel):
    """One (vendor, period) pair of a batch score request."""

    vendor_id: str = Field(max_length=64, description="vendor id")
    period: Period


class ScoreBatchRequest(InputModel):
    """Many vendors' scores in one round-trip (the renewal list asks once for every contract)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {"vendor_id": "130cc2f8-68c2-5c04-9043-2847361ec4b1", "period": "2025"},
                        {"vendor_id": "87003d64-9d4e-51b6-92e8-aa5624757591", "period": "2025"},
                    ]
                }
            ]
        },
    )

    items: list[ScoreQuery] = Field(max_length=1000, description="the pairs wanted; duplicates are answered once")


class ScoreBatchItem(BaseModel):
    vendor_id: str = Field(description="vendor id")
    period: Period
    score: VendorScore | None = Field(description="the score; null when appraisal has no data for the pair")


class EnergyCarrier(BaseModel):
    """One carrier (energy type) of an energy KPI, in its own unit: never added to another carrier's."""

    energy_type: str = Field(description="energy type code (01000 electricity, 02000 water, 03000 gas, 04000 heat)")
    unit: str = Field(description="unit of the quantities (kWh, m³, GJ)")
    kgce_per_unit: float | None = Field(
        default=None, description="standard-coal factor (GB/T 2589) applied; none: not energy (water), not in kgce"
    )
    quantity: float = Field(description="every meter of the carrier over the current period")
    previous_quantity: float = Field(description="every meter of the carrier over the same period a year earlier")
    compared_quantity: float = Field(description="the compared meter-days of the current period")
    compared_previous_quantity: float = Field(description="the same meter-days a year earlier")
    saving_ratio: float | None = Field(default=None, description="like for like: 1 - compared / compared previous")


class EnergyScope(BaseModel):
    """Which meter-days an energy comparison covers: meters and meter-days that reported in each period, and
    those compared (a meter's day in the period and the same day a year earlier both reported)."""

    meters: int = Field(ge=0, description="meters of the scope (registered)")
    meters_current: int = Field(ge=0, description="meters with readings in the current period")
    meter_days_current: int = Field(ge=0, description="meter-days with readings in the current period")
    meters_previous: int = Field(ge=0, description="meters with readings in the same period a year earlier")
    meter_days_previous: int = Field(ge=0, description="meter-days with readings a year earlier")
    meters_compared: int = Field(ge=0, description="meters that reported in both periods")
    meter_days_compared: int = Field(ge=0, description="meter-days that reported in both periods (like for like)")
    compared_share: float = Field(
        ge=0, le=1, description="compared meter-days / meter-days of the current period (energy carriers)"
    )


class EnergyCostSavings(BaseModel):
    """Yuan saved on energy against a baseline period (telemetry-ingest `GET /v1/energy/savings?measure=cost`)."""

    baseline_start: date = Field(description="first day of the baseline period")
    baseline_end: date = Field(description="day after the baseline period")
    start: date = Field(description="first day of the reporting period")
    end: date = Field(description="day after the reporting period")
    baseline_cny: Decimal = Field(description="cost of the baseline period, CNY")
    expected_cny: Decimal = Field(description="baseline daily cost × reporting days")
    actual_cny: Decimal = Field(description="cost of the reporting period")
    saved_cny: Decimal = Field(description="expected - actual")
    saving_ratio: float | None = Field(default=None, description="saved ÷ expected")


class EnergyKpi(BaseModel):
    """Energy indicators of the meters a vendor is responsible for, over a period. The saving compares like
    for like: the meter-days that reported in the period and on the same day a year earlier, in kgce
    (standard coal, GB/T 2589) summed over the energy carriers; water is reported apart, never added."""

    vendor_id: str = Field(description="responsible vendor")
    vendor_name: str | None = Field(
        default=None,
        description="the vendor's registered name (contracts-api); null when contracts-api could not be reached",
    )
    period: Period
    meters: int = Field(ge=0, description="meters counted")
    consumption_kwh: float = Field(description="electricity (kWh) of every meter of the vendor in the period")
    previous_kwh: float | None = Field(
        default=None, description="electricity (kWh) of every meter in the same period of the previous year"
    )
    consumption_kgce: float | None = Field(
        default=None, description="energy of the compared meter-days in kgce (standard coal), current period"
    )
    previous_kgce: float | None = Field(default=None, description="the same meter-days a year earlier, kgce")
    saving_ratio: float | None = Field(
        default=None,
        description="like for like (previous_kgce - consumption_kgce) / previous_kgce; 0.12 means 12 % saved; "
        "null when not scored (see not_scored)",
    )
    not_scored: str | None = Field(
        default=None,
        description="why the KPI does not score: `no_comparable_meters` or `low_coverage` (compared share below "
        "the setting)",
    )
    not_scored_reason: str | None = Field(default=None, description="the reason, in the reader's language")
    carriers: list[EnergyCarrier] = Field(default_factory=list, description="every carrier in its own unit")
    scope: EnergyScope | None = Field(default=None, description="meters and meter-days in each period")
    waste_alerts: int = Field(default=0, ge=0, description="off-hours waste alerts raised")
    coverage: float = Field(default=1.0, ge=0, le=1, description="share of expected readings present")
    period_end: datetime | None = Field(
        default=None, description="end of the compared window: the period's end, or today (local) while it runs"
    )
    cost_cny: Decimal | None = Field(
        default=None, description="cost of every meter of the vendor in the period under the tariffs (measure=cost)"
    )
    previous_cost_cny: Decimal | None = Field(
        default=None, description="cost of every meter in the same period last year"
    )
    compared_cost_cny: Decimal | None = Field(default=None, description="cost of the compared meter-days")
    compared_previous_cost_cny: Decimal | None = Field(
        default=None, description="cost of the same meter-days a year earlier"
    )
    cost_saving_ratio: float | None = Field(
        default=None, description="like for like (compared previous cost - compared cost) / compared previous cost"
    )


class VehicleKpi(BaseModel):
    """Official-vehicle indicators for a vendor or department over a period."""

    vendor_id: str | None = Field(default=None, description="responsible vendor, if any")
    vendor_name: str | None = Field(
        default=None,
        description="the vendor's registered name (contracts-api); null when contracts-api could not be reached",
    )
    department: str | None = Field(default=None, description="department, if grouped by it")
    period: Period
    vehicles: int = Field(ge=0, description="vehicles counted")
    distance_km: float = Field(ge=0, description="distance driven")
    trips: int = Field(ge=0, description="trips driven")
    violations: int = Field(ge=0, description="alerts: off-hours, unrequested use, geofence, overspeed")
    compliance_ratio: float | None = Field(default=None, ge=0, le=1, description="share of trips with no violation")


EARLIEST_DEVICE_TIME = datetime(2000, 1, 1, tzinfo=UTC)
MAX_CHANNEL_NAME = 64
MAX_INT_CHANNEL = 2**63


def _device_time(value: Any) -> datetime:
    """Epoch milliseconds or ISO 8601 with an offset; a datetime (receipt time) passes through."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise TextError(N_("ts must carry a UTC offset (e.g. +08:00 or Z)"))
        return value
    if isinstance(value, bool):
        raise TextError(N_("ts must be epoch milliseconds or an ISO 8601 string"))
    if isinstance(value, int | float):
        if abs(value) > 1e14 or not math.isfinite(value):
            raise TextError(N_("ts={value} is not epoch milliseconds"), value=str(value))
        return datetime.fromtimestamp(value / 1000, UTC)
    if isinstance(value, str):
        try:
            ts = datetime.fromisoformat(value)
        except ValueError:
            raise TextError(N_("ts={value} is not ISO 8601"), value=repr(value[:40])) from None
        if ts.tzinfo is None:
            raise TextError(N_("ts must carry a UTC offset (e.g. +08:00 or Z)"))
        return ts
    raise TextError(N_("ts must be epoch milliseconds or an ISO 8601 string"))


def _time_window(ts: datetime, info: ValidationInfo) -> datetime:
    """Not before 2000; with a validation context ``{"received_at", "max_future_skew"}``, not in the future."""
    if ts < EARLIEST_DEVICE_TIME:
        raise TextError(N_("ts {ts} is before 2000 (seconds sent as milliseconds?)"), ts=ts.isoformat())
    context = info.context or {}
    received_at: datetime | None = context.get("received_at")
    skew: timedelta = context.get("max_future_skew", timedelta(minutes=5))
    if received_at is not None and ts - received_at > skew:
        raise PydanticCustomError(
            "future_ts",
            "ts {ts} is ahead of receipt time {received_at}",
            {"ts": ts.isoformat(), "received_at": received_at.isoformat()},
        )
    return ts


DeviceTime = Annotated[
    datetime,
    PlainValidator(_device_time),
    AfterValidator(_time_window),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "minimum": 946684800000, "description": "epoch milliseconds"},
                {"type": "string", "format": "date-time", "description": "ISO 8601 with a UTC offset"},
            ]
        }
    ),
    Field(description="device time: epoch milliseconds or ISO 8601 with offset; not before 2000, not in the future"),
]


def _number(lo: float | None = None, hi: float | None = None, description: str = "") -> Any:
    return Field(default=None, ge=lo, le=hi, strict=True, allow_inf_nan=False, description=description)


class ReadingPayload(BaseModel):
    """One energy-meter reading as published on `houqin/v1/meters/{meter_id}/readings` (or one item of a
    list of them). This model is the ingest's validator and the published JSON Schema
    (docs/schemas/reading.json): any other key is an extra channel, a number or a boolean."""

    model_config = ConfigDict(
        extra="allow",
        title="ReadingPayload",
        json_schema_extra={
            "additionalProperties": {"type": ["number", "boolean"]},
            "examples": [{"ts": "2026-11-27T08:15:00+08:00", "energy_kwh": 182731.25, "power_kw": 41.7}],
        },
    )

    meter_id: str | None = Field(default=None, description="must equal the topic's meter id when given")
    ts: DeviceTime
    energy_kwh: float | None = _number(lo=0, description="cumulative register, kWh")
    power_kw: float | None = _number(description="instantaneous power, kW")

    @model_validator(mode="after")
    def _channels(self) -> ReadingPayload:
        extra = self.__pydantic_extra__ or {}
        for key, value in extra.items():
            if len(key) > MAX_CHANNEL_NAME:
                raise TextError(N_("channel name longer than {limit} characters"), limit=MAX_CHANNEL_NAME)
            if isinstance(value, bool):
                continue
            if isinstance(value, int):
                if abs(value) > MAX_INT_CHANNEL:
                    raise TextError(N_("channel {key} is too large"), key=repr(key))
            elif isinstance(value, float):
                if not math.isfinite(value):
                    raise TextError(N_("channel {key} must be finite"), key=repr(key))
            else:
                raise TextError(N_("channel {key} must be a number or a boolean"), key=repr(key))
        if self.energy_kwh is None and self.power_kw is None and not extra:
            raise TextError(N_("a reading needs energy_kwh, power_kw or another channel"))
        return self

    @property
    def channels(self) -> dict[str, Any] | None:
        """The extra channels (stored as `extra` JSON), or None."""
        return dict(self.__pydantic_extra__) if self.__pydantic_extra__ else None


class PositionPayload(BaseModel):
    """One BeiDou fix as published on `houqin/v1/vehicles/{vehicle_id}/positions` (or one item of a list).
    This model is the ingest's validator and the published JSON Schema (docs/schemas/position.json);
    unknown keys are ignored."""

    model_config = ConfigDict(
        extra="ignore",
        title="PositionPayload",
        json_schema_extra={
            "examples": [{"ts": 1780000000000, "lat": 31.8123, "lon": 119.9745, "speed_kmh": 35.5, "heading": 180}]
        },
    )

    vehicle_id: str | None = Field(default=None, description="must equal the topic's vehicle id when given")
    ts: DeviceTime
    lat: float = Field(ge=-90, le=90, strict=True, allow_inf_nan=False, description="WGS-84 latitude")
    lon: float = Field(ge=-180, le=180, strict=True, allow_inf_nan=False, description="WGS-84 longitude")
    speed_kmh: float | None = _number(lo=0, hi=400, description="ground speed; absent is unknown, not 0")
    heading: float | None = _number(lo=0, hi=360, description="degrees from north")
    altitude: float | None = _number(lo=-500, hi=10000, description="metres")
    ignition: bool | None = Field(default=None, strict=True, description="engine on")
    satellites: int | None = Field(default=None, ge=0, le=200, strict=True, description="satellites in view")
    odometer_km: float | None = _number(lo=0, description="odometer")


ALARM_EVENTS = ("fire_alarm", "fault", "supervisory", "intrusion", "video_loss", "tamper", "restore")
AlarmEventType = Annotated[
    str,
    Field(
        pattern="^(fire_alarm|fault|supervisory|intrusion|video_loss|tamper|restore)$",
        json_schema_extra={"enum": list(ALARM_EVENTS)},
        description="fire_alarm (火警), fault (故障), supervisory (监管), intrusion (入侵), video_loss (视频丢失), "
        "tamper (防拆), restore (恢复: clears the zone's active events)",
    ),
]


class AlarmPayload(BaseModel):
    """One event of a fire-alarm panel or an intrusion/video system as published on
    `houqin/v1/alarms/{panel_id}/events` (or one item of a list). This model is the ingest's validator and the
    published JSON Schema (docs/schemas/alarm.json); unknown keys are refused."""

    model_config = ConfigDict(
        extra="forbid",
        title="AlarmPayload",
        json_schema_extra={
            "examples": [
                {"ts": "2026-11-27T08:15:00+08:00", "zone": "Z-3F-07", "event": "fault", "text": "烟感探测器故障"},
                {"ts": 1780000000000, "zone": "Z-3F-07", "event": "restore", "restores": "fault"},
            ]
        },
    )

    panel_id: str | None = Field(default=None, description="must equal the topic's panel id when given")
    zone: str = Field(
        min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$", description="point or zone of the panel"
    )
    event: AlarmEventType
    ts: DeviceTime
    test: bool = Field(default=False, strict=True, description="a test or drill (试验): stored, never opens a hazard")
    restores: AlarmEventType | None = Field(
        default=None, description="`restore` only: the event type cleared (every active one of the zone when absent)"
    )
    text: str | None = Field(default=None, max_length=200, description="the panel's own description of the event")


class HazardRef(BaseModel):
    """A hazard of appraisal's register (隐患台账) as other services see it."""

    id: str = Field(description="hazard id")
    vendor_id: str = Field(description="responsible vendor")
    status: str = Field(description="found, assigned, rectifying, removed or verified")
    category: str = Field(description="security, fire, physical, technical or other")
    removal_due_at: datetime = Field(description="removal deadline")


class RouteDecision(BaseModel):
    """The recommended procurement route (进驻方式) for a project and value, with the reasons."""

    project_code: str = Field(description="service project code")
    project_name_zh: str | None = Field(default=None, description="the project's Chinese label")
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
