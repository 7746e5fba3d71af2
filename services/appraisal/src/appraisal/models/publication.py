"""ORM model of a frozen, published appraisal result of a period."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from appraisal.models.base import Base, created_at_column, id_column


class Publication(Base):
    """One published version of a period's appraisal: immutable (a trigger refuses UPDATE and DELETE).

    Awards, bonuses and renewals read it instead of recomputing, so later data cannot change a result
    the office has announced; a re-publication is a new version listing what changed."""

    __tablename__ = "publication"
    __table_args__ = (UniqueConstraint("period", "version"),)

    id: Mapped[str] = id_column()
    period: Mapped[str] = mapped_column(String(16), index=True)
    version: Mapped[int] = mapped_column(Integer)
    published_by: Mapped[str] = mapped_column(String(200))
    published_at: Mapped[datetime] = created_at_column()
    inputs_fingerprint: Mapped[str] = mapped_column(String(64))
    ranking: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    fingerprints: Mapped[dict[str, str]] = mapped_column(JSONB)
    facts: Mapped[dict[str, dict[str, Any]]] = mapped_column(JSONB)
    differences: Mapped[list[dict[str, Any]]] = mapped_column(JSONB)
    #: set when the publisher overrode the checks (period running, survey open or below target): why, and
    #: the refusals it overrode (stored texts, rendered in the reader's language)
    override_justification: Mapped[str | None] = mapped_column(Text, nullable=True, default=None)
    override_reasons: Mapped[list[dict[str, Any]] | None] = mapped_column(JSONB, nullable=True, default=None)
