"""Bodies of the alarm panel registry and the alarm event listing."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from houqin_common.schemas import InputModel


class ZoneIn(InputModel):
    zone: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$", description="point or zone")
    building: str = Field(min_length=1, max_length=100, description="building")
    floor: str | None = Field(default=None, max_length=20, description="floor")
    room: str | None = Field(default=None, max_length=50, description="room or area")
    label: str | None = Field(default=None, max_length=200, description="what is there, e.g. 烟感探测器")


class PanelCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": "FP-01",
                    "name": "3号楼火灾报警控制器",
                    "system": "fire",
                    "building": "3号楼",
                    "zones": [{"zone": "Z-3F-07", "building": "3号楼", "floor": "3", "room": "307", "label": "烟感"}],
                }
            ]
        }
    )

    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.:\-]+$", description="panel id (topic)")
    name: str = Field(min_length=1, max_length=200, description="name")
    system: Literal["fire", "security"] = Field(description="fire-alarm panel or intrusion/video system")
    building: str = Field(min_length=1, max_length=100, description="building")
    vendor_id: str | None = Field(
        default=None, max_length=64, description="maintaining vendor; when null, appraisal finds it by contract"
    )
    zones: list[ZoneIn] = Field(default_factory=list, max_length=2000, description="points and zones")


class ZoneRead(ZoneIn):
    model_config = ConfigDict(from_attributes=True)


class PanelRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="panel id")
    name: str = Field(description="name")
    system: str = Field(description="fire or security")
    building: str = Field(description="building")
    vendor_id: str | None = Field(description="maintaining vendor")
    zones: list[ZoneRead] = Field(default_factory=list, description="points and zones")


class AlarmEventRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="event id")
    panel_id: str = Field(description="panel")
    zone: str = Field(description="zone")
    ts: datetime = Field(description="device time")
    event: str = Field(description="event type")
    test: bool = Field(description="a test or drill")
    restores: str | None = Field(description="restore: the event type cleared")
    text: str | None = Field(description="the panel's text")
    received_at: datetime = Field(description="received")
    cleared_at: datetime | None = Field(description="cleared by a restore at that device time")
    hazard_id: str | None = Field(description="the hazard appraisal opened (or joined) for it")
