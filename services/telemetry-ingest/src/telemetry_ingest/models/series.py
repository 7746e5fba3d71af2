"""Time series written by the ingest pipeline, and the dead-letter store.

Primary keys ``(device, ts)`` make every write idempotent: a redelivered MQTT message lands on
``ON CONFLICT DO NOTHING``. No foreign key to the registry on the hot path: the pipeline checks
the device against its registry cache before writing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Identity, Index, LargeBinary, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from telemetry_ingest.models import Base


class Reading(Base):
    __tablename__ = "reading"
    __table_args__ = (Index("ix_reading_ts_brin", "ts", postgresql_using="brin"),)

    meter_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    ts: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    energy_kwh: Mapped[float | None]
    power_kw: Mapped[float | None]
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Position(Base):
    __tablename__ = "position"
    __table_args__ = (Index("ix_position_ts_brin", "ts", postgresql_using="brin"),)

    vehicle_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    ts: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    lat: Mapped[float]
    lon: Mapped[float]
    speed_kmh: Mapped[float | None]
    heading: Mapped[float | None]
    altitude: Mapped[float | None]
    ignition: Mapped[bool | None]
    satellites: Mapped[int | None]
    odometer_km: Mapped[float | None]
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class DeadLetter(Base):
    __tablename__ = "dead_letter"
    __table_args__ = (
        Index("ix_dead_letter_code", "code"),
        Index("ix_dead_letter_received_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    topic: Mapped[str | None] = mapped_column(Text)
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    reason: Mapped[str] = mapped_column(Text)
    """In English, searchable; ``reason_parts`` (msgids + parameters) render it in the reader's language."""
    code: Mapped[str | None] = mapped_column(String(32))
    reason_parts: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
