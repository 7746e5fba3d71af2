"""ORM models of the inspections: checklist templates, routine and food-safety inspections."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Float, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from appraisal.models.base import Base, created_at_column, id_column


class ChecklistTemplate(Base):
    """Routine-inspection checklist: items with their maximum points."""

    __tablename__ = "checklist_template"

    id: Mapped[str] = id_column()
    name: Mapped[str] = mapped_column(String(200))
    project_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    frequency: Mapped[str] = mapped_column(String(16))
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = created_at_column()


class RoutineInspection(Base):
    __tablename__ = "routine_inspection"

    id: Mapped[str] = id_column()
    vendor_id: Mapped[str] = mapped_column(String(64), index=True)
    template_id: Mapped[str] = mapped_column(String(36))
    frequency: Mapped[str] = mapped_column(String(16))
    inspected_on: Mapped[date] = mapped_column(Date, index=True)
    inspector: Mapped[str] = mapped_column(String(200))
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    score: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = created_at_column()


class FoodSafetyInspection(Base):
    """Third-party food-safety inspection commissioned by the catering committee."""

    __tablename__ = "food_safety_inspection"

    id: Mapped[str] = id_column()
    vendor_id: Mapped[str] = mapped_column(String(64), index=True)
    agency: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))
    announced: Mapped[bool] = mapped_column()
    inspected_on: Mapped[date] = mapped_column(Date, index=True)
    inspector: Mapped[str] = mapped_column(String(200))
    result: Mapped[str] = mapped_column(String(16))
    violations: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    score: Mapped[float] = mapped_column(Float)
    worst_severity: Mapped[str | None] = mapped_column(String(16), nullable=True)
    created_at: Mapped[datetime] = created_at_column()
