"""Service items, templates, campaigns and the anonymous survey answers.

Anonymity by construction: ``response`` and ``answer`` carry no respondent, no token, no
invitation id and no timestamp; ``consumed_token`` holds only (campaign, hash of the token or of
the staff subject) with no id or timestamp, so nothing joins a response to whoever gave it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from appraisal.models.base import Base, created_at_column, id_column


class ServiceItem(Base):
    """One rated service item of the catalogue, linked to a service project."""

    __tablename__ = "service_item"

    id: Mapped[str] = id_column()
    code: Mapped[str] = mapped_column(String(64), unique=True)
    project_code: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(200))
    name_zh: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)


class SurveyTemplate(Base):
    """A versioned survey form: (name, version) is unique, a published version never changes."""

    __tablename__ = "survey_template"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[str] = id_column()
    name: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = created_at_column()


class TemplateItem(Base):
    __tablename__ = "template_item"

    template_id: Mapped[str] = mapped_column(ForeignKey("survey_template.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("service_item.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


class Assignment(Base):
    """Which vendor runs which service project over which dates (mirrors contracts-api's contracts)."""

    __tablename__ = "assignment"
    __table_args__ = (UniqueConstraint("vendor_id", "project_code", "start_date"),)

    id: Mapped[str] = id_column()
    vendor_id: Mapped[str] = mapped_column(String(64), index=True)
    project_code: Mapped[str] = mapped_column(String(64), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date, nullable=True)


class Campaign(Base):
    """A half-yearly satisfaction survey."""

    __tablename__ = "campaign"

    id: Mapped[str] = id_column()
    period: Mapped[str] = mapped_column(String(16), index=True)
    title: Mapped[str] = mapped_column(String(200))
    template_id: Mapped[str] = mapped_column(ForeignKey("survey_template.id"))
    opens_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closes_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: staff expected to answer through their own login (not through invitation tokens)
    expected_staff: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = created_at_column()


class Invitation(Base):
    """A single-use token handed to a respondent; only its hash is stored, never who received it."""

    __tablename__ = "invitation"

    id: Mapped[str] = id_column()
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    department: Mapped[str | None] = mapped_column(String(120), nullable=True)


class ConsumedToken(Base):
    """Hashes of used tokens (or staff subjects): no id, no timestamp, no link to a response."""

    __tablename__ = "consumed_token"

    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)


class Response(Base):
    """One anonymous answer sheet: random id, no respondent, no timestamp."""

    __tablename__ = "response"

    id: Mapped[str] = id_column()
    campaign_id: Mapped[str] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"), index=True)
    department: Mapped[str | None] = mapped_column(String(120), nullable=True)
    overall_opinion: Mapped[str | None] = mapped_column(Text, nullable=True)
    suggestions: Mapped[str | None] = mapped_column(Text, nullable=True)
    extra: Mapped[dict[str, str] | None] = mapped_column(JSON, nullable=True)


class Answer(Base):
    __tablename__ = "answer"

    response_id: Mapped[str] = mapped_column(ForeignKey("response.id", ondelete="CASCADE"), primary_key=True)
    item_id: Mapped[str] = mapped_column(ForeignKey("service_item.id"), primary_key=True)
    grade: Mapped[str] = mapped_column(String(16))
