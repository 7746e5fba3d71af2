"""Request and response bodies of the fleet routes (GeoJSON positions and tracks, trips, alerts)."""

from __future__ import annotations

import contextlib
from datetime import date, datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from houqin_common.i18n import _
from houqin_common.schemas import InputModel
from telemetry_ingest.analytics.energy_alerts import LABELS_ZH as ENERGY_LABELS_ZH
from telemetry_ingest.analytics.energy_alerts import MESSAGES as ENERGY_MESSAGES
from telemetry_ingest.analytics.energy_alerts import EnergyAlertKind
from telemetry_ingest.fleet.alert_rules import LABELS_ZH, MESSAGES, AlertKind, Severity, WithdrawReason

AnyAlertKind = AlertKind | EnergyAlertKind
ALERT_LABELS_ZH: dict[str, str] = {k.value: v for k, v in [*LABELS_ZH.items(), *ENERGY_LABELS_ZH.items()]}
ALERT_MESSAGES: dict[str, str] = {k.value: v for k, v in [*MESSAGES.items(), *ENERGY_MESSAGES.items()]}


class AlertRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(description="alert id")
    kind: AnyAlertKind = Field(description="rule that raised it")
    label_zh: str = Field(description="Chinese label of the kind")
    severity: Severity = Field(description="violation counts in the vehicle KPI; warning/info do not")
    subject_type: Literal["vehicle", "meter"] = Field(description="what the alert is about")
    subject_id: str = Field(description="vehicle or meter id")
    vendor_id: str | None = Field(description="responsible vendor")
    department: str | None = Field(description="department (vehicles) or building (meters)")
    started_at: datetime = Field(description="when the condition began")
    ended_at: datetime | None = Field(description="when it ended, if known")
    message: str = Field(description="human-readable summary in the reader's language")
    details: dict[str, Any] = Field(description="rule-specific figures")
    created_at: datetime = Field(description="when it was raised")
    withdrawn_at: datetime | None = Field(default=None, description="when late data withdrew it, if it was")
    withdrawn_reason: WithdrawReason | None = Field(default=None, description="why it was withdrawn")

    @model_validator(mode="before")
    @classmethod
    def _label(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            data = {k: getattr(data, k) for k in cls.model_fields if k != "label_zh"}
        data.setdefault("label_zh", ALERT_LABELS_ZH.get(data["kind"], data["kind"]))
        template = ALERT_MESSAGES.get(data["kind"])
        if template is not None:
            # an alert stored before its parameters were keeps its stored text
            with contextlib.suppress(KeyError, IndexError, ValueError):
                data["message"] = _(template, **(data.get("details") or {}))
        return data


class TripRead(BaseModel):
    vehicle_id: str = Field(description="vehicle")
    plate: str | None = Field(default=None, description="the vehicle's plate number")
    start_at: datetime = Field(description="departure (last standstill fix before motion)")
    end_at: datetime = Field(description="arrival (first fix of the parking standstill)")
    distance_km: float = Field(description="distance, GPS jumps ignored")
    duration_s: float = Field(description="duration")
    max_speed_kmh: float | None = Field(description="highest reported speed")
    start: tuple[float, float] = Field(description="(lon, lat) of departure")
    end: tuple[float, float] = Field(description="(lon, lat) of arrival")
    use: Literal["permitted", "off_hours", "sealed_holiday"] = Field(description="calendar class of the trip")
    request_id: str | None = Field(default=None, description="approved trip request it matches, if any")


class StopRead(BaseModel):
    start_at: datetime = Field(description="standstill begins")
    end_at: datetime = Field(description="standstill ends")
    duration_s: float = Field(description="duration")
    location: tuple[float, float] = Field(description="(lon, lat)")


class SegmentsRead(BaseModel):
    vehicle_id: str = Field(description="vehicle")
    plate: str | None = Field(default=None, description="the vehicle's plate number")
    distance_km: float = Field(description="distance of the window, GPS jumps ignored")
    jumps_dropped: int = Field(description="fixes dropped as GPS jumps")
    trips: list[TripRead] = Field(description="trips of the window")
    stops: list[StopRead] = Field(description="parking stops of the window")


class DistanceRow(BaseModel):
    vehicle_id: str = Field(description="vehicle")
    plate: str | None = Field(default=None, description="the vehicle's plate number")
    bucket: date = Field(description="local day or first day of the month")
    km: float = Field(description="distance")


class EvaluationRead(BaseModel):
    vehicles: int = Field(description="vehicles evaluated")
    trips: int = Field(description="trips stored for the window")
    alerts_created: int = Field(description="new alerts")
    alerts_withdrawn: int = Field(default=0, description="alerts withdrawn because late data contradicts them")


class TripRequestCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "purpose": "赴武进区检查基层后勤保障工作",
                    "origin": "常州市行政中心",
                    "destination": "武进区政府",
                    "window_start": "2026-11-30T09:00:00+08:00",
                    "window_end": "2026-11-30T12:00:00+08:00",
                    "department": "市机关事务管理局",
                    "vehicle_id": "V-001",
                }
            ]
        }
    )

    purpose: str = Field(min_length=1, max_length=2000, description="why the vehicle is needed")
    origin: str = Field(min_length=1, max_length=300, description="from")
    destination: str = Field(min_length=1, max_length=300, description="to")
    window_start: AwareDatetime = Field(description="earliest departure")
    window_end: AwareDatetime = Field(description="latest return")
    department: str | None = Field(default=None, max_length=200, description="requesting department")
    vehicle_id: str | None = Field(default=None, max_length=64, description="vehicle wished for, if any")

    @model_validator(mode="after")
    def _window(self) -> TripRequestCreate:
        if self.window_end <= self.window_start:
            raise ValueError(_("window_end must be after window_start"))
        return self


