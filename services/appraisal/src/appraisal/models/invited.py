"""ORM models of invited services (邀请服务): providers, their calendar, sessions held or missed, ratings."""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from appraisal.models.base import Base, created_at_column, id_column


class InvitedProvider(Base):
    """A provider invited periodically, or for a public-interest consultation (公益咨询)."""

    __tablename__ = "invited_provider"

    id: Mapped[str] = id_column()
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    vendor_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    contact: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = created_at_column()


class InvitedSchedule(Base):
    """定期、定时、定点: a service at a place, weekly, monthly or once, at set times."""

    __tablename__ = "invited_schedule"

    id: Mapped[str] = id_column()
    provider_id: Mapped[str] = mapped_column(ForeignKey("invited_provider.id", ondelete="CASCADE"), index=True)
    service: Mapped[str] = mapped_column(String(200))
    place: Mapped[str] = mapped_column(String(200))
    recurrence: Mapped[str] = mapped_column(String(16))
    weekday: Mapped[int | None] = mapped_column(Integer, nullable=True)
    day_of_month: Mapped[int | None] = mapped_column(Integer, nullable=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    start_time: Mapped[time] = mapped_column(Time)
    end_time: Mapped[time] = mapped_column(Time)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = created_at_column()


class InvitedSession(Base):
    """What happened on one occurrence of a schedule: held, no-show or cancelled by the office."""

    __tablename__ = "invited_session"
    __table_args__ = (UniqueConstraint("schedule_id", "held_on"),)

    id: Mapped[str] = id_column()
    schedule_id: Mapped[str] = mapped_column(ForeignKey("invited_schedule.id", ondelete="CASCADE"), index=True)
    provider_id: Mapped[str] = mapped_column(ForeignKey("invited_provider.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    outcome: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_at_column()


class InvitedRating(Base):
    """One staff member's rating (1-5) of a session held."""

    __tablename__ = "invited_rating"
    __table_args__ = (UniqueConstraint("session_id", "rater"),)

    id: Mapped[str] = id_column()
    session_id: Mapped[str] = mapped_column(ForeignKey("invited_session.id", ondelete="CASCADE"), index=True)
    rater: Mapped[str] = mapped_column(String(200))
    stars: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = created_at_column()
