"""Response bodies of the publications and of the differences between two versions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from houqin_common.i18n import _
from houqin_common.schemas import InputModel, VendorScore


class PublishRequest(InputModel):
    """Publishing a period that is still running, or whose survey is open or below its response-rate target,
    is refused unless the publisher overrides it explicitly and says why (recorded in the publication)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {},
                {
                    "override": True,
                    "justification": "领导小组2026年12月7日会议决定提前公布,测评结果以截至当日的答卷为准。",
                },
            ]
        }
    )

    override: bool = Field(default=False, description="publish although the checks refuse it (needs a justification)")
    justification: str | None = Field(
        default=None, max_length=2000, description="why the checks are overridden; stored and shown in the publication"
    )

    @model_validator(mode="after")
    def _justified(self) -> PublishRequest:
        if self.override and not (self.justification or "").strip():
            raise ValueError(_("an override of the publication checks needs a justification"))
        return self


class OverrideRead(BaseModel):
    justification: str = Field(description="why the publisher overrode the checks")
    reasons: list[str] = Field(description="the refusals overridden (period running, survey open or below target)")


class DifferenceRead(BaseModel):
    vendor_id: str = Field(description="vendor")
    field: str = Field(description="`rank`, `total`, `components.<code>`, `inputs` or `published`")
    before: Any = Field(description="value in the previous version")
    after: Any = Field(description="value in this version")


class PublicationSummary(BaseModel):
    period: str = Field(description="appraisal period")
    version: int = Field(description="1 for the first publication, then 2, 3...")
    published_by: str = Field(description="who published it")
    published_at: datetime = Field(description="when")
    inputs_fingerprint: str = Field(description="SHA-256 over every vendor's input fingerprint")
    differences: list[DifferenceRead] = Field(description="what changed since the previous version")
    override: OverrideRead | None = Field(
        default=None, description="set when published against the checks: the justification and what it overrode"
    )


class PublicationRead(PublicationSummary):
    ranking: list[VendorScore] = Field(description="the frozen ranking with scores and components")
    fingerprints: dict[str, str] = Field(description="per vendor, SHA-256 of the inputs its score was computed from")
