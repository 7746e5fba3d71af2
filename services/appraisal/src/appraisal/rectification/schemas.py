"""Request and response bodies of the rectification routes."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from appraisal.inspections.schemas import Severity
from appraisal.scoring.rules import OrderAction, OrderStatus
from houqin_common.schemas import InputModel


class FindingSource(StrEnum):
    routine_inspection = "routine_inspection"
    food_safety = "food_safety"
    security_patrol = "security_patrol"
    committee = "committee"
    complaint = "complaint"
    guidance = "guidance"


class FindingCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "vendor_id": "87003d64-9d4e-51b6-92e8-aa5624757591",
                    "source": "food_safety",
                    "description": "冷藏柜生熟食品未分层存放",
                    "severity": "major",
                    "found_on": "2026-05-21",
                    "deadline": "2026-06-28",
                }
            ]
        }
    )

    vendor_id: str = Field(min_length=1, max_length=64, description="vendor responsible for the rectification")
    source: FindingSource = Field(description="where the finding comes from")
    source_ref: str | None = Field(default=None, max_length=64, description="id of the inspection, complaint...")
    description: str = Field(min_length=1, max_length=4000, description="the problem (hazard) found")
    severity: Severity = Field(description="minor, major or critical")
    found_on: date = Field(description="day found")
    deadline: date = Field(description="rectify by (整改期限)")


class OrderRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="rectification order id")
    finding_id: str = Field(description="the finding")
    vendor_id: str = Field(description="vendor responsible")
    vendor_name: str | None = Field(
        default=None, description="the vendor's registered name (a fallback text when contracts-api is unreachable)"
    )
    status: OrderStatus = Field(description="open, in_progress, submitted, verified or rejected")
    status_zh: str = Field(description="Chinese label of the status")
    issued_on: date = Field(description="day issued")
    deadline: date = Field(description="rectify by")
    submitted_on: date | None = Field(description="last submission")
    verified_on: date | None = Field(description="day verified closed")
    overdue: bool = Field(description="past the deadline and not verified (a submission in time is not overdue)")
    description: str = Field(description="the finding")
    severity: str = Field(description="severity of the finding")
    source: str = Field(description="source of the finding")
    history: list[dict[str, str | None]] = Field(description="transitions: at, by, action, from, to, note")
    version: int = Field(description="increments on every transition")


class TransitionIn(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"action": "start", "note": "已安排后厨主管负责整改"},
                {"action": "submit", "note": "已增设分层货架并张贴标识,附整改照片。"},
            ]
        }
    )

    action: OrderAction = Field(description="start, submit (vendor); verify, reject (supervisor, inspector)")
    note: str | None = Field(default=None, max_length=2000, description="comment recorded in the history")


class EvidenceRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="evidence id")
    order_id: str = Field(description="rectification order")
    filename: str = Field(description="uploaded file name")
    content_type: str = Field(description="media type")
    size: int = Field(description="bytes")
    sha256: str = Field(description="content hash")
    uploaded_by: str = Field(description="uploader")
    uploaded_at: datetime = Field(description="when")
