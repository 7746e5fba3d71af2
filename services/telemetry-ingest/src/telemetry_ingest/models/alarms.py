"""Alarm panels (fire-alarm panels, intrusion/video systems), their zones and the events they publish."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, Index, String, Uuid, func
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column

from telemetry_ingest.models import Base


class AlarmPanel(Base):
    """A panel of the security and fire supervision network (安防、消防、物防、技防)."""

    __tablename__ = "alarm_panel"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    system: Mapped[str] = mapped_column(String(16))
    building: Mapped[str] = mapped_column(String(100))
    vendor_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class AlarmZone(Base):
    """Where a point or zone of a panel is: what an alarm is matched to."""

    __tablename__ = "alarm_zone"

    panel_id: Mapped[str] = mapped_column(ForeignKey("alarm_panel.id", ondelete="CASCADE"), primary_key=True)
    zone: Mapped[str] = mapped_column(String(64), primary_key=True)
    building: Mapped[str] = mapped_column(String(100))
    floor: Mapped[str | None] = mapped_column(String(20), nullable=True)
    room: Mapped[str | None] = mapped_column(String(50), nullable=True)
    label: Mapped[str | None] = mapped_column(String(200), nullable=True)


class AlarmEvent(Base):
    """One event as published; ``(panel, zone, ts, event)`` makes a redelivered message a no-op.

    The watcher (analytics worker) sets ``cleared_at`` from a later restore of the zone, and records the hazard
    appraisal opened for it (``hazard_id``) and when the restore was reported there (``clear_reported_at``)."""

    __tablename__ = "alarm_event"
    __table_args__ = (
        # the watcher's two scans: events still active (not cleared, not reported), restores to apply
        Index(
            "ix_telemetry_alarm_event_active",
            "ts",
            postgresql_where=sql_text("cleared_at IS NULL AND hazard_reported_at IS NULL AND NOT test"),
        ),
        Index(
            "ix_telemetry_alarm_event_unreported_clear",
            "ts",
            postgresql_where=sql_text("hazard_id IS NOT NULL AND cleared_at IS NOT NULL AND clear_reported_at IS NULL"),
        ),
    )

    panel_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    zone: Mapped[str] = mapped_column(String(64), primary_key=True)
    ts: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    event: Mapped[str] = mapped_column(String(16), primary_key=True)
    id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True, server_default=func.gen_random_uuid())
    test: Mapped[bool] = mapped_column(Boolean, default=False)
    restores: Mapped[str | None] = mapped_column(String(16), nullable=True)
    text: Mapped[str | None] = mapped_column(String(200), nullable=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    hazard_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    hazard_reported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    clear_reported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
