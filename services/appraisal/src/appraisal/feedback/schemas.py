"""Request and receipt bodies of the public feedback form."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from appraisal.complaints.schemas import Category, ComplaintKind


class FeedbackCreate(BaseModel):
    """What a visitor or a company may tell the Bureau; nothing identifies them unless they leave a contact."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "kind": "complaint",
                    "category": "parking",
                    "description": "来访车辆在东门等候超过20分钟,门岗未引导停车。",
                    "contact": "13800000000",
                }
            ]
        },
    )

    kind: ComplaintKind = Field(default=ComplaintKind.complaint, description="complaint or suggestion")
    category: Category = Field(description="what it is about (canteen dishes, air conditioning, door guards...)")
    description: str = Field(min_length=1, max_length=4000, description="what happened / what is suggested")
    project_code: str | None = Field(default=None, max_length=64, description="service project, if known")
    contact: str | None = Field(
        default=None, min_length=1, max_length=200, description="optional phone or e-mail for an answer"
    )


class FeedbackReceipt(BaseModel):
    """The receipt a visitor gets: a reference to quote, nothing about who handles it."""

    id: str = Field(description="reference of the entry")
    kind: str = Field(description="complaint or suggestion")
    category: str = Field(description="category")
    category_zh: str = Field(description="category label")
    filed_at: datetime = Field(description="when it was recorded")
    message: str = Field(description="what happens next, in the reader's language")
