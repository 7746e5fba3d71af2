"""Response bodies of the publications and of the differences between two versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from houqin_common.schemas import VendorScore


class DifferenceRead(BaseModel):
    vendor_id: str = Field(description="vendor")
    field: str = Field(description="`rank`, `total`, `components.<name>`, `inputs` or `published`")
    before: Any = Field(description="value in the previous version")
    after: Any = Field(description="value in this version")


class PublicationSummary(BaseModel):
    period: str = Field(description="appraisal period")
    version: int = Field(description="1 for the first publication, then 2, 3...")
    published_by: str = Field(description="who published it")
    published_at: datetime = Field(description="when")
    inputs_fingerprint: str = Field(description="SHA-256 over every vendor's input fingerprint")
    differences: list[DifferenceRead] = Field(description="what changed since the previous version")


class PublicationRead(PublicationSummary):
    ranking: list[VendorScore] = Field(description="the frozen ranking with scores and components")
    fingerprints: dict[str, str] = Field(description="per vendor, SHA-256 of the inputs its score was computed from")
