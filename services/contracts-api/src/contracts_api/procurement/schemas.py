from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from contracts_api.common import Money
from contracts_api.models.enums import ProcurementStatus, Route
from houqin_common.schemas import request_examples


class ProcurementCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "project_code": "cleaning",
                    "estimated_value": "1200000.00",
                    "renewal": True,
                    "title": "2026—2027年度常州市行政中心保洁服务采购",
                }
            ]
        },
    )

    project_code: str = Field(max_length=64, description="service project code")
    estimated_value: Money
    renewal: bool = Field(default=False, description="whether it renews an existing contract")
    predecessor_contract_id: str | None = Field(
        default=None, max_length=36, description="contract renewed; defaults to the project's latest contract"
    )
    title: str | None = Field(default=None, max_length=300, description="title; derived from the project if omitted")


class ProcurementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="procurement id")
    ocid: str = Field(description="OCDS open contracting id")
    project_code: str = Field(description="project")
    title: str = Field(description="title")
    estimated_value: Money
    is_renewal: bool = Field(description="renews an existing contract")
    predecessor_contract_id: str | None = Field(description="contract renewed")
    incumbent_vendor_id: str | None = Field(description="vendor of the contract renewed")
    route: Route = Field(description="recommended route")
    route_label_zh: str = Field(description="Chinese label of the route")
    reasons: list[str] = Field(description="why this route")
    appraisal: dict[str, Any] | None = Field(description="the appraisal consulted for a renewal")
    status: ProcurementStatus = Field(description="open, awarded or cancelled")
    awarded_vendor_id: str | None = Field(description="vendor awarded")
    awarded_value: Money | None = None
    awarded_at: datetime | None = Field(description="when awarded")
    created_by: str = Field(description="who opened it")
    created_at: datetime = Field(description="when")


class QuoteCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=request_examples(
            "QuoteCreate",
            {
                "vendor_id": "130cc2f8-68c2-5c04-9043-2847361ec4b1",
                "amount": "1168000.00",
                "note": "含保洁耗材及夜间加班费",
            },
        ),
    )

    vendor_id: str = Field(max_length=36, description="quoting vendor")
    amount: Money
    note: str | None = Field(default=None, max_length=2000, description="remarks")


class QuoteRead(QuoteCreate):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="quote id")
    procurement_id: str = Field(description="procurement")
    created_at: datetime = Field(description="when")


class RankedQuote(BaseModel):
    vendor_id: str = Field(description="vendor")
    amount: Money
    valid: bool = Field(description="false when the vendor is disqualified")
    disqualification: list[str] = Field(default_factory=list, description="why it is disqualified")


class PriceComparisonRead(BaseModel):
    procurement_id: str = Field(description="procurement")
    decided: bool = Field(description="false when too few valid quotes")
    min_valid_quotes: int = Field(description="valid quotes needed")
    winner_vendor_id: str | None = Field(description="lowest eligible quote")
    winning_amount: Money | None = None
    quotes: list[RankedQuote] = Field(description="valid quotes by amount, then disqualified ones")
    explanation: list[str] = Field(description="ties, disqualifications and the decision")


class BidCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "vendor_id": "130cc2f8-68c2-5c04-9043-2847361ec4b1",
                    "amount": "1150000.00",
                    "technical_proposal": "驻场保洁员62人,实行分区包干;大会议室会前一小时专项保洁。",
                }
            ]
        },
    )

    vendor_id: str = Field(max_length=36, description="bidding vendor")
    amount: Money
    technical_proposal: str | None = Field(default=None, max_length=8000, description="summary of the proposal")


class BidScoreCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"score": 86.5, "comment": "人员配置合理,应急预案较完善。"}]}
    )

    score: float = Field(ge=0, le=100, description="evaluation score 0-100")
    comment: str | None = Field(default=None, max_length=2000, description="reviewer's comment")


class BidRead(BaseModel):
    id: str = Field(description="bid id")
    vendor_id: str = Field(description="vendor")
    amount: Money
    scores: list[float] = Field(description="reviewers' scores")
    mean_score: float | None = Field(description="mean of the scores")
    rank: int = Field(description="1 = best")
    disqualification: list[str] = Field(default_factory=list, description="why the vendor cannot be awarded")


class AwardCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "vendor_id": "130cc2f8-68c2-5c04-9043-2847361ec4b1",
                    "value": "1150000.00",
                    "start_date": "2026-07-01",
                    "end_date": "2027-06-30",
                    "title": "2026—2027年度常州市行政中心保洁服务合同",
                }
            ]
        },
    )

    vendor_id: str | None = Field(
        default=None,
        max_length=36,
        description="vendor awarded; defaults to the price-comparison winner, the best bid or the incumbent",
    )
    value: Money | None = None
    start_date: date = Field(description="first day of the contract")
    end_date: date = Field(description="last day of the contract")
    title: str | None = Field(default=None, max_length=300, description="contract title")

    @model_validator(mode="after")
    def _end_after_start(self) -> AwardCreate:
        if self.end_date < self.start_date:
            raise ValueError("end_date must not be before start_date")
        return self
