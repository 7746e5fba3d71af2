"""Response bodies of the archive routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class DocumentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="document id")
    contract_id: str = Field(description="contract")
    filename: str = Field(description="file name as uploaded")
    version: int = Field(description="1 for the first upload of this file name, then 2, 3...")
    media_type: str = Field(description="media type")
    size: int = Field(description="bytes")
    sha256: str = Field(description="SHA-256 of the content (hex)")
    uploaded_by: str = Field(description="who uploaded it")
    uploaded_at: datetime = Field(description="when")


class ArchiveEntry(DocumentRead):
    vendor_id: str = Field(description="vendor of the contract")
    project_code: str = Field(description="project of the contract")
    contract_status: str = Field(description="status of the contract")
