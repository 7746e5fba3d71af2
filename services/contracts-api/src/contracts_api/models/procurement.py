"""ORM models of procurements, quotes, bids and bid scores."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Numeric, String, Text, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from contracts_api.models import Base
from contracts_api.models.vendor import new_id


class Procurement(Base):
    __tablename__ = "procurement"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    project_code: Mapped[str] = mapped_column(ForeignKey("project.code"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    estimated_value: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    is_renewal: Mapped[bool] = mapped_column(Boolean)
    predecessor_contract_id: Mapped[str | None] = mapped_column(String(36))
    incumbent_vendor_id: Mapped[str | None] = mapped_column(ForeignKey("vendor.id"))
    route: Mapped[str] = mapped_column(String(32))
    reasons: Mapped[list[Any]] = mapped_column(JSONB)
    """Each reason as :class:`houqin_common.i18n.Text` JSON (shown in the reader's language); plain strings in
    rows recorded before."""
    appraisal: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    evaluation_method: Mapped[str | None] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(16), default="services")
    scoring_scheme: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB)
    status: Mapped[str] = mapped_column(String(32), default="open")
    awarded_vendor_id: Mapped[str | None] = mapped_column(ForeignKey("vendor.id"))
    awarded_value: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    awarded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class Quote(Base):
    __tablename__ = "quote"
    __table_args__ = (UniqueConstraint("procurement_id", "vendor_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    procurement_id: Mapped[str] = mapped_column(ForeignKey("procurement.id", ondelete="CASCADE"), index=True)
    vendor_id: Mapped[str] = mapped_column(ForeignKey("vendor.id"))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Bid(Base):
    __tablename__ = "bid"
    __table_args__ = (UniqueConstraint("procurement_id", "vendor_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    procurement_id: Mapped[str] = mapped_column(ForeignKey("procurement.id", ondelete="CASCADE"), index=True)
    vendor_id: Mapped[str] = mapped_column(ForeignKey("vendor.id"))
    amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    technical_proposal: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class BidScore(Base):
    __tablename__ = "bid_score"
    __table_args__ = (UniqueConstraint("bid_id", "reviewer"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    bid_id: Mapped[str] = mapped_column(ForeignKey("bid.id", ondelete="CASCADE"), index=True)
    reviewer: Mapped[str] = mapped_column(String(200))
    score: Mapped[float | None] = mapped_column(Float)
    components: Mapped[dict[str, float] | None] = mapped_column(JSONB)
    compliant: Mapped[bool] = mapped_column(Boolean, default=True)
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