class TripRequestDecision(InputModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"approve": True, "vehicle_id": "V-001", "note": "同意,请按时还车。"}]}
    )

    approve: bool = Field(description="true approves, false rejects")
    vehicle_id: str | None = Field(default=None, max_length=64, description="vehicle assigned (needed to approve)")
    note: str | None = Field(default=None, max_length=2000, description="reason or remark")


class TripRequestRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="request id")
    requester: str = Field(description="who asked (token subject)")
    department: str | None = Field(description="requesting department")
    vehicle_id: str | None = Field(description="vehicle requested or assigned")
    plate: str | None = Field(default=None, description="the vehicle's plate number")
    purpose: str = Field(description="purpose")
    origin: str = Field(description="from")
    destination: str = Field(description="to")
    window_start: datetime = Field(description="earliest departure")
    window_end: datetime = Field(description="latest return")
    status: Literal["pending", "approved", "rejected"] = Field(description="state")
    decided_by: str | None = Field(description="supervisor who decided")
    decided_at: datetime | None = Field(description="when")
    decision_note: str | None = Field(description="remark")
    created_at: datetime = Field(description="filed at")


Position2D = tuple[float, float]


class PointGeometry(BaseModel):
    type: Literal["Point"] = Field(default="Point", description="GeoJSON geometry type")
    coordinates: Position2D = Field(description="(longitude, latitude), WGS 84 as RFC 7946 requires")


class LineStringGeometry(BaseModel):
    type: Literal["LineString"] = Field(default="LineString", description="GeoJSON geometry type")
    coordinates: list[Position2D] = Field(min_length=2, description="(longitude, latitude) positions")


class PositionFeature(BaseModel):
    type: Literal["Feature"] = Field(default="Feature", description="GeoJSON object type")
    id: str = Field(description="vehicle id")
    geometry: PointGeometry = Field(description="latest fix")
    properties: dict[str, Any] = Field(
        description="plate, department, vendor_id, vendor_name (null when contracts-api could not be reached), ts, "
        "speed_kmh, heading, ignition, online"
    )


class PositionCollection(BaseModel):
    type: Literal["FeatureCollection"] = Field(default="FeatureCollection", description="GeoJSON object type")
    features: list[PositionFeature] = Field(description="one feature per vehicle with a fix")


class TrackFeature(BaseModel):
    type: Literal["Feature"] = Field(default="Feature", description="GeoJSON object type")
    id: str = Field(description="vehicle id")
    geometry: LineStringGeometry | None = Field(description="the track; null with fewer than two fixes")
    properties: dict[str, Any] = Field(description="vehicle_id, plate, start, end, points, raw_points, jumps_dropped")
