"""Device registry: meters, vehicles, geofences, calendars, the national energy code tree."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import ARRAY, Boolean, Date, DateTime, ForeignKey, Index, Integer, Numeric, String, Time, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from telemetry_ingest.models import Base


class EnergyCode(Base):
    """Energy type / sub-item code of the national guideline for government office buildings."""

    __tablename__ = "energy_code"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("energy_code.code"))
    level: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    name_zh: Mapped[str] = mapped_column(String(100))


class Meter(Base):
    __tablename__ = "meter"
    __table_args__ = (Index("ix_meter_building_zone", "building", "zone"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    building: Mapped[str] = mapped_column(String(100))
    floor: Mapped[str | None] = mapped_column(String(20))
    zone: Mapped[str | None] = mapped_column(String(100))
    energy_type: Mapped[str] = mapped_column(ForeignKey("energy_code.code"))
    sub_item: Mapped[str | None] = mapped_column(ForeignKey("energy_code.code"))
    unit: Mapped[str] = mapped_column(String(16), default="kWh")
    multiplier: Mapped[Decimal] = mapped_column(Numeric(12, 4), default=Decimal(1))
    rollover: Mapped[Decimal | None] = mapped_column(Numeric(18, 3))
    vendor_id: Mapped[str | None] = mapped_column(String(64), index=True)
    contract_id: Mapped[str | None] = mapped_column(String(64))
    operating_profile: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Geofence(Base):
    """A polygon (GeoJSON geometry) or a circle (centre + radius)."""

    __tablename__ = "geofence"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    geometry: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    center_lat: Mapped[float | None]
    center_lon: Mapped[float | None]
    radius_m: Mapped[float | None]


class Calendar(Base):
    """Permitted-use calendar: working days and hours, sealed holidays, swapped working days."""

    __tablename__ = "calendar"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    work_start: Mapped[time] = mapped_column(Time, default=time(7, 30))
    work_end: Mapped[time] = mapped_column(Time, default=time(18, 30))
    working_weekdays: Mapped[list[int]] = mapped_column(ARRAY(Integer), default=lambda: [1, 2, 3, 4, 5])
    holidays: Mapped[list[date]] = mapped_column(ARRAY(Date), default=list)
    extra_workdays: Mapped[list[date]] = mapped_column(ARRAY(Date), default=list)


class Vehicle(Base):
    __tablename__ = "vehicle"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    plate: Mapped[str] = mapped_column(String(16), unique=True)
    department: Mapped[str | None] = mapped_column(String(200))
    vehicle_type: Mapped[str | None] = mapped_column(String(50))
    terminal_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    # JT/T 808 terminal phone number (SIM), digits without leading zeros: the gateway's login key
    terminal_phone: Mapped[str | None] = mapped_column(String(20), unique=True)
    vendor_id: Mapped[str | None] = mapped_column(String(64), index=True)
    parking_geofence_id: Mapped[str | None] = mapped_column(ForeignKey("geofence.id"))
    calendar_id: Mapped[str | None] = mapped_column(ForeignKey("calendar.id"))
    speed_limit_kmh: Mapped[float | None]
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class TerminalConnection(Base):
    """JT/T 808 state of a vehicle's terminal, written by the gateway (one row per vehicle)."""

    __tablename__ = "terminal_connection"

    vehicle_id: Mapped[str] = mapped_column(ForeignKey("vehicle.id", ondelete="CASCADE"), primary_key=True)
    phone: Mapped[str] = mapped_column(String(20))
    protocol: Mapped[str] = mapped_column(String(16))
    auth_code: Mapped[str | None] = mapped_column(String(64))
    connected: Mapped[bool] = mapped_column(Boolean, default=False)
    remote: Mapped[str | None] = mapped_column(String(64))
    registered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    connected_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_seen_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
