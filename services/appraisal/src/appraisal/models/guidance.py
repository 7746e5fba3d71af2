"""ORM models of standards, guidance and training (制度、工作指导、业务培训)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from appraisal.models.base import Base, created_at_column, id_column


class Regulation(Base):
    """A regulation (制度) or service standard of the office, with the projects it governs."""

    __tablename__ = "regulation"
    __table_args__ = (UniqueConstraint("number", "version"),)

    id: Mapped[str] = id_column()
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(300))
    number: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[str] = mapped_column(String(32))
    effective_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    archive_document_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    projects: Mapped[list[str]] = mapped_column(JSONB, default=list)
    created_at: Mapped[datetime] = created_at_column()


class GuidancePlan(Base):
    """The year's guidance (工作指导) of one outsourced project."""

    __tablename__ = "guidance_plan"
    __table_args__ = (UniqueConstraint("project_code", "year"),)

    id: Mapped[str] = id_column()
    project_code: Mapped[str] = mapped_column(String(64), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    vendor_id: Mapped[str] = mapped_column(String(64), index=True)
    planned_visits: Mapped[int] = mapped_column(Integer)
    focus: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_at_column()


class GuidanceVisit(Base):
    """A guidance visit; each finding becomes a rectification order (source ``guidance``)."""

    __tablename__ = "guidance_visit"

    id: Mapped[str] = id_column()
    plan_id: Mapped[str] = mapped_column(ForeignKey("guidance_plan.id", ondelete="CASCADE"), index=True)
    vendor_id: Mapped[str] = mapped_column(String(64), index=True)
    visited_on: Mapped[date] = mapped_column(Date)
    participants: Mapped[list[str]] = mapped_column(JSONB, default=list)
    summary: Mapped[str] = mapped_column(Text)
    finding_ids: Mapped[list[str]] = mapped_column(JSONB, default=list)
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_at_column()


class Training(Base):
    """A training session (业务培训) on a standard, with the vendors invited."""

    __tablename__ = "training"

    id: Mapped[str] = id_column()
    topic: Mapped[str] = mapped_column(String(300))
    regulation_id: Mapped[str | None] = mapped_column(
        ForeignKey("regulation.id", ondelete="SET NULL"), nullable=True, index=True
    )
    held_on: Mapped[date] = mapped_column(Date, index=True)
    place: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_at_column()


class TrainingAttendance(Base):
    """One invited vendor of a training: attended or not (null until recorded), how many of its staff."""

    __tablename__ = "training_attendance"

    training_id: Mapped[str] = mapped_column(ForeignKey("training.id", ondelete="CASCADE"), primary_key=True)
    vendor_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    attended: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    attendees: Mapped[int] = mapped_column(Integer, default=0)
