"""The conference centre (会议中心): rooms and bookings, one booking per room and time by an exclusion constraint."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Computed, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB, TSTZRANGE, ExcludeConstraint, Range
from sqlalchemy.orm import Mapped, mapped_column

from appraisal.models.base import Base, created_at_column, id_column


class ConferenceRoom(Base):
    """A room of the conference centre."""

    __tablename__ = "conference_room"

    id: Mapped[str] = id_column()
    name: Mapped[str] = mapped_column(String(100), unique=True)
    building: Mapped[str] = mapped_column(String(100))
    capacity: Mapped[int] = mapped_column(Integer)
    equipment: Mapped[list[str]] = mapped_column(JSONB, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = created_at_column()


class Booking(Base):
    """A meeting booked by a department; two live bookings of one room never overlap (the database refuses)."""

    __tablename__ = "booking"
    __table_args__ = (
        ExcludeConstraint(
            ("room_id", "="),
            ("during", "&&"),
            name="booking_no_overlap",
            using="gist",
            where="status <> 'cancelled'",
        ),
    )

    id: Mapped[str] = id_column()
    room_id: Mapped[str] = mapped_column(ForeignKey("conference_room.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    department: Mapped[str] = mapped_column(String(100), index=True)
    organiser: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    during: Mapped[Range[datetime]] = mapped_column(
        TSTZRANGE, Computed("tstzrange(starts_at, ends_at, '[)')", persisted=True)
    )
    attendees: Mapped[int] = mapped_column(Integer)
    services: Mapped[list[str]] = mapped_column(JSONB, default=list)
    status: Mapped[str] = mapped_column(String(16), index=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    service_record: Mapped[dict[str, Any] | None] = mapped_column(JSONB, nullable=True)
    service_vendor_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    feedback_grade: Mapped[str | None] = mapped_column(String(16), nullable=True)
    feedback_comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    feedback_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = created_at_column()
