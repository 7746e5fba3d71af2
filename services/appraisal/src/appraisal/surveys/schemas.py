"""Request and response bodies of the survey routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from appraisal.catalogue.schemas import ServiceItemRead
from appraisal.scoring.rules import Grade
from houqin_common.i18n import _
from houqin_common.schemas import PERIOD_RE, InputModel, LocalizedName


def _half_or_year(value: str) -> str:
    m = PERIOD_RE.match(value)
    if not m or m["quarter"] or m["month"]:
        raise ValueError(_("a campaign period is a half-year such as 2026H1 (or a year)"))
    return value


CampaignPeriod = Annotated[str, AfterValidator(_half_or_year), Field(description="`2026H1`, `2026H2` (or `2026`)")]


class CampaignCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "period": "2026H1",
                    "title": "2026年上半年后勤服务满意度测评",
                    "template_id": "d24fdc94-42bc-5e3e-b4db-63e8f7921eb1",
                    "opens_at": "2026-06-01T08:30:00+08:00",
                    "closes_at": "2026-06-30T17:30:00+08:00",
                    "expected_staff": 1200,
                }
            ]
        }
    )

    period: CampaignPeriod
    title: str = Field(min_length=1, max_length=200, description="e.g. 2026年上半年后勤服务满意度测评")
    template_id: str = Field(description="survey template version to use")
    opens_at: datetime = Field(description="answers accepted from")
    closes_at: datetime = Field(description="answers accepted until")
    expected_staff: int = Field(
        default=0, ge=0, description="staff expected to answer through their own login (counted as invited)"
    )


class CampaignRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="campaign id")
    period: str = Field(description="half-year")
    title: str = Field(description="title")
    template_id: str = Field(description="template version")
    opens_at: datetime = Field(description="opens")
    closes_at: datetime = Field(description="closes")
    expected_staff: int = Field(description="staff expected to answer with their login")
    created_at: datetime = Field(description="created")


class InvitationBatch(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"count": 150, "department": "市发展和改革委员会"}]})

    count: int = Field(ge=1, le=5000, description="tokens to issue")
    department: str | None = Field(default=None, max_length=120, description="department of the respondents")


class InvitationTokens(BaseModel):
    campaign_id: str = Field(description="campaign")
    department: str | None = Field(description="department")
    tokens: list[str] = Field(description="single-use tokens: shown once, only their hashes are stored")


class AnswerIn(InputModel):
    item_code: str = Field(description="service item code")
    grade: Grade = Field(description="excellent 优 / good 较好 / fair 一般 / poor 差 / n/a")


class ResponseCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "answers": [
                        {"item_code": "catering.food_quality", "grade": "good"},
                        {"item_code": "cleaning.offices", "grade": "excellent"},
                        {"item_code": "security.door_guards", "grade": "n/a"},
                    ],
                    "overall_opinion": "整体服务较好,食堂菜品丰富。",
                    "suggestions": "建议早餐增加杂粮粥品种。",
                }
            ]
        }
    )

    answers: list[AnswerIn] = Field(min_length=1, description="one grade per item; items left out count as n/a")
    overall_opinion: str | None = Field(default=None, max_length=4000, description="总体意见")
    suggestions: str | None = Field(default=None, max_length=4000, description="建议")
    department: str | None = Field(
        default=None, max_length=120, description="staff login only: department (the invitation's otherwise)"
    )


class ResponseAccepted(BaseModel):
    campaign_id: str = Field(description="campaign")
    answers: int = Field(description="answers recorded")


class SurveyForm(BaseModel):
    campaign: CampaignRead = Field(description="the campaign")
    items: list[ServiceItemRead] = Field(description="items to grade, in order")
    grades: dict[str, str] = Field(description="grade -> its label in the answer's language (优 … / excellent …)")


class DepartmentRate(BaseModel):
    department: str = Field(description="department")
    invited: int = Field(description="tokens issued to the department")
    answered: int | None = Field(description="responses; null when fewer than the anonymity minimum")


class ResponseRate(BaseModel):
    campaign_id: str = Field(description="campaign")
    invited: int = Field(description="tokens issued plus staff expected")
    answered: int = Field(description="responses received")
    rate: float | None = Field(description="answered / invited")
    target: float = Field(description="configured target (default 0.95)")
    meets_target: bool = Field(description="rate >= target")
    departments: list[DepartmentRate] = Field(description="per department (anonymity minimum applies)")


class GradeStats(BaseModel):
    distribution: dict[str, int] = Field(description="answers per grade")
    score: float | None = Field(description="mean points 0-100 (n/a excluded)")
    answers: int = Field(description="answers")


class ItemResult(GradeStats, LocalizedName):
    item_code: str = Field(description="item")
    name: str = Field(description="English name")
    name_zh: str = Field(description="Chinese name")
    project_code: str = Field(description="project")
    project_name_zh: str | None = Field(
        default=None, description="the project's Chinese name (contracts-api; null when it cannot be reached)"
    )


class VendorResult(GradeStats):
    vendor_id: str = Field(description="vendor credited with the items")
    vendor_name: str | None = Field(
        default=None, description="the vendor's registered name (a fallback text when contracts-api is unreachable)"
    )


class DepartmentResult(GradeStats):
    department: str = Field(description="department of the respondents")
    responses: int = Field(description="responses from the department")


class CampaignResults(BaseModel):
    campaign_id: str = Field(description="campaign")
    period: str = Field(description="half-year")
    responses: int = Field(description="responses")
    min_group_size: int = Field(description="groups smaller than this are not shown")
    items: list[ItemResult] = Field(description="per service item")
    vendors: list[VendorResult] = Field(description="per vendor")
    departments: list[DepartmentResult] = Field(description="per department, only groups >= min_group_size")
    suppressed_departments: int = Field(description="departments hidden because too small")
    overall_opinions: list[str] = Field(description="free-text opinions, in text order (not answer order)")
    suggestions: list[str] = Field(description="free-text suggestions, in text order")
