"""ORM model of a stored OCDS release."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from contracts_api.models import Base


class OcdsRelease(Base):
    """One published OCDS release: append-only (a trigger refuses UPDATE and DELETE), written in the
    transaction of the event it describes, so a release exists exactly when its event committed."""

    __tablename__ = "ocds_release"

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(120), unique=True)
    ocid: Mapped[str] = mapped_column(String(120), index=True)
    event: Mapped[str] = mapped_column(String(64))
    date: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)
