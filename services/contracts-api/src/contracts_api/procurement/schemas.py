"""Request and response bodies of the procurement routes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from contracts_api.common import Money
from contracts_api.models.enums import EvaluationMethod, ProcurementCategory, ProcurementStatus, Route
from houqin_common.i18n import Text, _
from houqin_common.schemas import request_examples


def _shown(stored: Any) -> Any:
    """Stored reasons (msgid + parameters, or plain strings from before) in the reader's language."""
    return [Text.shown(r) for r in stored] if isinstance(stored, list) else stored


class ScoringComponentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$", description="component code; `price` is the price component")
    weight: Decimal = Field(gt=0, le=100, max_digits=5, decimal_places=2, description="weight in percent")
    label_zh: str | None = Field(default=None, max_length=100, description="the document's name for it")


class EvaluationIn(BaseModel):
    """What the procurement document (采购文件) fixes about the evaluation of the bids."""

    model_config = ConfigDict(extra="forbid")

    method: EvaluationMethod = Field(description="`comprehensive` (综合评分法) or `lowest_price` (最低评标价法)")
    category: ProcurementCategory = Field(
        default=ProcurementCategory.services, description="`services` (price weight ≥ 10 %) or `goods` (≥ 30 %)"
    )
    components: list[ScoringComponentIn] = Field(
        default_factory=list,
        max_length=20,
        description="综合评分法: the components and weights (percent, summing to 100, `price` included); "
        "omitted: the configured default scheme. Empty for 最低评标价法.",
    )


class ProcurementCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "project_code": "cleaning",
                    "estimated_value": "1200000.00",
                    "renewal": False,
                    "title": "2027—2028年度常州市行政中心保洁服务采购",
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
    evaluation: EvaluationIn | None = Field(
        default=None,
        description="the document's evaluation method for a tender route; omitted: 综合评分法 with the configured "
        "default weights. Refused (422) for price comparison and single source.",
    )


class ProcurementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="procurement id")
    ocid: str = Field(description="OCDS open contracting id")
    project_code: str = Field(description="project")
    project_name_zh: str | None = Field(default=None, description="the project's Chinese name")
    title: str = Field(description="title")
    estimated_value: Money
    is_renewal: bool = Field(description="renews an existing contract")
    predecessor_contract_id: str | None = Field(description="contract renewed")
    incumbent_vendor_id: str | None = Field(description="vendor of the contract renewed")
    route: Route = Field(description="recommended route")
    route_label_zh: str = Field(description="Chinese label of the route")
    reasons: Annotated[list[str], BeforeValidator(_shown)] = Field(
        description="why this route, in the reader's language"
    )
    appraisal: dict[str, Any] | None = Field(description="the appraisal consulted for a renewal")
    evaluation_method: EvaluationMethod | None = Field(
        default=None, description="tender evaluation method; null when the route is not a tender"
    )
    category: ProcurementCategory = Field(default=ProcurementCategory.services, description="services or goods")
    scoring_scheme: list[ScoringComponentIn] | None = Field(
        default=None, description="综合评分法 components and weights (percent)"
    )
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
    """One expert's score sheet for one bid, filled in independently (Order No. 87 art. 62)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "components": {"technical": 86.5, "service": 90},
                    "compliant": True,
                    "comment": "人员配置合理,应急预案较完善。",
                }
            ]
        },
    )

    components: dict[str, float] | None = Field(
        default=None,
        description="综合评分法: a score 0-100 for every non-price component of the scheme (price is computed)",
    )
    score: float | None = Field(
        default=None, ge=0, le=100, description="shorthand: the same score for every non-price component"
    )
    compliant: bool = Field(default=True, description="whether the bid meets the document's substantive terms")
    comment: str | None = Field(default=None, max_length=2000, description="reviewer's comment")

    @model_validator(mode="after")
    def _scores_in_range(self) -> BidScoreCreate:
        for code, value in (self.components or {}).items():
            if not 0 <= value <= 100:
                raise ValueError(_("component {code} must be scored 0-100", code=code))
        return self


class ScoreSheetRead(BaseModel):
    reviewer: str = Field(description="the expert")
    components: dict[str, float] = Field(description="the expert's component scores")
    compliant: bool = Field(description="the expert's compliance finding")
    comment: str | None = Field(default=None, description="the expert's comment")


class BidRead(BaseModel):
    id: str = Field(description="bid id")
    vendor_id: str = Field(description="vendor")
    vendor_name: str | None = Field(default=None, description="the vendor's registered name")
    amount: Money
    scores: list[float] = Field(description="mean of each expert's sheet (comparable across experts)")
    mean_score: float | None = Field(description="the bid's evaluated total (综合评分法) or null")
    rank: int | None = Field(description="1 = best; null when not ranked (non-compliant or excluded)")
    compliant: bool = Field(default=True, description="whether the bid is ranked")
    price_score: Decimal | None = Field(default=None, description="Order No. 87 art. 55 price score")
    component_means: dict[str, Decimal] = Field(default_factory=dict, description="experts' mean per component")
    total: Decimal | None = Field(default=None, description="Σ score × weight ÷ 100 (综合评分法)")
    sheets: list[ScoreSheetRead] = Field(default_factory=list, description="every expert's sheet")
    disqualification: list[str] = Field(default_factory=list, description="why the bid is not ranked")


class TenderEvaluationRead(BaseModel):
    """The evaluation report: method, scheme, the full score table, ranking and the winning reason."""

    procurement_id: str = Field(description="procurement")
    method: EvaluationMethod = Field(description="evaluation method")
    method_label_zh: str = Field(description="综合评分法 or 最低评标价法")
    category: ProcurementCategory = Field(description="services or goods")
    scheme: list[ScoringComponentIn] = Field(description="components and weights (percent)")
    bids: list[BidRead] = Field(description="ranked bids, then the unranked ones")
    winner_vendor_id: str | None = Field(description="first-ranked vendor")
    winner_vendor_name: str | None = Field(default=None, description="its registered name")
    winning_reason: str | None = Field(description="why it ranks first")
    explanation: list[str] = Field(description="benchmark, ties, exclusions, decision")


class AwardCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "vendor_id": "130cc2f8-68c2-5c04-9043-2847361ec4b1",
                    "value": "1150000.00",
                    "start_date": "2027-01-01",
                    "end_date": "2028-12-31",
                    "title": "2027—2028年度常州市行政中心保洁服务合同",
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
            raise ValueError(_("end_date must not be before start_date"))
        return self
