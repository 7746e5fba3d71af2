"""Request and response bodies of the catalogue routes."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from houqin_common.schemas import InputModel, LocalizedName, request_examples


class ServiceItemCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra=request_examples(
            "ServiceItemCreate",
            {
                "code": "catering.breakfast",
                "project_code": "catering",
                "name": "Canteen breakfast",
                "name_zh": "食堂早餐",
            },
        )
    )

    code: str = Field(min_length=2, max_length=64, pattern=r"^[a-z0-9_.-]+$", description="stable item code")
    project_code: str = Field(min_length=2, max_length=64, description="service project the item belongs to")
    name: str = Field(min_length=1, max_length=200, description="English name")
    name_zh: str = Field(min_length=1, max_length=200, description="Chinese name shown on the form")


class ServiceItemRead(ServiceItemCreate, LocalizedName):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="item id")
    active: bool = Field(description="offered on new templates")
    project_name_zh: str | None = Field(
        default=None, description="the project's Chinese name (contracts-api; null when it cannot be reached)"
    )


class TemplateCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "2026年后勤服务满意度测评表",
                    "item_codes": [
                        "catering.food_quality",
                        "catering.variety",
                        "cleaning.offices",
                        "security.door_guards",
                    ],
                }
            ]
        }
    )

    name: str = Field(min_length=1, max_length=200, description="template name; a new version is created each time")
    item_codes: list[str] = Field(min_length=1, description="service items in form order")


class TemplateRead(BaseModel):
    id: str = Field(description="template id")
    name: str = Field(description="template name")
    version: int = Field(description="version of this name, 1, 2, ...")
    created_at: datetime = Field(description="when the version was published")
    items: list[ServiceItemRead] = Field(description="items in form order")


class AssignmentCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra=request_examples(
            "AssignmentCreate",
            {
                "vendor_id": "87003d64-9d4e-51b6-92e8-aa5624757591",
                "project_code": "catering",
                "start_date": "2026-01-01",
                "end_date": "2026-12-31",
            },
        )
    )

    vendor_id: str = Field(min_length=1, max_length=64, description="vendor id (contracts-api)")
    project_code: str = Field(min_length=2, max_length=64, description="service project")
    start_date: date = Field(description="first day the vendor runs the project")
    end_date: date | None = Field(default=None, description="last day, open-ended when null")


class AssignmentSync(BaseModel):
    contracts: int = Field(description="contracts read from contracts-api")
    created: int = Field(description="assignments created")
    updated: int = Field(description="assignments whose end date changed")
    skipped: int = Field(description="contracts in another status or without a start date")


class AssignmentRead(AssignmentCreate):
    project_name_zh: str | None = Field(default=None, description="the project's Chinese name")
    vendor_name: str | None = Field(
        default=None, description="the vendor's registered name (a fallback text when contracts-api is unreachable)"
    )
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="assignment id")
