"""ORM models of the savings ledger (节约经费): outsourced projects' costs before and now, shared platforms."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from appraisal.models.base import Base, created_at_column, id_column


class ProjectSaving(Base):
    """One project's year: what it cost before outsourcing (posts × wage, or the office's figure) and now."""

    __tablename__ = "project_saving"
    __table_args__ = (UniqueConstraint("project_code", "year"),)

    id: Mapped[str] = id_column()
    project_code: Mapped[str] = mapped_column(String(64), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    posts: Mapped[int | None] = mapped_column(Integer, nullable=True)
    wage_per_post: Mapped[Decimal | None] = mapped_column(Numeric(14, 2), nullable=True)
    office_figure: Mapped[Decimal | None] = mapped_column(Numeric(16, 2), nullable=True)
    office_figure_source: Mapped[str | None] = mapped_column(Text, nullable=True)
    contract_cost: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    contract_cost_source: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_at_column()


class PlatformSaving(Base):
    """A shared platform's avoided cost in a year (conference centre vs hotel halls, vehicle platform)."""

    __tablename__ = "platform_saving"
    __table_args__ = (UniqueConstraint("platform", "year"),)

    id: Mapped[str] = id_column()
    platform: Mapped[str] = mapped_column(String(32))
    year: Mapped[int] = mapped_column(Integer, index=True)
    avoided_cost: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    source: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_at_column()
