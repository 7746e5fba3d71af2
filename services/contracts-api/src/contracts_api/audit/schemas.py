from __future__ import annotations

from pydantic import Field

from contracts_api.contracts.schemas import HistoryEntry


class AuditRead(HistoryEntry):
    entity_type: str = Field(description="vendor, project, procurement, contract or document")
    entity_id: str = Field(description="id of the entity written")
    contract_id: str | None = Field(description="contract concerned, if any")
