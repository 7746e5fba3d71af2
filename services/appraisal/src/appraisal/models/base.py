"""The declarative base of appraisal (schema ``appraisal``) and the shared id and timestamp columns."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, MetaData, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from houqin_common.db import NAMING_CONVENTION


class Base(DeclarativeBase):
    metadata = MetaData(schema="appraisal", naming_convention=NAMING_CONVENTION)


def new_id() -> str:
    return str(uuid.uuid4())


def id_column() -> Mapped[str]:
    return mapped_column(primary_key=True, default=new_id)


def created_at_column() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now(), nullable=False)
