"""ORM models of the rectification cycle: findings, rectification orders, evidence files."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from appraisal.models.base import Base, created_at_column, id_column


class Finding(Base):
    """A problem found by an inspection, a security patrol or a committee."""

    __tablename__ = "finding"

    id: Mapped[str] = id_column()
    vendor_id: Mapped[str] = mapped_column(String(64), index=True)
    source: Mapped[str] = mapped_column(String(32))
    source_ref: Mapped[str | None] = mapped_column(String(64), nullable=True)
    description: Mapped[str] = mapped_column(Text)
    severity: Mapped[str] = mapped_column(String(16))
    found_on: Mapped[date] = mapped_column(Date)
    reported_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_at_column()


class RectificationOrder(Base):
    """整改: tracked until verified closed."""

    __tablename__ = "rectification_order"

    id: Mapped[str] = id_column()
    finding_id: Mapped[str] = mapped_column(ForeignKey("finding.id", ondelete="CASCADE"), unique=True)
    vendor_id: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    issued_on: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date, index=True)
    submitted_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    verified_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    history: Mapped[list[dict[str, str | None]]] = mapped_column(JSONB, default=list)
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = created_at_column()


class Evidence(Base):
    __tablename__ = "evidence"

    id: Mapped[str] = id_column()
    order_id: Mapped[str] = mapped_column(ForeignKey("rectification_order.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
