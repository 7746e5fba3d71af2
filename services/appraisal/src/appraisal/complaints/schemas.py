"""Request and response bodies of the complaints, and their vocabularies (kind, channel, category, status)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from houqin_common.pagination import limit_field, offset_field, sort_field
from houqin_common.schemas import InputModel


class ComplaintKind(StrEnum):
    complaint = "complaint"
    suggestion = "suggestion"


class Channel(StrEnum):
    hotline = "hotline"
    web = "web"
    wechat = "wechat"
    in_person = "in_person"
    mailbox = "mailbox"
    #: the public feedback channel (`POST /v1/feedback`): visitors and companies, no account
    public = "public"


class Category(StrEnum):
    canteen_dishes = "canteen_dishes"
    air_conditioning = "air_conditioning"
    door_guards = "door_guards"
    parking = "parking"
    cleaning = "cleaning"
    maintenance = "maintenance"
    conference = "conference"
    commercial_service = "commercial_service"
    other = "other"

    @property
    def label_zh(self) -> str:
        return {
            "canteen_dishes": "食堂菜品",
            "air_conditioning": "空调温度",
            "door_guards": "门卫",
            "parking": "停车",
            "cleaning": "保洁",
            "maintenance": "维修",
            "conference": "会务",
            "commercial_service": "商业服务",
            "other": "其他",
        }[self.value]


class ComplaintStatus(StrEnum):
    open = "open"
    responded = "responded"
    closed = "closed"


#: category -> service project whose vendor receives it, when the filer names no project
CATEGORY_PROJECT = {
    "canteen_dishes": "catering",
    "air_conditioning": "maintenance",
    "door_guards": "security",
    "parking": "security",
    "cleaning": "cleaning",
    "maintenance": "maintenance",
    "conference": "conference",
}


class ComplaintCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "complaint",
                    "channel": "hotline",
                    "category": "air_conditioning",
                    "description": "2号楼5层东侧会议室空调不制冷,室温超过30℃。",
                    "project_code": "maintenance",
                }
            ]
        }
    )

    kind: ComplaintKind = Field(default=ComplaintKind.complaint, description="complaint or suggestion")
    channel: Channel = Field(description="how it came in")
    category: Category = Field(description="what it is about")
    description: str = Field(min_length=1, max_length=4000, description="what happened / what is suggested")
    project_code: str | None = Field(default=None, max_length=64, description="service project, if known")
    vendor_id: str | None = Field(
        default=None, max_length=64, description="responsible vendor; routed from the project otherwise"
    )


class ComplaintRespond(InputModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"response": "维保人员已于当日14时到场更换压缩机电容,空调恢复正常。"}]}
    )

    response: str = Field(min_length=1, max_length=4000, description="the vendor's (or Bureau's) answer")


class ComplaintClose(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"substantiated": True, "resolution": "故障属实,已修复并回访投诉人,投诉人表示满意。"}]
        }
    )

    substantiated: bool = Field(description="true: the complaint was founded and counts against the vendor")
    resolution: str = Field(min_length=1, max_length=4000, description="how it was resolved")


class ComplaintQuery(BaseModel):
    """The filters and page of ``GET /v1/complaints``, one query model (``houqin_common.pagination.limit_field``)."""

    vendor_id: str | None = Field(None, description="only this vendor")
    category: Category | None = Field(None, description="only this category")
    status: ComplaintStatus | None = Field(None, description="only this status")
    since: date | None = Field(
        None, description="filed on or after this office day (from 00:00 office time, Asia/Shanghai by default)"
    )
    limit: int = limit_field()
    offset: int = offset_field()
    sort: str | None = sort_field("-filed_at")


class ComplaintRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="complaint id")
    kind: str = Field(description="complaint or suggestion")
    channel: str = Field(description="channel")
    category: str = Field(description="category")
    category_zh: str = Field(description="category label")
    vendor_id: str | None = Field(description="vendor it is routed to")
    vendor_name: str | None = Field(
        default=None, description="the vendor's registered name (a fallback text when contracts-api is unreachable)"
    )
    project_code: str | None = Field(description="service project")
    project_name_zh: str | None = Field(default=None, description="the project's Chinese name")
    description: str = Field(description="text")
    status: str = Field(description="open, responded or closed")
    filed_at: datetime = Field(description="filed")
    first_response_at: datetime | None = Field(description="first response")
    response: str | None = Field(description="response text")
    closed_at: datetime | None = Field(description="closed")
    substantiated: bool | None = Field(description="founded (counts against the vendor)")
    resolution: str | None = Field(description="resolution")
    hours_to_first_response: float | None = Field(description="time to first response, hours")
    hours_to_close: float | None = Field(description="time to close, hours")
    contact: str | None = Field(
        default=None, description="contact left on the public channel; shown to supervisors, auditors and admins only"
    )
