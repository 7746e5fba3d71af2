"""The hazard register (隐患台账): hazards, their alarms and their lifecycle."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from appraisal.models.base import Base, created_at_column, id_column


class Hazard(Base):
    """A safety hazard (安全隐患), tracked from discovery to verified removal (整改销号)."""

    __tablename__ = "hazard"

    id: Mapped[str] = id_column()
    category: Mapped[str] = mapped_column(String(16), index=True)
    severity: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    building: Mapped[str] = mapped_column(String(100))
    floor: Mapped[str | None] = mapped_column(String(20), nullable=True)
    room: Mapped[str | None] = mapped_column(String(50), nullable=True)
    vendor_id: Mapped[str] = mapped_column(String(64), index=True)
    project_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    contract_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    #: alarm hazards: the panel and zone whose later alarms join this hazard while it is open
    panel_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    zone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    found_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    response_due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    removal_due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    rectifying_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    verified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    reported_by: Mapped[str] = mapped_column(String(200))
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    history: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = created_at_column()
    updated_at: Mapped[datetime] = created_at_column()


class HazardAlarm(Base):
    """An alarm recorded on a hazard; the alarm id is the key, so a repeated call records it once."""

    __tablename__ = "hazard_alarm"

    alarm_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    hazard_id: Mapped[str] = mapped_column(ForeignKey("hazard.id", ondelete="CASCADE"), index=True)
    panel_id: Mapped[str] = mapped_column(String(64))
    zone: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    cleared_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    recorded_at: Mapped[datetime] = created_at_column()
