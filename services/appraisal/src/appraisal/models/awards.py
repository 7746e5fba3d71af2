"""ORM models of the awards: a year's award decision per vendor, a service star."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from appraisal.models.base import Base, created_at_column, id_column


class AwardDecision(Base):
    """An award (advanced / excellent unit) decided for a vendor and a year."""

    __tablename__ = "award_decision"
    __table_args__ = (UniqueConstraint("year", "vendor_id"),)

    id: Mapped[str] = id_column()
    year: Mapped[int] = mapped_column(Integer, index=True)
    vendor_id: Mapped[str] = mapped_column(String(64))
    award: Mapped[str] = mapped_column(String(32))
    rank: Mapped[int | None] = mapped_column(Integer, nullable=True)
    total: Mapped[float | None] = mapped_column(nullable=True)
    provisional: Mapped[bool] = mapped_column()
    #: award reasons as messages (msgid + params, see ``appraisal.messages``), rendered when read
    reasons: Mapped[list[Any]] = mapped_column(JSONB)
    head_count: Mapped[int | None] = mapped_column(Integer, nullable=True)
    base_bonus: Mapped[Decimal | None] = mapped_column(Numeric(14, 2), nullable=True)
    uplift: Mapped[Decimal | None] = mapped_column(Numeric(14, 2), nullable=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSONB)
    decided_at: Mapped[datetime] = created_at_column()


class ServiceStar(Base):
    """A service-star (服务之星) nomination of one vendor employee."""

    __tablename__ = "service_star"

    id: Mapped[str] = id_column()
    year: Mapped[int] = mapped_column(Integer, index=True)
    vendor_id: Mapped[str] = mapped_column(String(64), index=True)
    person_name: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(Text)
    nominated_by: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="nominated")
    created_at: Mapped[datetime] = created_at_column()
