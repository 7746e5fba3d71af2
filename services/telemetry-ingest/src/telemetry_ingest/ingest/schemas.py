from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from houqin_common.schemas import InputModel


class IngestBatch(InputModel):
    """Readings and positions of gateways without MQTT; items follow the MQTT payload contract plus their id."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "readings": [
                        {
                            "meter_id": "M-A-0001",
                            "ts": "2026-11-27T08:15:00+08:00",
                            "energy_kwh": 182731.25,
                            "power_kw": 41.7,
                        }
                    ],
                    "positions": [
                        {
                            "vehicle_id": "V-001",
                            "ts": "2026-11-27T08:15:05+08:00",
                            "lat": 31.8123,
                            "lon": 119.9745,
                            "speed_kmh": 35.5,
                            "heading": 180,
                        }
                    ],
                }
            ]
        }
    )

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
