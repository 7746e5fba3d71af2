"""ORM model of a complaint."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from appraisal.models.base import Base, id_column


class Complaint(Base):
    """A complaint or suggestion from staff or visitors, routed to the responsible vendor."""

    __tablename__ = "complaint"
    # the public channel counts a client's recent entries by its hashed address (rate limit)
    __table_args__ = (Index("ix_appraisal_complaint_filed_by_filed_at", "filed_by", "filed_at"),)

    id: Mapped[str] = id_column()
    kind: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(32), index=True)
    vendor_id: Mapped[str | None] = mapped_column(String(64), index=True, nullable=True)
    project_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    description: Mapped[str] = mapped_column(Text)
    filed_by: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), index=True)
    filed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    first_response_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    response: Mapped[str | None] = mapped_column(Text, nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    substantiated: Mapped[bool | None] = mapped_column(nullable=True)
    resolution: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: optional contact a visitor or company left on the public channel (shown to supervisors only)
    contact: Mapped[str | None] = mapped_column(String(200), nullable=True)
