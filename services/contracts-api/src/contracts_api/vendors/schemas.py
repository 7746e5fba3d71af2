"""Request and response bodies of the vendor routes."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from contracts_api.models.enums import Assessment, CreditKind, DiligenceVerdict, LegalStatus, VetoGround
from houqin_common import credit_code as gb32100
from houqin_common.i18n import _
from houqin_common.pagination import limit_field, offset_field, sort_field
from houqin_common.schemas import Period, VendorImportReport, VendorImportRowError, VendorRef, request_examples


def _valid_credit_code(value: str) -> str:
    value = value.strip().upper()
    problems = gb32100.problems(value)
    if problems:
        raise ValueError(
            _("invalid unified social credit code (GB 32100-2015): {problems}", problems="; ".join(problems))
        )
    return value


#: Chinese column headings a vendor spreadsheet may use beside the field names (``houqin vendors import``)
IMPORT_HEADINGS = {
    "名称": "name",
    "单位名称": "name",
    "统一社会信用代码": "credit_code",
    "信用代码": "credit_code",
    "法人状态": "legal_status",
    "法定代表人": "legal_representative",
    "联系人": "contact_name",
    "联系电话": "contact_phone",
    "电话": "contact_phone",
    "邮箱": "contact_email",
    "地址": "address",
}
#: the columns a vendor spreadsheet must have
IMPORT_REQUIRED = ("name", "credit_code")


class VendorCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "常州新城物业服务有限公司",
                    "credit_code": "91320400000002026P",
                    "legal_status": "registered",
                    "legal_representative": "王建国",
                    "contact_name": "李娜",
                    "contact_phone": "0519-85681234",
                    "contact_email": "lina@xcwy.example.cn",
                    "address": "江苏省常州市新北区龙城大道1280号",
                }
            ]
        },
    )

    id: str | None = Field(default=None, max_length=36, description="optional id (imports keep their ids)")
    name: str = Field(min_length=1, max_length=200, description="registered name")
    credit_code: str = Field(description="18-character unified social credit code (统一社会信用代码)")
    legal_status: LegalStatus = Field(default=LegalStatus.registered, description="legal-person status")
    legal_representative: str | None = Field(default=None, max_length=100, description="legal representative")
    contact_name: str | None = Field(default=None, max_length=100, description="contact person")
    contact_phone: str | None = Field(default=None, max_length=40, description="contact phone")
    contact_email: str | None = Field(default=None, max_length=200, description="contact e-mail")
    address: str | None = Field(default=None, max_length=300, description="registered address")

    _code = field_validator("credit_code")(_valid_credit_code)


class VendorUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"contact_name": "陈静", "contact_phone": "13861127788", "address": "江苏省常州市新北区龙城大道1280号"}
            ]
        },
    )

    name: str | None = Field(default=None, min_length=1, max_length=200, description="registered name")
    legal_status: LegalStatus | None = Field(default=None, description="legal-person status")
    legal_representative: str | None = Field(default=None, max_length=100, description="legal representative")
    contact_name: str | None = Field(default=None, max_length=100, description="contact person")
    contact_phone: str | None = Field(default=None, max_length=40, description="contact phone")
    contact_email: str | None = Field(default=None, max_length=200, description="contact e-mail")
    address: str | None = Field(default=None, max_length=300, description="registered address")


class VendorRead(VendorRef):
    model_config = ConfigDict(from_attributes=True)

    legal_status: LegalStatus = Field(description="legal-person status")
    legal_representative: str | None = Field(description="legal representative")
    contact_name: str | None = Field(description="contact person")
    contact_phone: str | None = Field(description="contact phone")
    contact_email: str | None = Field(description="contact e-mail")
    address: str | None = Field(description="registered address")
    created_at: datetime = Field(description="when the vendor was registered")
    updated_at: datetime = Field(description="last change")


class VendorQuery(BaseModel):
    """The filters and page of ``GET /v1/vendors``, one query model (see ``houqin_common.pagination.limit_field``)."""

    q: str | None = Field(None, max_length=100, description="part of the name or credit code")
    legal_status: LegalStatus | None = Field(None, description="legal-person status")
    vetoed: bool | None = Field(None, description="true: only vendors with an active veto; false: none")
    limit: int = limit_field()
    offset: int = offset_field()
    sort: str | None = sort_field("name")


class QualificationCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=request_examples(
            "QualificationCreate",
            {
                "kind": "食品经营许可证",
                "number": "JY13204110012345",
                "issuer": "常州市新北区市场监督管理局",
                "valid_from": "2026-01-15",
                "valid_to": "2031-01-14",
                "mandatory": True,
            },
        ),
    )

    kind: str = Field(min_length=1, max_length=100, description="e.g. 食品经营许可证, 保安服务许可证")
    number: str = Field(min_length=1, max_length=100, description="certificate number")
    issuer: str = Field(min_length=1, max_length=200, description="issuing authority")
    valid_from: date = Field(description="first day of validity")
    valid_to: date | None = Field(default=None, description="last day of validity; null when permanent")
    mandatory: bool = Field(default=True, description="an expired mandatory qualification excludes the vendor")

    @model_validator(mode="after")
    def _end_after_start(self) -> QualificationCreate:
        if self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError(_("valid_to must not be before valid_from"))
        return self


class QualificationRead(QualificationCreate):
    model_config = ConfigDict(from_attributes=True, extra="ignore")

    id: str = Field(description="qualification id")
    vendor_id: str = Field(description="vendor id")
    vendor_name: str | None = Field(default=None, description="the vendor's registered name")
    created_at: datetime = Field(description="when it was recorded")


class CreditRecordCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=request_examples(
            "CreditRecordCreate",
            {
                "kind": "warning",
                "occurred_date": "2026-05-18",
                "source": "常州市机关事务管理局后勤服务中心",
                "description": "5月份例行检查中食堂后厨留样记录缺失两天,已书面警告。",
            },
        ),
    )

    kind: CreditKind = Field(description="commendation, warning, breach (违约) or dishonesty (失信)")
    occurred_date: date = Field(description="when it happened")
    source: str = Field(min_length=1, max_length=200, description="where the record comes from")
    description: str = Field(min_length=1, max_length=4000, description="what happened")


class CreditRecordRead(CreditRecordCreate):
    model_config = ConfigDict(from_attributes=True, extra="ignore")

    id: str = Field(description="record id")
    vendor_id: str = Field(description="vendor id")
    recorded_by: str = Field(description="who recorded it")
    created_at: datetime = Field(description="when it was recorded")


class DueDiligenceCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=request_examples(
            "DueDiligenceCreate",
            {
                "period": "2026H1",
                "legal_status": "satisfactory",
                "capacity": "satisfactory",
                "credit": "concern",
                "service_quality": "satisfactory",
                "price": "satisfactory",
                "verdict": "conditional",
                "notes": "存在一次警告记录,下半年加强抽查。",
            },
        ),
    )

    period: Period
    legal_status: Assessment = Field(description="legal-entity status (法人资格)")
    capacity: Assessment = Field(description="capacity to perform (履约能力)")
    credit: Assessment = Field(description="credit standing (信誉)")
    service_quality: Assessment = Field(description="service quality (服务质量)")
    price: Assessment = Field(description="price (价格)")
    verdict: DiligenceVerdict = Field(description="overall verdict")
    notes: str | None = Field(default=None, max_length=4000, description="reviewer's notes")


class DueDiligenceRead(DueDiligenceCreate):
    model_config = ConfigDict(from_attributes=True, extra="ignore")

    id: str = Field(description="review id")
    vendor_id: str = Field(description="vendor id")
    reviewer: str = Field(description="who reviewed")
    created_at: datetime = Field(description="when")


class VetoCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"ground": "poor_credit", "evidence": "2026年4月被列入常州市严重失信主体名单(信用中国(江苏常州)公示)。"}
            ]
        },
    )

    ground: VetoGround = Field(description="one of the four grounds of the one-vote veto (一票否决)")
    evidence: str = Field(min_length=1, max_length=4000, description="the evidence")


class VetoLift(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "2026年9月已完成信用修复,移出失信名单。"}]}
    )

    reason: str = Field(min_length=1, max_length=4000, description="why the veto is lifted")


class VetoRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str = Field(description="veto id")
    vendor_id: str = Field(description="vendor id")
    ground: VetoGround = Field(description="ground")
    ground_label_zh: str = Field(description="Chinese label of the ground")
    evidence: str = Field(description="evidence")
    recorded_by: str = Field(description="who recorded it")
    recorded_at: datetime = Field(description="when")
    active: bool = Field(description="false once lifted")
    lifted_at: datetime | None = Field(description="when it was lifted")
    lifted_by: str | None = Field(description="who lifted it")
    lift_reason: str | None = Field(description="why it was lifted")


ImportRowError = VendorImportRowError
VendorImportResult = VendorImportReport
