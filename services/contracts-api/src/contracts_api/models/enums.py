"""Enumerations of contracts-api; each carries the Chinese label users see (`label_zh`)."""

from __future__ import annotations

from houqin_common.i18n import current_locale
from houqin_common.schemas import JsonStrEnum

_LABELS: dict[str, dict[str, str]] = {}


class LabeledEnum(JsonStrEnum):
    """A StrEnum (serialised as its string, see ``JsonStrEnum``) whose members have a Chinese label."""

    @property
    def label_zh(self) -> str:
        return _LABELS.get(type(self).__name__, {}).get(self.value, self.value)

    @property
    def label(self) -> str:
        """The label in the reader's language: the Chinese label, or the value in words for English."""
        return self.value.replace("_", " ") if current_locale() == "en" else self.label_zh

    @classmethod
    def describe(cls) -> list[dict[str, str]]:
        return [{"value": m.value, "label_zh": m.label_zh} for m in cls]


class LegalStatus(LabeledEnum):
    registered = "registered"
    suspended = "suspended"
    revoked = "revoked"
    deregistered = "deregistered"


_LABELS["LegalStatus"] = {"registered": "存续", "suspended": "停业", "revoked": "吊销", "deregistered": "注销"}


class VetoGround(LabeledEnum):
    """The four grounds of the one-vote veto (一票否决), DOMAIN.md *Contract supervision*."""

    violation_of_law = "violation_of_law"
    no_legal_capacity = "no_legal_capacity"
    poor_credit = "poor_credit"
    unfair_terms = "unfair_terms"


_LABELS["VetoGround"] = {
    "violation_of_law": "违反国家法律法规或政策",
    "no_legal_capacity": "不具备法人资格或履约能力",
    "poor_credit": "信誉差或有违约记录",
    "unfair_terms": "服务条款明显不公平",
}


class CreditKind(LabeledEnum):
    commendation = "commendation"
    warning = "warning"
    breach = "breach"
    dishonesty = "dishonesty"


_LABELS["CreditKind"] = {"commendation": "表彰", "warning": "警告", "breach": "违约", "dishonesty": "失信"}


class Assessment(LabeledEnum):
    satisfactory = "satisfactory"
    concern = "concern"
    unsatisfactory = "unsatisfactory"


_LABELS["Assessment"] = {"satisfactory": "良好", "concern": "存疑", "unsatisfactory": "不合格"}


class DiligenceVerdict(LabeledEnum):
    passed = "passed"
    conditional = "conditional"
    failed = "failed"


_LABELS["DiligenceVerdict"] = {"passed": "通过", "conditional": "有条件通过", "failed": "不通过"}


class FundingModel(LabeledEnum):
    purchased = "purchased"
    hosted = "hosted"


_LABELS["FundingModel"] = {"purchased": "花钱买服务", "hosted": "筑巢请服务"}


class OperationMode(LabeledEnum):
    managed = "managed"
    hybrid = "hybrid"
    invited = "invited"


_LABELS["OperationMode"] = {"managed": "专业托管", "hybrid": "混合兼管", "invited": "邀请服务"}


class ServiceType(LabeledEnum):
    support = "support"
    commercial = "commercial"
    public_benefit = "public_benefit"
    extended = "extended"


_LABELS["ServiceType"] = {"support": "保障性", "commercial": "经营性", "public_benefit": "公益性", "extended": "外延性"}


class ProjectCategory(LabeledEnum):
    """Procurement category of a project (进驻方式 of DOMAIN.md): drives the default route."""

    major = "major"
    standard = "standard"
    micro = "micro"


_LABELS["ProjectCategory"] = {"major": "大额项目(≥50万元)", "standard": "一般项目(<50万元)", "micro": "微型服务"}


class Route(LabeledEnum):
    open_tender = "open_tender"
    designated_tender = "designated_tender"
    price_comparison = "price_comparison"
    single_source = "single_source"


_LABELS["Route"] = {
    "open_tender": "公开招标",
    "designated_tender": "定点招投标",
    "price_comparison": "比价",
    "single_source": "单一来源",
}


class ProcurementStatus(LabeledEnum):
    open = "open"
    awarded = "awarded"
    cancelled = "cancelled"


_LABELS["ProcurementStatus"] = {"open": "进行中", "awarded": "已定标", "cancelled": "已取消"}


class ContractStatus(LabeledEnum):
    draft = "draft"
    legal_review = "legal_review"
    expert_review = "expert_review"
    approved = "approved"
    signed = "signed"
    active = "active"
    completed = "completed"
    terminated = "terminated"


_LABELS["ContractStatus"] = {
    "draft": "草稿",
    "legal_review": "法律审查",
    "expert_review": "专家会审",
    "approved": "已批准",
    "signed": "已签订",
    "active": "履行中",
    "completed": "已完成",
    "terminated": "已终止",
}


class ReviewKind(LabeledEnum):
    legal = "legal"
    expert = "expert"


_LABELS["ReviewKind"] = {"legal": "法律审查", "expert": "专家会审"}


class ReviewVerdict(LabeledEnum):
    approve = "approve"
    reject = "reject"


_LABELS["ReviewVerdict"] = {"approve": "同意", "reject": "退回"}


class EvaluationMethod(LabeledEnum):
    """The two tender evaluation methods of Order No. 87 (2017), art. 53."""

    comprehensive = "comprehensive"
    lowest_price = "lowest_price"


_LABELS["EvaluationMethod"] = {"comprehensive": "综合评分法", "lowest_price": "最低评标价法"}


class ProcurementCategory(LabeledEnum):
    services = "services"
    goods = "goods"


_LABELS["ProcurementCategory"] = {"services": "服务", "goods": "货物"}
