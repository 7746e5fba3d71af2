"""Request and response bodies of the contract routes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from contracts_api.common import Money
from contracts_api.models.enums import ContractStatus, ReviewKind, ReviewVerdict, Route
from houqin_common.i18n import _
from houqin_common.schemas import ContractRef


class _Period(BaseModel):
    @model_validator(mode="after")
    def _end_after_start(self) -> Any:
        start, end = getattr(self, "start_date", None), getattr(self, "end_date", None)
        if start is not None and end is not None and end < start:
            raise ValueError(_("end_date must not be before start_date"))
        return self


class ContractCreate(_Period):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "project_code": "cleaning",
                    "vendor_id": "130cc2f8-68c2-5c04-9043-2847361ec4b1",
                    "title": "2026—2027年度常州市行政中心保洁服务合同",
                    "value": "1150000.00",
                    "start_date": "2026-07-01",
                    "end_date": "2027-06-30",
                    "route": "open_tender",
                }
            ]
        },
    )

    project_code: str = Field(max_length=64, description="service project code")
    vendor_id: str = Field(max_length=36, description="vendor under contract")
    title: str = Field(min_length=1, max_length=300, description="contract title")
    value: Money
    start_date: date = Field(description="first day of the contract period")
    end_date: date = Field(description="last day of the contract period")
    route: Route | None = Field(default=None, description="procurement route it came from")
    procurement_id: str | None = Field(default=None, max_length=36, description="procurement it came from")
    predecessor_id: str | None = Field(default=None, max_length=36, description="contract it renews")


class ContractUpdate(_Period):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "2026—2027年度常州市行政中心保洁服务合同(含地下车库)",
                    "value": "1180000.00",
                    "end_date": "2027-06-30",
                }
            ]
        },
    )

    title: str | None = Field(default=None, min_length=1, max_length=300, description="contract title")
    value: Money | None = None
    start_date: date | None = Field(default=None, description="first day of the contract period")
    end_date: date | None = Field(default=None, description="last day of the contract period")


class ContractRead(ContractRef):
    model_config = ConfigDict(from_attributes=True)

    status: ContractStatus = Field(description="lifecycle status")
    status_label_zh: str = Field(description="Chinese label of the status")
    title: str = Field(description="contract title")
    start_date: date = Field(description="first day of the contract period")
    end_date: date = Field(description="last day of the contract period")
    value: Money
    route: Route | None = Field(description="procurement route")
    procurement_id: str | None = Field(description="procurement it came from")
    predecessor_id: str | None = Field(description="contract it renews")
    expert_review_required: bool = Field(description="true for tendered contracts")
    early_start_justification: str | None = Field(
        default=None, description="why the contract was activated before its start date (recorded early start)"
    )
    version: int = Field(description='optimistic-concurrency version (the ETag is `"<version>"`)')
    created_at: datetime = Field(description="created")
    updated_at: datetime = Field(description="last change")


class TransitionCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"to": "legal_review", "comment": "合同文本已定稿,提交法律审查。"}]},
    )

    to: ContractStatus = Field(description="target status")
    comment: str | None = Field(default=None, max_length=4000, description="why")
    early_start_justification: str | None = Field(
        default=None,
        min_length=1,
        max_length=2000,
        description="activating before the start date needs it (recorded early start); refused (409) without",
    )


class ReviewCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "legal",
                    "verdict": "approve",
                    "comment": "条款合法合规,违约责任约定明确。",
                    "request_expert_review": False,
                }
            ]
        },
    )

    kind: ReviewKind = Field(description="legal (法律审查) or expert (专家会审); must match the contract's status")
    verdict: ReviewVerdict = Field(description="approve, or reject (back to draft)")
    comment: str | None = Field(default=None, max_length=4000, description="the reviewer's opinion")
    request_expert_review: bool = Field(
        default=False, description="after an approving legal review, send a non-tendered contract to expert review too"
    )


class ReviewRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="review id")
    contract_id: str = Field(description="contract")
    kind: ReviewKind = Field(description="review kind")
    verdict: ReviewVerdict = Field(description="verdict")
    reviewer: str = Field(description="who reviewed")
    comment: str | None = Field(description="opinion")
    created_at: datetime = Field(description="when")
