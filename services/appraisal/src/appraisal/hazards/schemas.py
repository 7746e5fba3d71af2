"""Request and response bodies of the hazard register."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from appraisal.hazards.rules import HazardAction, HazardCategory, HazardSeverity, HazardSource, HazardStatus
from houqin_common.schemas import InputModel


class Attachment(InputModel):
    """A photo or document of the hazard, kept in the contract archive of contracts-api (hashed storage):
    the hazard records the reference, never the bytes."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "document_id": "3f1c2a9e-5d41-4c1e-9a57-0b7e5f3c2d10",
                    "contract_id": "9b2f6c1d-1e3a-4f5b-8c7d-6e5f4a3b2c1d",
                    "note": "整改后现场照片",
                }
            ]
        }
    )

    document_id: str = Field(min_length=1, max_length=64, description="archive document id in contracts-api")
    contract_id: str | None = Field(
        default=None, max_length=64, description="the contract whose archive holds it (the responsible vendor's)"
    )
    sha256: str | None = Field(
        default=None, min_length=64, max_length=64, pattern="^[0-9a-f]{64}$", description="content hash"
    )
    note: str | None = Field(default=None, max_length=500, description="what it shows")


class HazardCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "category": "fire",
                    "severity": "major",
                    "source": "patrol",
                    "description": "3号楼5层东侧消防通道堆放杂物",
                    "building": "3号楼",
                    "floor": "5",
                    "room": "东侧通道",
                    "found_at": "2026-05-21T09:30:00+08:00",
                }
            ]
        }
    )

    category: HazardCategory = Field(description="安防 security, 消防 fire, 物防 physical, 技防 technical, other")
    severity: HazardSeverity = Field(description="一般 general, 较大 major, 重大 critical: sets the deadlines")
    source: HazardSource = Field(description="where it was found")
    description: str = Field(min_length=1, max_length=4000, description="the hazard")
    building: str = Field(min_length=1, max_length=100, description="building")
    floor: str | None = Field(default=None, max_length=20, description="floor")
    room: str | None = Field(default=None, max_length=50, description="room or area")
    found_at: datetime | None = Field(default=None, description="when it was found (now when omitted)")
    vendor_id: str | None = Field(
        default=None,
        max_length=64,
        description="responsible vendor; when omitted, the vendor under contract for the category's project",
    )
    attachments: list[Attachment] = Field(default_factory=list, max_length=20, description="photos and documents")


class AlarmHazardIn(InputModel):
    """An alarm that was not cleared in time (sent by telemetry-ingest's alarm watcher)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "alarm_id": "FP-01:Z-3F-07:2026-05-21T09:30:00+08:00:fault",
                    "panel_id": "FP-01",
                    "zone": "Z-3F-07",
                    "event_type": "fault",
                    "occurred_at": "2026-05-21T09:30:00+08:00",
                    "building": "3号楼",
                    "floor": "3",
                    "room": "307",
                    "description": "烟感探测器故障",
                }
            ]
        }
    )

    alarm_id: str = Field(min_length=1, max_length=64, description="the alarm's id: repeated calls record it once")
    panel_id: str = Field(min_length=1, max_length=64, description="alarm panel")
    zone: str = Field(min_length=1, max_length=64, description="point or zone of the panel")
    event_type: str = Field(min_length=1, max_length=20, description="fire_alarm, fault, intrusion, ...")
    occurred_at: datetime = Field(description="device time of the alarm")
    building: str = Field(min_length=1, max_length=100, description="building of the zone")
    floor: str | None = Field(default=None, max_length=20, description="floor of the zone")
    room: str | None = Field(default=None, max_length=50, description="room of the zone")
    description: str | None = Field(default=None, max_length=500, description="the zone's label")
    vendor_id: str | None = Field(default=None, max_length=64, description="responsible vendor, when known")


class AlarmClearedIn(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"cleared_at": "2026-05-21T09:48:00+08:00"}]})

    cleared_at: datetime = Field(description="device time of the restore")


class HazardTransitionIn(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"action": "start", "note": "已安排保安队长现场清理"},
                {"action": "remove", "note": "已清理通道杂物"},
            ]
        }
    )

    action: HazardAction = Field(
        description="assign (office), start and remove (vendor or office), verify and reopen (office)"
    )
    note: str | None = Field(default=None, max_length=2000, description="what was done, or why")
    vendor_id: str | None = Field(default=None, max_length=64, description="`assign`: another responsible vendor")
    attachments: list[Attachment] = Field(default_factory=list, max_length=20, description="evidence of the step")


class HazardAlarmRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    alarm_id: str = Field(description="alarm id")
    panel_id: str = Field(description="panel")
    zone: str = Field(description="zone")
    event_type: str = Field(description="event type")
    occurred_at: datetime = Field(description="device time")
    cleared_at: datetime | None = Field(description="device time of the restore, if any")


class HazardRead(BaseModel):
    id: str = Field(description="hazard id")
    category: HazardCategory = Field(description="category")
    category_zh: str = Field(description="category in Chinese")
    severity: HazardSeverity = Field(description="severity")
    severity_zh: str = Field(description="severity in Chinese")
    source: HazardSource = Field(description="source")
    source_zh: str = Field(description="source in Chinese")
    description: str = Field(description="the hazard")
    building: str = Field(description="building")
    floor: str | None = Field(description="floor")
    room: str | None = Field(description="room")
    vendor_id: str = Field(description="responsible vendor")
    vendor_name: str | None = Field(default=None, description="the vendor's registered name (contracts-api)")
    project_code: str | None = Field(description="project whose contract made the vendor responsible")
    project_name_zh: str | None = Field(default=None, description="the project's Chinese label (contracts-api)")
    contract_id: str | None = Field(description="that contract (null: vendor named by the office)")
    status: HazardStatus = Field(description="lifecycle status")
    status_zh: str = Field(description="status in Chinese")
    found_at: datetime = Field(description="found")
    response_due_at: datetime = Field(description="the vendor must have started by then")
    removal_due_at: datetime = Field(description="the hazard must be removed by then")
    assigned_at: datetime | None = Field(description="assigned to the vendor")
    rectifying_at: datetime | None = Field(description="rectification started")
    removed_at: datetime | None = Field(description="removed (by the vendor's report)")
    verified_at: datetime | None = Field(description="removal verified (整改销号)")
    overdue: bool = Field(description="open past its removal deadline")
    late: bool = Field(description="removed after its deadline, or still open past it")
    attachments: list[dict[str, Any]] = Field(description="archive references of photos and documents")
    alarms: list[HazardAlarmRead] = Field(default_factory=list, description="alarms recorded on the hazard")
    history: list[dict[str, Any]] = Field(description="every step: when, by whom, from, to, note")
    version: int = Field(description='optimistic-concurrency version (the ETag is `"<version>"`)')


class HazardCount(BaseModel):
    category: HazardCategory = Field(description="category")
    category_zh: str = Field(description="category in Chinese")
    status: HazardStatus = Field(description="status at the end of the period (or now)")
    status_zh: str = Field(description="status in Chinese")
    count: int = Field(ge=0, description="hazards found in the period")


class HazardStats(BaseModel):
    period: str = Field(description="`2026`, `2026H1` or `2026H2`")
    title: str = Field(description="the report's title")
    found: int = Field(ge=0, description="hazards found in the period")
    removed: int = Field(ge=0, description="of which removed (or verified)")
    verified: int = Field(ge=0, description="of which verified (整改销号)")
    late: int = Field(ge=0, description="removed late or still open past the deadline")
    counts: list[HazardCount] = Field(description="by category and status")
