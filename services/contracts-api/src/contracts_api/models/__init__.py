"""All ORM models of contracts-api (one package avoids import cycles between domains)."""

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from houqin_common.db import NAMING_CONVENTION


class Base(DeclarativeBase):
    metadata = MetaData(schema="contracts", naming_convention=NAMING_CONVENTION)


from contracts_api.models.vendor import Vendor  # noqa: E402

__all__ = ["Base", "Vendor"]
