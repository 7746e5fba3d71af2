"""Request and response bodies of regulations, guidance plans and visits, trainings and attendance."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from appraisal.guidance.rules import RegulationKind
from appraisal.inspections.schemas import Severity
from houqin_common.schemas import InputModel


class RegulationCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "regulation",
                    "title": "常州市机关后勤社会化服务保障实施细则",
                    "number": "常管〔2026〕12号",
                    "version": "2026",
                    "effective_date": "2026-07-01",
                    "archive_document_id": "5b0e3c1e-6b1e-4a55-9d1d-3a6f0e1a2b3c",
                    "projects": ["catering", "cleaning", "security"],
                }
            ]
        },
    )

    kind: RegulationKind = Field(default=RegulationKind.regulation, description="regulation or service standard")
    title: str = Field(min_length=1, max_length=300, description="title (《…》 without the brackets)")
    number: str = Field(min_length=1, max_length=64, description="document number (文号)")
    version: str = Field(default="1", min_length=1, max_length=32, description="version")
    effective_date: date | None = Field(default=None, description="in force from")
    archive_document_id: str | None = Field(
        default=None, max_length=64, description="the document in the contracts-api archive (a reference)"
    )
    projects: list[str] = Field(default_factory=list, description="project codes it governs (empty: every project)")


class RegulationRead(RegulationCreate):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="regulation id")
    kind_zh: str = Field(default="", description="Chinese label of the kind")


class PlanCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "project_code": "catering",
                    "year": 2026,
                    "vendor_id": "87003d64-9d4e-51b6-92e8-aa5624757591",
                    "planned_visits": 2,
                    "focus": "食品安全操作规范、餐厅服务流程",
                }
            ]
        },
    )

    project_code: str = Field(min_length=1, max_length=64, description="service project")
    year: int = Field(ge=2000, le=2100, description="year")
    vendor_id: str = Field(min_length=1, max_length=64, description="the vendor running the project")
    planned_visits: int = Field(default=2, ge=0, le=52, description="guidance visits planned in the year")
    focus: str | None = Field(default=None, max_length=2000, description="what the guidance focuses on")


class PlanRead(PlanCreate):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="plan id")
    visits: int = Field(default=0, description="visits recorded")
    vendor_name: str | None = Field(default=None, description="the vendor's registered name (contracts-api)")
    project_name_zh: str | None = Field(default=None, description="the project's Chinese label (contracts-api)")


class FindingIn(InputModel):
    description: str = Field(min_length=1, max_length=4000, description="what should change")
    severity: Severity = Field(default=Severity.minor, description="minor, major or critical")
    deadline: date = Field(description="rectify by")


class VisitCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "visited_on": "2026-04-15",
                    "participants": ["综合管理处 王科长", "行政中心管理处 李主任", "餐饮公司 项目经理"],
                    "summary": "检查后厨操作规范，指导留样制度落实",
                    "findings": [
                        {"description": "留样记录未注明留样人", "severity": "minor", "deadline": "2026-06-30"}
                    ],
                }
            ]
        },
    )

    visited_on: date = Field(description="day of the visit")
    participants: list[str] = Field(default_factory=list, description="who took part")
    summary: str = Field(min_length=1, max_length=4000, description="what was guided")
    findings: list[FindingIn] = Field(
        default_factory=list, description="each finding opens a rectification order for the project's vendor"
    )


class VisitRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="visit id")
    plan_id: str = Field(description="the plan")
    vendor_id: str = Field(description="vendor guided")
    vendor_name: str | None = Field(default=None, description="the vendor's registered name (contracts-api)")
    visited_on: date = Field(description="day")
    participants: list[str] = Field(description="who took part")
    summary: str = Field(description="what was guided")
    finding_ids: list[str] = Field(description="findings recorded (each with a rectification order)")


class TrainingCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "topic": "机关食堂食品安全管理规范培训",
                    "regulation_id": None,
                    "held_on": "2026-05-20",
                    "place": "行政中心 2 号楼 多功能厅",
                    "vendor_ids": ["87003d64-9d4e-51b6-92e8-aa5624757591", "130cc2f8-68c2-5c04-9043-2847361ec4b1"],
                }
            ]
        },
    )

    topic: str = Field(min_length=1, max_length=300, description="topic")
    regulation_id: str | None = Field(default=None, max_length=64, description="the standard covered")
    held_on: date = Field(description="day")
    place: str | None = Field(default=None, max_length=200, description="where")
    vendor_ids: list[str] = Field(min_length=1, description="vendors invited")


class AttendanceIn(InputModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"vendor_id": "87003d64-9d4e-51b6-92e8-aa5624757591", "attended": True, "attendees": 3}]
        },
    )

    vendor_id: str = Field(min_length=1, max_length=64, description="an invited vendor")
    attended: bool = Field(description="whether it attended")
    attendees: int = Field(default=0, ge=0, le=1000, description="how many of its staff")


class AttendanceRead(BaseModel):
    training_id: str = Field(description="training")
    topic: str = Field(description="topic")
    held_on: date = Field(description="day")
    vendor_id: str = Field(description="vendor")
    vendor_name: str | None = Field(default=None, description="the vendor's registered name (contracts-api)")
    attended: bool | None = Field(description="attended (null: not recorded yet)")
    attendees: int = Field(description="staff attending")


class TrainingRead(BaseModel):
    id: str = Field(description="training id")
    topic: str = Field(description="topic")
    regulation_id: str | None = Field(description="standard covered")
    regulation_title: str | None = Field(default=None, description="its title")
    held_on: date = Field(description="day")
    place: str | None = Field(description="where")
    attendance: list[AttendanceRead] = Field(description="per invited vendor (a vendor sees its own line)")


class OpenFinding(BaseModel):
    finding_id: str = Field(description="finding")
    order_id: str = Field(description="its rectification order")
    description: str = Field(description="what should change")
    found_on: date = Field(description="day of the visit")
    deadline: date = Field(description="rectify by")
    status: str = Field(description="order status")


class VendorGuidance(BaseModel):
    vendor_id: str = Field(description="vendor")
    vendor_name: str | None = Field(default=None, description="the vendor's registered name (contracts-api)")
    year: int = Field(description="year")
    trainings_invited: int = Field(description="trainings it was invited to with attendance recorded")
    trainings_attended: int = Field(description="trainings attended")
    attendance: list[AttendanceRead] = Field(description="the lines")
    open_findings: list[OpenFinding] = Field(description="guidance findings not verified closed")
