from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class IngestBatch(BaseModel):
    """Readings and positions of gateways without MQTT; items follow the MQTT payload contract plus their id."""

    readings: list[dict[str, Any]] = Field(
        default_factory=list, description="readings, each with `meter_id`, `ts` and channels (see docs/mqtt.md)"
    )
    positions: list[dict[str, Any]] = Field(
        default_factory=list, description="positions, each with `vehicle_id`, `ts`, `lat`, `lon` ..."
    )


class RejectedItem(BaseModel):
    series: Literal["readings", "positions"] = Field(description="which list the item was in")
    index: int = Field(ge=0, description="position of the item in that list")
    reason: str = Field(description="why it went to the dead letters")


class IngestResult(BaseModel):
    accepted: int = Field(ge=0, description="valid items (inserted or already stored)")
    inserted: int = Field(ge=0, description="items stored now")
    duplicates: int = Field(ge=0, description="valid items already stored (same device and ts): no effect")
    rejected: list[RejectedItem] = Field(default_factory=list, description="items sent to the dead letters")
