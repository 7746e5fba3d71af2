"""All ORM models of contracts-api (one package avoids import cycles between domains)."""

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from houqin_common.db import NAMING_CONVENTION


class Base(DeclarativeBase):
    metadata = MetaData(schema="contracts", naming_convention=NAMING_CONVENTION)


from contracts_api.models.contract import AuditEntry, Contract, Document, Review  # noqa: E402
from contracts_api.models.ocds import OcdsRelease  # noqa: E402
from contracts_api.models.procurement import Bid, BidScore, Procurement, Quote  # noqa: E402
from contracts_api.models.project import Project  # noqa: E402
from contracts_api.models.vendor import (  # noqa: E402
    CreditRecord,
    DueDiligence,
    Qualification,
    Vendor,
    VendorLegalStatus,
    Veto,
)

__all__ = [
    "AuditEntry",
    "Base",
    "Bid",
    "BidScore",
    "Contract",
    "CreditRecord",
    "Document",
    "DueDiligence",
    "OcdsRelease",
    "Procurement",
    "Project",
    "Qualification",
    "Quote",
    "Review",
    "Vendor",
    "VendorLegalStatus",
    "Veto",
]
