"""All ORM models of appraisal (one package avoids import cycles between domains)."""

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from houqin_common.db import NAMING_CONVENTION


class Base(DeclarativeBase):
    metadata = MetaData(schema="appraisal", naming_convention=NAMING_CONVENTION)


__all__ = ["Base"]
