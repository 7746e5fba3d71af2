"""What the append-only audit log shows: one entry (a contract's history) and the entry with its entity."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class HistoryEntry(BaseModel):
    """One entry of the append-only audit log."""

    model_config = ConfigDict(from_attributes=True)

    id: int = Field(description="sequence number (append-only)")
    at: datetime = Field(description="when")
    actor: str = Field(description="who")
    action: str = Field(description="what, e.g. `contract.transition`, `contract.review`")
    from_status: str | None = Field(description="status before")
    to_status: str | None = Field(description="status after")
    comment: str | None = Field(description="comment")
    data: dict[str, Any] | None = Field(description="details")


class AuditRead(HistoryEntry):
    entity_type: str = Field(description="vendor, project, procurement, contract or document")
    entity_id: str = Field(description="id of the entity written")
    contract_id: str | None = Field(description="contract concerned, if any")
