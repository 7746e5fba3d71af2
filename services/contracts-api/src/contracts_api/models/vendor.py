"""ORM models of vendors and their legal-status history, qualifications, credit records, due diligence and vetoes."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, DateTime, ForeignKey, Identity, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from contracts_api.models import Base


def new_id() -> str:
    return str(uuid.uuid4())


class Vendor(Base):
    __tablename__ = "vendor"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    legal_status: Mapped[str] = mapped_column(String(32), default="registered", server_default="registered")
    legal_representative: Mapped[str | None] = mapped_column(String(100))
    contact_name: Mapped[str | None] = mapped_column(String(100))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )


class VendorLegalStatus(Base):
    """The vendor's legal-person status from ``recorded_at`` on; appended by a trigger on every insert and
    status change of a vendor (migration c1801), so eligibility on a past day judges the status of then."""

    __tablename__ = "vendor_legal_status"
    __table_args__ = (Index("ix_vendor_legal_status_vendor_recorded", "vendor_id", "recorded_at"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    vendor_id: Mapped[str] = mapped_column(ForeignKey("vendor.id", ondelete="CASCADE"))
    legal_status: Mapped[str] = mapped_column(String(32))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Qualification(Base):
    __tablename__ = "qualification"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    vendor_id: Mapped[str] = mapped_column(ForeignKey("vendor.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(100))
    number: Mapped[str] = mapped_column(String(100))
    issuer: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date, index=True)
    mandatory: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CreditRecord(Base):
    __tablename__ = "credit_record"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    vendor_id: Mapped[str] = mapped_column(ForeignKey("vendor.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    occurred_date: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class DueDiligence(Base):
    """A due-diligence update on a vendor before a contract period (legal status, capacity, credit, quality, price)."""

    __tablename__ = "due_diligence"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    vendor_id: Mapped[str] = mapped_column(ForeignKey("vendor.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(16))
    legal_status: Mapped[str] = mapped_column(String(32))
    capacity: Mapped[str] = mapped_column(String(32))
    credit: Mapped[str] = mapped_column(String(32))
    service_quality: Mapped[str] = mapped_column(String(32))
    price: Mapped[str] = mapped_column(String(32))
    verdict: Mapped[str] = mapped_column(String(32))
    notes: Mapped[str | None] = mapped_column(Text)
    reviewer: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Veto(Base):
    """A one-vote veto (一票否决). Lifted, never deleted (a trigger refuses DELETE)."""

    __tablename__ = "veto"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    vendor_id: Mapped[str] = mapped_column(ForeignKey("vendor.id"), index=True)
    ground: Mapped[str] = mapped_column(String(32))
    evidence: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    lifted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    lifted_by: Mapped[str | None] = mapped_column(String(200))
    lift_reason: Mapped[str | None] = mapped_column(Text)
