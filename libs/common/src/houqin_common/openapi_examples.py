"""An example for every schema and every JSON answer of a service's OpenAPI document that has none.

A frontend team reads the examples before it reads the types, and a mock server serves them, so each
answer needs one. The request bodies carry hand-written examples (tested to be accepted when sent); the
answers are many more (a page of each model, reports, results), so their examples are composed here
from what the document already knows, most specific first:

1. the schema's own ``examples`` (hand-written on the model) or its ``default``/``const``/first ``enum``;
2. for a read model (``VendorRead``), the value the same field has in its create model's example
   (``VendorCreate``): the same vendor, project or meter, so a page answer shows what was just created;
3. :data:`FIELD_EXAMPLES`: realistic values by field name, read from the demo data (vendors, projects, meters);
4. the JSON type and format (a date in 2026, a money amount as the services write it).

A Chinese label beside its code (``status`` and ``status_label_zh``, ``category`` and ``category_zh``) is
the label the service writes for that code, read from the enum's ``label_zh`` (:func:`enum_labels`), so an
example never shows ``draft`` beside 生效.

The result is deterministic (the committed OpenAPI snapshots must not change between runs), and every
example is validated against its schema by tests/deploy/test_openapi_examples.py, which also sends the
request examples to the services.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from enum import Enum
from typing import Any, get_args

from pydantic import BaseModel

from houqin_common.demo import PROJECTS, vendor_for_project

#: the demo incumbents the examples name, by id. The examples are documentation of the demo platform: a
#: request example copied into "Try it out" after `make seed` names records that exist (the one module
#: besides the seeds that reads houqin_common.demo; tests/houqin_common/test_no_demo_in_logic.py says why)
_EXAMPLE_PROJECTS = ("catering", "conference", "security", "cleaning", "maintenance", "clinic")
DEMO_VENDORS = {vendor_for_project(c).id: vendor_for_project(c).name for c in _EXAMPLE_PROJECTS}
#: the demo projects' Chinese names, by code
DEMO_PROJECTS = {p.code: p.name_zh for p in PROJECTS if p.code in {*_EXAMPLE_PROJECTS, "smart_building", "landscaping"}}
_VENDOR = vendor_for_project("security")  # 江苏金盾保安服务有限公司
_VENDOR_ID = _VENDOR.id
_CATERING_ID = vendor_for_project("catering").id
_CLINIC_ID = vendor_for_project("clinic").id

#: realistic values by field name (demo data; human text in Chinese)
FIELD_EXAMPLES: dict[str, Any] = {
    "vendor_id": _VENDOR_ID,
    "vendor_name": DEMO_VENDORS[_VENDOR_ID],
    "winner_vendor_id": _VENDOR_ID,
    "winner_vendor_name": DEMO_VENDORS[_VENDOR_ID],
    "awarded_vendor_id": _VENDOR_ID,
    "incumbent_vendor_id": _VENDOR_ID,
    "service_vendor_id": _VENDOR_ID,
    "catering_vendor_id": _CATERING_ID,
    "catering_vendor_name": DEMO_VENDORS[_CATERING_ID],
    "provider_id": _CLINIC_ID,
    "provider_name": DEMO_VENDORS[_CLINIC_ID],
    "supplier": "常州市武进区蔬菜批发市场",
    "credit_code": _VENDOR.credit_code,
    "legal_representative": "王建国",
    "contact_name": "李娜",
    "contact": "李娜 13912345678",
    "contact_phone": "13912345678",
    "contact_email": "lina@jindun-security.cn",
    "address": "江苏省常州市新北区太湖东路 9 号",
    "project_code": "security",
    "project_name": "安保",
    "project_name_zh": "安保",
    "name_zh": "安保",
    "code": "security",
    "title": "2026年度安保服务合同",
    "contract_id": "3f6b8c1e-2d4a-4e7f-9b13-5c8d2e7a1f60",
    "predecessor_contract_id": "0b9e7d24-6c1a-4f38-8e52-7a3d1c9b4e85",
    "predecessor_id": "0b9e7d24-6c1a-4f38-8e52-7a3d1c9b4e85",
    "procurement_id": "9d2c4e6f-1a3b-4c5d-8e7f-0a1b2c3d4e5f",
    "ocid": "ocds-houqin-9d2c4e6f-1a3b-4c5d-8e7f-0a1b2c3d4e5f",
    "meter_id": "M-A-0037",
    "meter_name": "行政中心A座3层照明插座",
    "building": "行政中心A座",
    "floor": "3F",
    "zone": "A-3F-East",
    "room": "301会议室",
    "room_name": "301会议室",
    "vehicle_id": "V-0007",
    "plate": "苏D·A1234",
    "plate_kind": "blue",
    "department": "办公室",
    "period": "2026-Q1",
    "appraisal_period": "2026-Q1",
    "month": "2026-03",
    "note": "三号楼配电间例行巡检时记录",
    "notes": "按合同约定执行",
    "comment": "服务态度好，响应及时",
    "feedback_comment": "茶歇准备充分，会场温度适宜",
    "reason": "服务质量连续两个季度达标",
    "description": "行政中心A座、B座的门岗与巡逻安保服务",
    "summary": "本季度安保服务总体满意",
    "detail": "整改已按期完成",
    "message": "已处理",
    "text": "保洁及时，走廊地面干净",
    "justification": "现有服务商合同期内考核优良，续期可保持服务连续",
    "early_start_justification": "原合同到期前需完成人员交接",
    "resolution": "已安排专人每日复查",
    "response": "已联系服务商整改，明日复查",
    "rejection_reason": "到货蔬菜不新鲜",
    "correction_reason": "三月食材采购单据补录",
    "decision_note": "同意，按申请时段派车",
    "lift_reason": "失信情形已消除",
    "winning_reason": "江苏金盾保安服务有限公司按综合评分法以总分 90.00 排名第一",
    "not_scored_reason": "本期无可比数据",
    "overall_opinion": "合同条款齐全，同意签订",
    "suggestions": "增加夜间巡逻频次",
    "focus": "食品留样与后厨卫生",
    "purpose": "赴市政务服务中心送达公文",
    "origin": "行政中心",
    "destination": "常州市政务服务中心",
    "inspector": "张伟",
    "reviewer": "赵敏",
    "recorded_by": "张伟",
    "uploaded_by": "张伟",
    "prepared_by": "刘洋",
    "signed_off_by": "陈静",
    "published_by": "陈静",
    "nominated_by": "办公室",
    "requester": "王磊",
    "decided_by": "陈静",
    "lifted_by": "陈静",
    "created_by": "刘洋",
    "person_name": "周强",
    "organiser": "办公室",
    "actor": "刘洋",
    "agency": "常州市市场监督管理局",
    "issuer": "常州市公安局",
    "canteen": "行政中心职工食堂",
    "item": "大米",
    "unit": "千克",
    "filename": "安保服务合同.pdf",
    "file": "安保服务合同.pdf",
    "media_type": "application/pdf",
    "content_type": "application/pdf",
    "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "terminal_id": "1234567",
    "terminal_phone": "13800000001",
    "energy_type": "01000",
    "status_zh": "生效",
    "category_zh": "空调温度",
    "kind_zh": "日常检查",
    "severity_zh": "一般",
    "source_zh": "人工录入",
    "platform_zh": "公务用车平台",
    "basis_zh": "合同价对比",
    "label_zh": "技术方案",
    "route_label_zh": "公开招标",
    "method_label_zh": "综合评分法",
    "status_label_zh": "生效",
    "ground_label_zh": "严重失信",
    "award_zh": "优秀单位",
    "recurrence_zh": "每周",
    "feedback_grade_zh": "满意",
    "regulation_title": "党政机关厉行节约反对浪费条例",
    "grid_emission_factor_source": "生态环境部 2022 年度全国电网平均排放因子",
    "office_figure_source": "管理处测算",
    "contract_cost_source": "合同台账",
    "indicator": "人均综合能耗",
    "station": "常州",
    "topic": "houqin/meters/M-A-0037/readings",
    "request_id": "5b7e2a10-9c3d-4f61-8a2e-1d4c6b8f0e37",
    "instance": "/v1/vendors",
    "type": "about:blank",
    "name": "行政中心A座总表",
    "name_en": "Security guards",
    "reasons": "资质证照齐全，信用记录良好",
    "disqualification": "营业执照已过期",
    "explanation": "江苏金盾保安服务有限公司报价最低，按最低价成交",
    "missing": "营业执照",
    "errors": "第 3 行：统一社会信用代码校验位错误",
    "group": "行政中心A座",
    "status": "active",
    "contract_status": "active",
    "scheme": "CN-USCC",
    "source": "manual",
    "label": "安保",
    "field": "contact_phone",
    "action": "update",
    "from_status": "draft",
    "to_status": "legal_review",
    "legalName": DEMO_VENDORS[_VENDOR_ID],
    "tag": "tender",
    "item_code": "security.patrol",
    "award": "excellent_unit",
    "event_type": "fire_alarm",
    "event": "award",
    "inputs_fingerprint": "9f86d081884c7d65",
    "procurementMethodDetails": "公开招标",
    "procurementMethodRationale": "预算金额达到公开招标限额",
    "identifier": "ocds-houqin-0b9e7d24-6c1a-4f38-8e52-7a3d1c9b4e85",
    "protocol": "mqtt",
    "meters": "M-A-0037",
    "meters_left_out": "M-A-0037",
    "boundary_meters": "M-A-0001",
    "service": "contracts-api",
    "place": "行政中心A座一楼大厅",
    "size_class": "medium",
    "severity": "minor",
    "worst_severity": "minor",
    "frequency": "weekly",
    "equipment": "投影仪",
    "participants": "张伟",
    "entity_type": "contract",
    "recommended_route": "open_tender",
    "route": "open_tender",
    "restores": "eligibility",
    "unit_code": "kWh",
    "overall_opinions": "同意",
    "survey_periods": "2026-Q1",
    "statement": "本季度节约资金 12800.00 元",
    "kind": "routine",
    "category": "air_conditioning",
    "granularity": "month",
    "group_by": "building",
}

#: strings the services write as decimal amounts (pydantic ``Decimal``), recognised by name
_AMOUNT = re.compile(r"(cny|cost|amount|price|value|saving|fee|takings|total|surplus|bonus|adjustment|kgce|wage)")
_FACTOR = re.compile(r"(ratio|rate|factor|per_|multiplier|weight|uplift|change|reduction|score)")
_PATTERN_VALUES = {
    r"^\d{4}-(0[1-9]|1[0-2])$": "2026-03",
    r"^0[1-5]000$": "01000",
    r"^[0-9a-f]{64}$": FIELD_EXAMPLES["sha256"],
    r"^[1-9][0-9]{0,19}$": "13800000001",
}
_MAX_DEPTH = 6


#: the suffixes of a field that carries the Chinese label of the code beside it
_LABEL_SUFFIXES = ("_label_zh", "_zh")


def enum_labels(types: Iterable[Any]) -> dict[str, dict[str, str]]:
    """``{enum name: {code: Chinese label}}`` of the enums with a ``label_zh`` that ``types`` (the routes'
    body and answer models) use, through nested models, lists and optionals. The name is the one the
    OpenAPI component of the enum has; a name two enums share is left out (pydantic names those apart)."""
    found: dict[str, dict[str, str]] = {}
    owners: dict[str, type[Enum]] = {}
    clashes: set[str] = set()
    seen: set[Any] = set()
    pending = list(types)
    while pending:
        kind = pending.pop()
        if kind in seen:
            continue
        try:
            seen.add(kind)
        except TypeError:  # an unhashable annotation argument (a constraint object): nothing to walk
            continue
        pending.extend(get_args(kind))
        if isinstance(kind, type) and issubclass(kind, Enum):
            labels = {str(m.value): getattr(m, "label_zh", None) for m in kind}
            if all(isinstance(v, str) for v in labels.values()):
                name = kind.__name__
                if name in owners and owners[name] is not kind:
                    clashes.add(name)
                owners[name] = kind
                found[name] = {k: str(v) for k, v in labels.items()}
        elif isinstance(kind, type) and issubclass(kind, BaseModel):
            pending.extend(f.annotation for f in kind.model_fields.values())
    return {name: labels for name, labels in found.items() if name not in clashes}


def _pick(schema: dict[str, Any]) -> tuple[bool, Any]:
    """A value the schema states itself, if any."""
    if schema.get("examples"):
        return True, copy.deepcopy(schema["examples"][0])
    if "example" in schema:
        return True, copy.deepcopy(schema["example"])
    if "const" in schema:
        return True, schema["const"]
    if schema.get("enum"):
        return True, schema["enum"][0]
    if schema.get("default") is not None:
        return True, copy.deepcopy(schema["default"])
    return False, None


def _named(example: dict[str, Any]) -> dict[str, Any]:
    """The names beside the ids of an example agree with them (a vendor id taken from a create model's
    example, the name from :data:`FIELD_EXAMPLES`): the demo vendor's and project's own names."""
    for key, value in list(example.items()):
        if key.endswith("vendor_id") and value in DEMO_VENDORS:
            name_key = key.removesuffix("_id") + "_name"
            if name_key in example:
                example[name_key] = DEMO_VENDORS[value]
        if key == "project_code" and value in DEMO_PROJECTS:
            for name_key in ("project_name", "project_name_zh"):
                if name_key in example:
                    example[name_key] = DEMO_PROJECTS[value]
    return example


class ExampleComposer:
    """Composes examples for the schemas of one OpenAPI document."""

    def __init__(self, document: dict[str, Any], labels: dict[str, dict[str, str]] | None = None) -> None:
        self.components: dict[str, Any] = document.get("components", {}).get("schemas", {})
        self.labels = labels or {}
        # a code typed as plain text in a read model (``category: str``): its label when one enum has it
        self.by_code: dict[str, str | None] = {}
        for codes in self.labels.values():
            for code, label in codes.items():
                self.by_code[code] = label if self.by_code.get(code, label) == label else None
        self.siblings: dict[str, dict[str, Any]] = {}
        # a create model's example first: it holds every field a client sends (an update's holds a few)
        for name in sorted(self.components, key=lambda n: not n.endswith("Create")):
            examples = self.components[name].get("examples")
            if examples and isinstance(examples[0], dict):
                self.siblings.setdefault(self._entity(name), examples[0])

    @staticmethod
    def _entity(name: str) -> str:
        """`VendorCreate`, `VendorRead`, `VendorIn` -> `Vendor`."""
        return re.sub(r"(Create|Read|In|Out|Update|Summary)(-Input|-Output)?$", "", name)

    def _label(self, schema: dict[str, Any], code: str) -> str | None:
        """The Chinese label of ``code`` in the enum the property refers to (also when it is optional),
        or, for a property typed as text, in the one enum that has that code."""
        for branch in [schema, *schema.get("anyOf", []), *schema.get("allOf", [])]:
            if "$ref" in branch:
                return self.labels.get(branch["$ref"].rsplit("/", 1)[1], {}).get(code)
        return self.by_code.get(code) if schema.get("type") == "string" else None

    def labelled(self, example: dict[str, Any], properties: dict[str, Any]) -> dict[str, Any]:
        """``example`` with each Chinese label beside a code set to that code's label (in place)."""
        for name in example:
            suffix = next((s for s in _LABEL_SUFFIXES if name.endswith(s)), None)
            base = name.removesuffix(suffix) if suffix else ""
            if not suffix or base not in example or base not in properties:
                continue
            label = self._label(properties[base], example[base]) if isinstance(example[base], str) else None
            if label is not None:
                example[name] = label
        return example

    def component(self, name: str) -> Any:
        return self.value(self.components[name], name, "", 0)

    def complete(self, value: Any, schema: dict[str, Any], owner: str, depth: int = 0) -> Any:
        """``value`` with the required fields it lacks added (in nested objects too): a read model that
        inherits its create model's example (``PlanRead(PlanCreate)``) lacks the ``id`` it answers with."""
        while "$ref" in schema:
            owner = schema["$ref"].rsplit("/", 1)[1]
            schema = self.components.get(owner, {})
        if depth > _MAX_DEPTH:
            return value
        if isinstance(value, dict) and "properties" in schema:
            properties = schema["properties"]
            for name in schema.get("required", []):
                if name not in value and name in properties:
                    value[name] = self.value(properties[name], owner, name, depth + 1)
            for name, item in value.items():
                if name in properties:
                    value[name] = self.complete(item, properties[name], owner, depth + 1)
            self.labelled(value, properties)
        elif isinstance(value, list) and isinstance(schema.get("items"), dict):
            return [self.complete(item, schema["items"], owner, depth + 1) for item in value]
        elif isinstance(value, dict):
            branches = [b for b in schema.get("anyOf", []) if b.get("type") != "null"]
            if len(branches) == 1:
                return self.complete(value, branches[0], owner, depth + 1)
        return value

    def value(self, schema: dict[str, Any], owner: str, field: str, depth: int) -> Any:
        if "$ref" in schema:
            name = schema["$ref"].rsplit("/", 1)[1]
            target = self.components.get(name, {})
            found, value = _pick(target)
            if found:
                return value
            return self.value(target, name, field, depth + 1)
        found, value = _pick(schema)
        if found:
            return value
        for key in ("anyOf", "oneOf"):
            if key in schema:
                branches = [b for b in schema[key] if b.get("type") != "null"] or schema[key]
                return self.value(branches[0], owner, field, depth)
        if "allOf" in schema:
            merged: dict[str, Any] = {}
            for part in schema["allOf"]:
                part_value = self.value(part, owner, field, depth)
                if isinstance(part_value, dict):
                    merged.update(part_value)
            return merged
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), None)
        if kind == "object" or "properties" in schema:
            return self._object(schema, owner, depth)
        if kind == "array":
            return self._array(schema, owner, field, depth)
        if kind == "string":
            return self._string(schema, owner, field)
        if kind == "integer":
            return self._number(schema, field, integer=True)
        if kind == "number":
            return self._number(schema, field, integer=False)
        if kind == "boolean":
            return True
        return None

    def _object(self, schema: dict[str, Any], owner: str, depth: int) -> dict[str, Any]:
        properties: dict[str, Any] = schema.get("properties", {})
        required = set(schema.get("required", []))
        sibling = self.siblings.get(self._entity(owner), {})
        out: dict[str, Any] = {}
        for name, prop in properties.items():
            if depth >= _MAX_DEPTH and name not in required:
                continue
            found, value = _pick(prop)
            if found and value is not None:
                out[name] = value
            elif name in sibling and not isinstance(sibling[name], (dict, list)):
                out[name] = copy.deepcopy(sibling[name])
            else:
                out[name] = self.value(prop, owner, name, depth + 1)
        extra = schema.get("additionalProperties")
        if not properties and isinstance(extra, dict):
            out[FIELD_EXAMPLES["project_code"]] = self.value(extra, owner, "", depth + 1)
        return self.labelled(_named(out), properties)

    def _array(self, schema: dict[str, Any], owner: str, field: str, depth: int) -> list[Any]:
        if "prefixItems" in schema:
            return [self.value(item, owner, field, depth + 1) for item in schema["prefixItems"]]
        items = schema.get("items", {})
        if depth >= _MAX_DEPTH:
            return []
        return [self.value(items, owner, field, depth + 1) for _ in range(max(1, schema.get("minItems", 1)))]

    def _string(self, schema: dict[str, Any], owner: str, field: str) -> str:
        fmt = schema.get("format")
        if fmt == "date-time":
            return "2026-03-02T09:30:00+08:00"
        if fmt == "date":
            return "2026-03-02"
        if fmt == "time":
            return "08:30:00"
        if fmt in ("uri", "url"):
            return "http://127.0.0.1:8001/v1/contracts"
        if fmt == "email":
            return str(FIELD_EXAMPLES["contact_email"])
        pattern = schema.get("pattern")
        if pattern in _PATTERN_VALUES:
            return str(_PATTERN_VALUES[pattern])
        if field in FIELD_EXAMPLES and isinstance(FIELD_EXAMPLES[field], str):
            return str(FIELD_EXAMPLES[field])
        if field == "id" or field.endswith("_id"):
            return "6a1f3c9e-4b2d-4e8a-9c7f-2d5b8e1a3c40"
        if _AMOUNT.search(field):
            return "12800.00"
        if _FACTOR.search(field):
            return "0.85"
        if field.endswith("_zh"):
            return "安保"
        return "行政中心A座"[: schema.get("maxLength", 64)]

    @staticmethod
    def _number(schema: dict[str, Any], field: str, *, integer: bool) -> int | float:
        low = schema.get("minimum", schema.get("exclusiveMinimum", 0))
        high = schema.get("maximum", schema.get("exclusiveMaximum"))
        if field in ("year",):
            value: float = 2026
        elif field in ("total", "count", "limit") or field.startswith("n_") or field.endswith("_count"):
            value = 1 if field != "limit" else 50
        elif _FACTOR.search(field):
            value = 0.85
        elif _AMOUNT.search(field):
            value = 12800.0
        else:
            value = 3
        if value < low or ("exclusiveMinimum" in schema and value <= low):
            value = low + 1
        if high is not None and value >= high:
            value = high if "maximum" in schema else high - (1 if integer else 0.5)
        return int(value) if integer else float(value)


def add_examples(document: dict[str, Any], labels: dict[str, dict[str, str]] | None = None) -> None:
    """Give every object component, and every 2xx JSON answer, an example where it has none (in place);
    ``labels`` are the enums' Chinese labels by component name (:func:`enum_labels`)."""
    composer = ExampleComposer(document, labels)
    objects = {
        name: schema
        for name, schema in composer.components.items()
        if schema.get("type") == "object" or "properties" in schema
    }
    # first the hand-written examples completed, then the missing ones composed (they may embed the former)
    for name, schema in objects.items():
        if schema.get("examples"):
            schema["examples"] = [composer.complete(copy.deepcopy(e), schema, name) for e in schema["examples"]]
    for name, schema in objects.items():
        if not schema.get("examples"):
            schema["examples"] = [composer.component(name)]
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for code, response in operation.get("responses", {}).items():
                if not code.startswith("2"):
                    continue
                for media_type, media in response.get("content", {}).items():
                    if "json" not in media_type or "example" in media or "examples" in media:
                        continue
                    schema = media.get("schema", {})
                    if "$ref" in schema:
                        continue  # the component's example stands for it
                    media["example"] = composer.complete(composer.value(schema, "", "", 0), schema, "")
