"""Request and response bodies of the inspections, and their vocabularies (frequency, result, severity)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from houqin_common.schemas import InputModel, request_examples


class Frequency(StrEnum):
    monthly = "monthly"
    quarterly = "quarterly"


class FoodSafetyKind(StrEnum):
    scheduled = "scheduled"
    random = "random"

    @property
    def label_zh(self) -> str:
        return {"scheduled": "定期检查", "random": "随机抽查"}[self.value]


class FoodSafetyResult(StrEnum):
    passed = "passed"
    conditional = "conditional"
    failed = "failed"


class Severity(StrEnum):
    minor = "minor"
    major = "major"
    critical = "critical"


class ChecklistItem(InputModel):
    code: str = Field(min_length=1, max_length=64, description="item code, unique on the checklist")
    text: str = Field(min_length=1, max_length=500, description="what the inspector checks")
    max_points: float = Field(gt=0, le=1000, description="points when fully met")


class ChecklistCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra=request_examples(
            "ChecklistCreate",
            {
                "name": "保洁服务月度检查表",
                "project_code": "cleaning",
                "frequency": "monthly",
                "items": [
                    {"code": "C1", "text": "办公区地面无污渍、无积水", "max_points": 40},
                    {"code": "C2", "text": "卫生间无异味,洗手液及纸巾充足", "max_points": 40},
                    {"code": "C3", "text": "垃圾分类投放并日产日清", "max_points": 20},
                ],
            },
        )
    )

    name: str = Field(min_length=1, max_length=200, description="checklist name")
    project_code: str | None = Field(default=None, max_length=64, description="service project it is meant for")
    frequency: Frequency = Field(description="monthly or quarterly")
    items: list[ChecklistItem] = Field(min_length=1, description="checklist items")


class ChecklistRead(ChecklistCreate):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="checklist id")
    created_at: datetime = Field(description="created")


class ItemResult(InputModel):
    code: str = Field(description="checklist item code")
    points: float = Field(ge=0, description="points awarded (0..max_points)")
    note: str | None = Field(default=None, max_length=1000, description="observation")


class RoutineCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "vendor_id": "130cc2f8-68c2-5c04-9043-2847361ec4b1",
                    "template_id": "7caf047f-418c-5f8c-8184-c1f912a91161",
                    "inspected_on": "2026-06-12",
                    "results": [
                        {"code": "staffing", "points": 20},
                        {"code": "process", "points": 27},
                        {"code": "quality", "points": 26, "note": "3号楼4层卫生间纸巾缺失"},
                        {"code": "safety", "points": 20},
                    ],
                    "note": "总体良好,卫生间耗材补充需加强。",
                }
            ]
        }
    )

    vendor_id: str = Field(min_length=1, max_length=64, description="vendor inspected")
    template_id: str = Field(description="checklist used")
    inspected_on: date = Field(description="day of the inspection")
    results: list[ItemResult] = Field(description="points per item; items left out score 0")
    note: str | None = Field(default=None, max_length=4000, description="overall remarks")


class RoutineRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="inspection id")
    vendor_id: str = Field(description="vendor")
    vendor_name: str | None = Field(
        default=None, description="the vendor's registered name (a fallback text when contracts-api is unreachable)"
    )
    template_id: str = Field(description="checklist")
    frequency: str = Field(description="monthly or quarterly")
    inspected_on: date = Field(description="day")
    inspector: str = Field(description="who inspected (token subject)")
    results: list[ItemResult] = Field(description="points per item")
    score: float = Field(description="0-100")
    note: str | None = Field(description="remarks")


class Violation(InputModel):
    description: str = Field(min_length=1, max_length=1000, description="what was found")
    severity: Severity = Field(description="minor, major or critical")


class FoodSafetyCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra=request_examples(
            "FoodSafetyCreate",
            {
                "vendor_id": "87003d64-9d4e-51b6-92e8-aa5624757591",
                "agency": "江苏省常州质量技术监督检测所",
                "kind": "random",
                "announced": False,
                "inspected_on": "2026-05-21",
                "result": "conditional",
                "violations": [{"description": "冷藏柜生熟食品未分层存放", "severity": "major"}],
            },
        )
    )

    vendor_id: str = Field(min_length=1, max_length=64, description="catering vendor inspected")
    agency: str = Field(min_length=1, max_length=200, description="third-party inspection agency")
    kind: FoodSafetyKind = Field(description="scheduled or random check")
    announced: bool = Field(description="announced (明查) or unannounced (暗访) visit")
    inspected_on: date = Field(description="day")
    result: FoodSafetyResult = Field(description="passed, conditional or failed")
    violations: list[Violation] = Field(default_factory=list, description="violations found")


class FoodSafetyRead(FoodSafetyCreate):
    vendor_name: str | None = Field(
        default=None, description="the vendor's registered name (a fallback text when contracts-api is unreachable)"
    )
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="inspection id")
    inspector: str = Field(description="who recorded it")
    score: float = Field(description="100 minus the configured penalty per violation")
    worst_severity: str | None = Field(description="worst violation")
