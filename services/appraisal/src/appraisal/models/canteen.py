"""ORM models of the canteen under mixed management (混合兼管): ingredient purchases, covers, settlements."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from appraisal.models.base import Base, created_at_column, id_column


class CanteenPurchase(Base):
    """食材采购: one delivery bought by the management office, accepted or rejected at the door."""

    __tablename__ = "canteen_purchase"

    id: Mapped[str] = id_column()
    canteen: Mapped[str] = mapped_column(String(64), index=True)
    supplier: Mapped[str] = mapped_column(String(200))
    item: Mapped[str] = mapped_column(String(200), index=True)
    category: Mapped[str] = mapped_column(String(32))
    quantity: Mapped[Decimal] = mapped_column(Numeric(14, 3))
    unit: Mapped[str] = mapped_column(String(16))
    unit_price: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    amount: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    purchased_on: Mapped[date] = mapped_column(Date, index=True)
    accepted: Mapped[bool] = mapped_column(Boolean)
    checks: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    rejection_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_at_column()


class CanteenCovers(Base):
    """就餐人次: covers and takings of one meal in one price tier on one day."""

    __tablename__ = "canteen_covers"
    __table_args__ = (UniqueConstraint("canteen", "served_on", "meal", "tier"),)

    id: Mapped[str] = id_column()
    canteen: Mapped[str] = mapped_column(String(64), index=True)
    served_on: Mapped[date] = mapped_column(Date, index=True)
    meal: Mapped[str] = mapped_column(String(16))
    tier: Mapped[str] = mapped_column(String(32))
    covers: Mapped[int] = mapped_column(Integer)
    takings: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = created_at_column()


class CanteenSettlement(Base):
    """经营结算 of a month, versioned: a signed-off version is locked (a trigger refuses UPDATE and DELETE);
    a correction is a new version."""

    __tablename__ = "canteen_settlement"
    __table_args__ = (UniqueConstraint("canteen", "month", "version"),)

    id: Mapped[str] = id_column()
    canteen: Mapped[str] = mapped_column(String(64), index=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    catering_vendor_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    catering_fee: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    fee_source: Mapped[str] = mapped_column(Text)
    ingredient_cost: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    takings: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    covers: Mapped[int] = mapped_column(Integer)
    surplus: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    figures: Mapped[dict[str, Any]] = mapped_column(JSONB)
    corrects_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    correction_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    prepared_by: Mapped[str] = mapped_column(String(200))
    signed_off_by: Mapped[str | None] = mapped_column(String(200), nullable=True)
    signed_off_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = created_at_column()
