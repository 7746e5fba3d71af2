"""Analytics tables read through the ORM: trip requests, detected trips, alerts.

The rollups, ``temperature`` and the invalidation log ``touched_range`` are read and written with SQL only
(their tables are in :mod:`telemetry_ingest.models.rollups`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Float, Identity, Index, String, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from telemetry_ingest.models import Base


class TripRequest(Base):
    """A staff member's request to use an official vehicle (用车申请), approved by a supervisor."""

    __tablename__ = "trip_request"
    __table_args__ = (Index("ix_trip_request_vehicle_id", "vehicle_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    requester: Mapped[str] = mapped_column(String(200))
    department: Mapped[str | None] = mapped_column(String(200))
    vehicle_id: Mapped[str | None] = mapped_column(String(64))
    purpose: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(300))
    destination: Mapped[str] = mapped_column(String(300))
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    window_end: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Trip(Base):
    """A trip segmented from positions by the fleet evaluator (idempotent per vehicle and start)."""

    __tablename__ = "trip"

    vehicle_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    start_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    end_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    distance_km: Mapped[float] = mapped_column(Float)
    max_speed_kmh: Mapped[float | None] = mapped_column(Float)
    start_lat: Mapped[float] = mapped_column(Float)
    start_lon: Mapped[float] = mapped_column(Float)
    end_lat: Mapped[float] = mapped_column(Float)
    end_lon: Mapped[float] = mapped_column(Float)
    request_id: Mapped[str | None] = mapped_column(String(36))
    violations: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Alert(Base):
    """A rule violation or notable event on a vehicle or meter; unique per (kind, subject, start)."""

    __tablename__ = "alert"
    __table_args__ = (
        UniqueConstraint("kind", "subject_id", "started_at", name="uq_alert_kind_subject_started"),
        Index("ix_alert_started_at", "started_at"),
        Index("ix_alert_vendor_id", "vendor_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    subject_type: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(64))
    vendor_id: Mapped[str | None] = mapped_column(String(64))
    department: Mapped[str | None] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ended_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    message: Mapped[str] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    withdrawn_reason: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
