"""Energy accounting: tariffs, building floor areas, yearly headcount, goals, investments (issue 16)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from telemetry_ingest.models import Base


class Tariff(Base):
    """One version of a tariff: an energy type, a scope (all, a building, a meter), prices from a date.

    ``prices`` maps a period (single, critical, peak, flat, valley) to CNY per unit as a decimal string;
    ``windows`` lists the time-of-use windows ``{start, end, period, months}`` of the local day."""

    __tablename__ = "tariff"
    __table_args__ = (UniqueConstraint("energy_type", "scope", "scope_id", "effective_from"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    energy_type: Mapped[str] = mapped_column(ForeignKey("energy_code.code"))
    scope: Mapped[str] = mapped_column(String(16), default="all")
    scope_id: Mapped[str] = mapped_column(String(100), default="")
    effective_from: Mapped[date] = mapped_column(Date)
    unit: Mapped[str] = mapped_column(String(16))
    prices: Mapped[dict[str, str]] = mapped_column(JSONB)
    windows: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    example: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class BuildingArea(Base):
    """Floor area of a building (``meter.building``) from a date on; earlier rows are its history."""

    __tablename__ = "building_area"

    building: Mapped[str] = mapped_column(String(100), primary_key=True)
    valid_from: Mapped[date] = mapped_column(Date, primary_key=True)
    floor_area_m2: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Headcount(Base):
    """Energy-using headcount (用能人数) of a statistics year."""

    __tablename__ = "headcount"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    headcount: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class EnergyGoal(Base):
    """A goal of one indicator for a year: a ceiling, a reduction against the previous year, or both."""

    __tablename__ = "energy_goal"

    indicator: Mapped[str] = mapped_column(String(40), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    max_value: Mapped[Decimal | None] = mapped_column(Numeric(18, 6))
    min_reduction: Mapped[Decimal | None] = mapped_column(Numeric(8, 6))
    note: Mapped[str | None] = mapped_column(Text)


class Investment(Base):
    """An energy investment entered by the office (the monitoring system): cost and the day it started."""

    __tablename__ = "investment"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    cost_cny: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    start_date: Mapped[date] = mapped_column(Date)
    building: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
