"""Request and response bodies of the registry routes (meters, vehicles, geofences, readings, positions)."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from houqin_common.i18n import _
from houqin_common.pagination import limit_field, offset_field, sort_field
from houqin_common.schemas import InputModel, LocalizedName
from telemetry_ingest.analytics.profiles import Profile
from telemetry_ingest.devices import rules

DeviceId = Field(
    min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$", description="device id, also its MQTT topic level"
)


class EnergyCodeNode(LocalizedName):
    code: str = Field(description="code of the national energy-monitoring guideline, e.g. `01B10`")
    level: int = Field(description="1 energy type, 2 sub-item, 3 second-level sub-item")
    name: str = Field(description="English name")
    name_zh: str = Field(description="Chinese name")
    children: list[EnergyCodeNode] = Field(default_factory=list, description="codes under this one")


class MeterBase(BaseModel):
    name: str = Field(min_length=1, max_length=200, description="name shown to supervisors")
    building: str = Field(min_length=1, max_length=100, description="building")
    floor: str | None = Field(default=None, max_length=20, description="floor")
    zone: str | None = Field(default=None, max_length=100, description="zone or area")
    energy_type: str = Field(pattern=r"^0[1-5]000$", description="energy type code, e.g. `01000` electricity")
    sub_item: str | None = Field(default=None, max_length=5, description="sub-item code under the energy type")
    unit: str = Field(default="kWh", max_length=16, description="unit of the cumulative register")
    multiplier: Decimal = Field(
        default=Decimal(1), gt=0, max_digits=12, decimal_places=4, description="CT ratio applied to the register"
    )
    rollover: Decimal | None = Field(
        default=None, gt=0, max_digits=18, decimal_places=3, description="register value at which it wraps to 0"
    )
    vendor_id: str | None = Field(default=None, max_length=64, description="vendor responsible for the meter")
    contract_id: str | None = Field(default=None, max_length=64, description="contract the meter is under")
    operating_profile: Profile | None = Field(
        default=None,
        description="expected load pattern waste is judged against; none: the default of the sub-item "
        "(01A30 outdoor lighting, 01D10 data centre 24/7, 01B.. HVAC setback, otherwise office hours)",
    )


class MeterCreate(MeterBase, InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "M-A-0001",
                    "name": "行政中心A座总表",
                    "building": "A座",
                    "floor": "B1",
                    "zone": "配电室",
                    "energy_type": "01000",
                    "sub_item": "01A00",
                    "unit": "kWh",
                    "multiplier": "80",
                    "vendor_id": "1146336b-1815-518c-95a0-7a7ec9168922",
                }
            ]
        }
    )

    id: str = DeviceId


class MeterUpdate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "行政中心A座空调总表", "zone": "空调机房", "multiplier": "120"}]}
    )

    name: str | None = Field(default=None, min_length=1, max_length=200, description="name")
    building: str | None = Field(default=None, min_length=1, max_length=100, description="building")
    floor: str | None = Field(default=None, max_length=20, description="floor")
    zone: str | None = Field(default=None, max_length=100, description="zone")
    energy_type: str | None = Field(default=None, pattern=r"^0[1-5]000$", description="energy type code")
    sub_item: str | None = Field(default=None, max_length=5, description="sub-item code")
    unit: str | None = Field(default=None, max_length=16, description="unit")
    multiplier: Decimal | None = Field(default=None, gt=0, max_digits=12, decimal_places=4, description="CT ratio")
    rollover: Decimal | None = Field(default=None, gt=0, max_digits=18, decimal_places=3, description="rollover value")
    vendor_id: str | None = Field(default=None, max_length=64, description="responsible vendor")
    contract_id: str | None = Field(default=None, max_length=64, description="contract")
    operating_profile: Profile | None = Field(default=None, description="expected load pattern (none: by sub-item)")


class MeterRead(MeterBase):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="meter id")
    # read from numeric(12, 4) and numeric(18, 3) columns, which hold MeterBase's digit limits: checking them
    # again costs more than the rest of a row's validation (a page's 50 rows: ~40 µs); the answer's schema
    # (serialisation mode: a string) is the same
    multiplier: Decimal = Field(default=Decimal(1), gt=0, description="CT ratio applied to the register")
    rollover: Decimal | None = Field(default=None, gt=0, description="register value at which it wraps to 0")
    created_at: datetime = Field(description="when the meter was registered")


class MeterQuery(BaseModel):
    """The filters and page of ``GET /v1/meters``, one query model (see ``houqin_common.pagination.limit_field``)."""

    building: str | None = Field(None, max_length=100, description="only this building")
    energy_type: str | None = Field(None, max_length=5, description="only this energy type code")
    sub_item: str | None = Field(None, max_length=5, description="only this sub-item code")
    vendor_id: str | None = Field(None, max_length=64, description="only meters of this vendor")
    limit: int = limit_field()
    offset: int = offset_field()
    sort: str | None = sort_field("building")


def _plate(value: str) -> str:
    plate = rules.normalize_plate(value)
    if rules.plate_kind(plate) is None:
        raise ValueError(
            _("{value!r} is not a Chinese plate number (e.g. 苏D12345, new-energy 苏DD12345)", value=value)
        )
    return plate


#: 1-20 digits, no leading zero: 2013 terminals pad it to 12 BCD digits, 2019 terminals to 20
TERMINAL_PHONE = r"^[1-9][0-9]{0,19}$"


class VehicleBase(BaseModel):
    plate: str = Field(min_length=7, max_length=16, description="plate number, e.g. `苏D12345` or `苏DD12345`")
    department: str | None = Field(default=None, max_length=200, description="department using the vehicle")
    vehicle_type: str | None = Field(default=None, max_length=50, description="sedan, MPV, bus ...")
    terminal_id: str | None = Field(default=None, max_length=64, description="BeiDou terminal id")
    terminal_phone: str | None = Field(
        default=None,
        pattern=TERMINAL_PHONE,
        description="JT/T 808 terminal phone number (SIM); the gateway's login key",
    )
    vendor_id: str | None = Field(
        default=None,
        max_length=64,
        description="vendor operating the vehicle platform (its appraisal carries the vehicle KPI), if any",
    )
    parking_geofence_id: str | None = Field(default=None, max_length=64, description="designated parking geofence")
    calendar_id: str | None = Field(default=None, max_length=64, description="permitted-use calendar")
    speed_limit_kmh: float | None = Field(default=None, gt=0, le=200, description="speed limit for alerts")

    _plate = field_validator("plate")(_plate)


class VehicleCreate(VehicleBase, InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "V-001",
                    "plate": "苏D8G276",
                    "department": "市政府办公室",
                    "vehicle_type": "sedan",
                    "terminal_id": "BD-13800519001",
                    "parking_geofence_id": "GF-ADMIN-CENTER",
                    "calendar_id": "CAL-2026",
                    "speed_limit_kmh": 80,
                }
            ]
        }
    )

    id: str = DeviceId


class VehicleUpdate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"plate": "苏DD26001", "department": "市机关事务管理局", "speed_limit_kmh": 60}]
        }
    )

    plate: str | None = Field(default=None, min_length=7, max_length=16, description="plate number")
    department: str | None = Field(default=None, max_length=200, description="department")
    vehicle_type: str | None = Field(default=None, max_length=50, description="vehicle type")
    terminal_id: str | None = Field(default=None, max_length=64, description="BeiDou terminal id")
    terminal_phone: str | None = Field(default=None, pattern=TERMINAL_PHONE, description="JT/T 808 phone number")
    vendor_id: str | None = Field(default=None, max_length=64, description="responsible vendor")
    parking_geofence_id: str | None = Field(default=None, max_length=64, description="parking geofence")
    calendar_id: str | None = Field(default=None, max_length=64, description="calendar")
    speed_limit_kmh: float | None = Field(default=None, gt=0, le=200, description="speed limit")

    @field_validator("plate")
    @classmethod
    def _check_plate(cls, value: str | None) -> str | None:
        return None if value is None else _plate(value)


class TerminalState(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    protocol: str = Field(description="protocol edition the terminal last spoke: `jt808-2013` or `jt808-2019`")
    connected: bool = Field(description="a gateway holds an authenticated connection of the terminal")
    last_seen_at: datetime | None = Field(description="last frame received from the terminal")
    connected_at: datetime | None = Field(description="start of the current or last authenticated connection")
    registered_at: datetime | None = Field(description="last successful registration (0x0100)")


class VehicleRead(VehicleBase):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="vehicle id")
    vendor_name: str | None = Field(
        default=None,
        description="the vendor's registered name (contracts-api); null when contracts-api could not be reached",
    )
    plate_kind: str | None = Field(default=None, description="`ordinary` or `new_energy`")
    created_at: datetime = Field(description="when the vehicle was registered")
    terminal: TerminalState | None = Field(
        default=None, description="JT/T 808 connection state (single-vehicle reads only; none before the first login)"
    )

    @model_validator(mode="after")
    def _kind(self) -> VehicleRead:
        self.plate_kind = rules.plate_kind(self.plate)
        return self


class GeofenceCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "GF-ADMIN-CENTER",
                    "name": "行政中心地下停车场",
                    "kind": "circle",
                    "center_lat": 31.8106,
                    "center_lon": 119.9741,
                    "radius_m": 300,
                },
                {
                    "id": "GF-ADMIN-PLAZA",
                    "name": "行政中心广场",
                    "kind": "polygon",
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [
                            [
                                [119.972, 31.809],
                                [119.977, 31.809],
                                [119.977, 31.813],
                                [119.972, 31.813],
                                [119.972, 31.809],
                            ]
                        ],
                    },
                },
            ]
        }
    )

    id: str = DeviceId
    name: str = Field(min_length=1, max_length=200, description="name")
    kind: Literal["polygon", "circle"] = Field(description="`polygon` (GeoJSON) or `circle` (centre + radius)")
    geometry: dict[str, Any] | None = Field(default=None, description="GeoJSON Polygon geometry, [lon, lat] order")
    center_lat: float | None = Field(default=None, ge=-90, le=90, description="circle centre latitude")
    center_lon: float | None = Field(default=None, ge=-180, le=180, description="circle centre longitude")
    radius_m: float | None = Field(default=None, gt=0, le=100_000, description="circle radius in metres")

    @model_validator(mode="after")
    def _shape(self) -> GeofenceCreate:
        if self.kind == "polygon":
            if self.geometry is None:
                raise ValueError(_("a polygon geofence needs a GeoJSON `geometry`"))
            rules.check_polygon(self.geometry)
            if self.center_lat is not None or self.center_lon is not None or self.radius_m is not None:
                raise ValueError(_("a polygon geofence has no centre or radius"))
        else:
            if self.center_lat is None or self.center_lon is None or self.radius_m is None:
                raise ValueError(_("a circle geofence needs center_lat, center_lon and radius_m"))
            if self.geometry is not None:
                raise ValueError(_("a circle geofence has no geometry"))
        return self


class GeofenceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="geofence id")
    name: str = Field(description="name")
    kind: str = Field(description="`polygon` or `circle`")
    geometry: dict[str, Any] | None = Field(default=None, description="GeoJSON Polygon")
    center_lat: float | None = Field(default=None, description="circle centre latitude")
    center_lon: float | None = Field(default=None, description="circle centre longitude")
    radius_m: float | None = Field(default=None, description="circle radius, metres")


class CalendarCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "CAL-2026",
                    "name": "2026年公务用车日历",
                    "work_start": "07:30:00",
                    "work_end": "18:30:00",
                    "working_weekdays": [1, 2, 3, 4, 5],
                    "holidays": ["2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07"],
                    "extra_workdays": ["2026-10-10"],
                }
            ]
        }
    )

    id: str = DeviceId
    name: str = Field(min_length=1, max_length=200, description="name")
    work_start: time = Field(default=time(7, 30), description="start of permitted use on working days")
    work_end: time = Field(default=time(18, 30), description="end of permitted use on working days")
    working_weekdays: list[int] = Field(default=[1, 2, 3, 4, 5], description="ISO weekdays 1 (Mon) .. 7 (Sun)")
    holidays: list[date] = Field(default_factory=list, description="public holidays: vehicles are sealed")
    extra_workdays: list[date] = Field(default_factory=list, description="swapped working days (调休) on weekends")

    @field_validator("work_start", "work_end")
    @classmethod
    def _local_time(cls, value: time) -> time:
        if value.tzinfo is not None:
            raise ValueError(_("working hours are local wall-clock times, without an offset"))
        return value

    @model_validator(mode="after")
    def _check(self) -> CalendarCreate:
        rules.check_calendar(self.work_start, self.work_end, self.working_weekdays)
        if set(self.holidays) & set(self.extra_workdays):
            raise ValueError(_("a day cannot be both a holiday and an extra working day"))
        return self


class CalendarRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="calendar id")
    name: str = Field(description="name")
    work_start: str = Field(description="start of permitted use, local time `HH:MM:SS`", examples=["07:30:00"])
    work_end: str = Field(description="end of permitted use, local time `HH:MM:SS`", examples=["18:30:00"])

    @field_validator("work_start", "work_end", mode="before")
    @classmethod
    def _wall_clock(cls, value: object) -> object:
        return value.isoformat() if isinstance(value, time) else value

    working_weekdays: list[int] = Field(description="ISO weekdays")
    holidays: list[date] = Field(description="sealed holidays")
    extra_workdays: list[date] = Field(description="swapped working days")


class ReadingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    meter_id: str = Field(description="meter")
    meter_name: str | None = Field(default=None, description="the meter's name")
    building: str | None = Field(default=None, description="the meter's building")
    ts: datetime = Field(description="device time")
    energy_kwh: float | None = Field(default=None, description="cumulative register, kWh")
    power_kw: float | None = Field(default=None, description="instantaneous power, kW")
    extra: dict[str, Any] | None = Field(default=None, description="other channels")
    received_at: datetime = Field(description="when the ingest received it")


class PositionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    vehicle_id: str = Field(description="vehicle")
    plate: str | None = Field(default=None, description="the vehicle's plate number")
    ts: datetime = Field(description="device time")
    lat: float = Field(description="WGS-84 latitude")
    lon: float = Field(description="WGS-84 longitude")
    speed_kmh: float | None = Field(default=None, description="ground speed")
    heading: float | None = Field(default=None, description="degrees from north")
    altitude: float | None = Field(default=None, description="metres")
    ignition: bool | None = Field(default=None, description="engine on")
    satellites: int | None = Field(default=None, description="satellites in view")
    odometer_km: float | None = Field(default=None, description="odometer")
    received_at: datetime = Field(description="when the ingest received it")
