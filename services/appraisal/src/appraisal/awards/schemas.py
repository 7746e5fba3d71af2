"""Request and response bodies of the awards and service-star routes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from houqin_common.schemas import InputModel, request_examples


class AwardEvaluate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "base_bonus_cny": "3000.00",
                    "head_counts": {
                        "87003d64-9d4e-51b6-92e8-aa5624757591": 86,
                        "ac7bf36c-1ccd-5ed2-a5e5-98e09b3e0fd3": 120,
                    },
                }
            ]
        }
    )

    base_bonus_cny: Decimal | None = Field(
        default=None,
        ge=0,
        max_digits=10,
        decimal_places=2,
        description="annual government bonus per employee, CNY; the configured default otherwise",
    )
    head_counts: dict[str, int] = Field(
        default_factory=dict, description="vendor id -> employees on the contract (for the bonus uplift)"
    )


class AwardRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="decision id")
    year: int = Field(description="appraisal year")
    vendor_id: str = Field(description="vendor")
    vendor_name: str | None = Field(default=None, description="registered name from contracts-api; null if unknown")
    award: str = Field(description="advanced_unit or excellent_unit")
    award_zh: str = Field(description="先进单位 / 优秀单位")
    rank: int | None = Field(description="rank in the annual ranking")
    total: float | None = Field(description="annual total")
    provisional: bool = Field(description="true when the veto check or a score source was unavailable")
    reasons: list[str] = Field(description="why")
    head_count: int | None = Field(description="employees counted for the uplift")
    base_bonus: Decimal | None = Field(description="bonus per employee, CNY")
    uplift: Decimal | None = Field(description="extra bonus for the vendor's staff: head count x base x rate")
    decided_at: datetime = Field(description="when evaluated")


class AwardEvaluation(BaseModel):
    year: int = Field(description="appraisal year")
    uplift_rate: Decimal = Field(description="configured uplift rate (default 0.10)")
    awards: list[AwardRead] = Field(description="vendors awarded")
    not_awarded: dict[str, list[str]] = Field(description="vendor id -> why not, for ranked vendors")


class ServiceStarCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra=request_examples(
            "ServiceStarCreate",
            {
                "year": 2026,
                "vendor_id": "321ff03f-f5e2-53dc-a51d-3d32bc179c34",
                "person_name": "张晓梅",
                "reason": "全年保障大型会议86场,零差错,多次获参会单位书面表扬。",
            },
        )
    )

    year: int = Field(ge=2000, le=2100, description="appraisal year")
    vendor_id: str = Field(min_length=1, max_length=64, description="vendor employing the person")
    person_name: str = Field(min_length=1, max_length=120, description="name of the nominee (服务之星)")
    reason: str = Field(min_length=1, max_length=4000, description="why nominated")


class ServiceStarRead(ServiceStarCreate):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="nomination id")
    vendor_name: str | None = Field(default=None, description="registered name from contracts-api; null if unknown")
    nominated_by: str = Field(description="who nominated")
    status: str = Field(description="nominated")
    created_at: datetime = Field(description="when")
