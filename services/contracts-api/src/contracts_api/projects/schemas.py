"""Request and response bodies of the project routes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, computed_field

from contracts_api.common import Money
from contracts_api.models.enums import FundingModel, OperationMode, ProjectCategory, ServiceType
from houqin_common.schemas import LocalizedName


class ProjectCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "code": "staff_shuttle",
                    "name": "Staff shuttle bus",
                    "name_zh": "职工通勤班车",
                    "funding": "purchased",
                    "operation": "managed",
                    "service_type": "support",
                    "annual_value": "860000.00",
                }
            ]
        },
    )

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{1,63}$", description="stable code, e.g. `catering`")
    name: str = Field(min_length=1, max_length=200, description="English name")
    name_zh: str = Field(min_length=1, max_length=200, description="Chinese name")
    funding: FundingModel = Field(description="purchased service (花钱买服务) or hosted concession (筑巢请服务)")
    operation: OperationMode = Field(description="managed (专业托管), hybrid (混合兼管) or invited (邀请服务)")
    service_type: ServiceType = Field(description="support, commercial, public-benefit or extended")
    category: ProjectCategory | None = Field(
        default=None, description="procurement category; derived from value and the micro list when omitted"
    )
    annual_value: Money


class ProjectUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"name_zh": "餐饮(职工食堂)", "annual_value": "1850000.00"}]}
    )

    name: str | None = Field(default=None, min_length=1, max_length=200, description="English name")
    name_zh: str | None = Field(default=None, min_length=1, max_length=200, description="Chinese name")
    funding: FundingModel | None = Field(default=None, description="funding model")
    operation: OperationMode | None = Field(default=None, description="operation mode")
    service_type: ServiceType | None = Field(default=None, description="service type")
    category: ProjectCategory | None = Field(default=None, description="procurement category")
    annual_value: Money | None = None


class ProjectRead(LocalizedName):
    model_config = ConfigDict(from_attributes=True)

    code: str = Field(description="project code")
    name: str = Field(description="name in the answer's language (`name_zh` unless English was asked for)")
    name_zh: str = Field(description="Chinese name")
    funding: FundingModel = Field(description="funding model")
    operation: OperationMode = Field(description="operation mode")
    service_type: ServiceType = Field(description="service type")
    category: ProjectCategory = Field(description="procurement category")
    annual_value: Money
    created_at: datetime = Field(description="created")
    updated_at: datetime = Field(description="last change")

    @computed_field(  # type: ignore[prop-decorator]
        description="labels of the classifications in the answer's language (Chinese unless English was asked for)"
    )
    @property
    def labels(self) -> dict[str, str]:
        return {
            "funding": self.funding.label,
            "operation": self.operation.label,
            "service_type": self.service_type.label,
            "category": self.category.label,
        }

    @computed_field(description="Chinese labels of the classifications")  # type: ignore[prop-decorator]
    @property
    def labels_zh(self) -> dict[str, str]:
        return {
            "funding": self.funding.label_zh,
            "operation": self.operation.label_zh,
            "service_type": self.service_type.label_zh,
            "category": self.category.label_zh,
        }
