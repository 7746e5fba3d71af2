"""Every JSON request body of the three services' OpenAPI carries an example, and every example is accepted
by the pydantic model the route validates the body with (issue 7, *Contracts for frontend teams*).

The apps are built without a database (no lifespan runs); examples are validated in JSON mode, exactly as a
request body is, with the route's own body annotation.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from pydantic import BaseModel, TypeAdapter, ValidationError

from houqin_common import credit_code

JSON = "application/json"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T|$)")


def _factories() -> dict[str, Callable[[], FastAPI]]:
    from appraisal.main import create_app as appraisal_app
    from contracts_api.main import create_app as contracts_app
    from telemetry_ingest.main import create_app as telemetry_app

    return {"contracts-api": contracts_app, "appraisal": appraisal_app, "telemetry-ingest": telemetry_app}


@pytest.fixture(scope="module")
def apps() -> dict[str, FastAPI]:
    return {name: factory() for name, factory in _factories().items()}


def _body_routes(app: FastAPI) -> Iterator[tuple[str, str, APIRoute]]:
    """(method, path, route) of every route that takes a request body."""
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if isinstance(route, APIRoute) and route.body_field is not None and route.include_in_schema:
            for method in sorted(route.methods):
                yield method.lower(), str(context.path), route


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        schema = spec["components"]["schemas"][name]
    return schema


def _schema_examples(spec: dict[str, Any], schema: dict[str, Any]) -> list[Any]:
    """Examples of the body schema itself, through $ref and the branches of an optional body."""
    schema = _resolve(spec, schema)
    found = list(schema.get("examples", []))
    if "example" in schema:
        found.append(schema["example"])
    for key in ("anyOf", "oneOf", "allOf"):
        for branch in schema.get(key, []):
            found += _schema_examples(spec, branch)
    return found


def _body_examples(spec: dict[str, Any], operation: dict[str, Any]) -> list[Any]:
    media = operation["requestBody"]["content"][JSON]
    found = _schema_examples(spec, media.get("schema", {}))
    if "example" in media:
        found.append(media["example"])
    found += [example["value"] for example in media.get("examples", {}).values() if "value" in example]
    return found


def _json_operations(apps: dict[str, FastAPI]) -> Iterator[tuple[str, str, str, APIRoute, dict[str, Any], Any]]:
    for service, app in apps.items():
        spec = app.openapi()
        for method, path, route in _body_routes(app):
            operation = spec["paths"][path][method]
            if JSON in operation.get("requestBody", {}).get("content", {}):
                yield service, method, path, route, spec, operation


def test_every_json_request_body_has_an_example(apps: dict[str, FastAPI]) -> None:
    operations = list(_json_operations(apps))
    # 19 + 16 + 10 operations take JSON (uploads are multipart); fewer means the walk above is broken
    assert len(operations) >= 40, [f"{m} {p}" for _, m, p, *_ in operations]
    missing = [
        f"{service}: {method.upper()} {path}"
        for service, method, path, _, spec, operation in operations
        if not _body_examples(spec, operation)
    ]
    assert missing == []


def test_every_example_validates_against_the_request_model(apps: dict[str, FastAPI]) -> None:
    checked = 0
    invalid: list[str] = []
    for service, method, path, route, spec, operation in _json_operations(apps):
        assert route.body_field is not None
        adapter: TypeAdapter[Any] = TypeAdapter(route.body_field.field_info.annotation)
        for example in _body_examples(spec, operation):
            checked += 1
            try:
                adapter.validate_json(json.dumps(example, ensure_ascii=False))
            except ValidationError as exc:
                invalid.append(f"{service}: {method.upper()} {path}: {exc}")
    assert invalid == []
    assert checked >= 40


def test_examples_use_valid_credit_codes_and_2026_dates(apps: dict[str, FastAPI]) -> None:
    """Realistic payloads: every credit code in an example passes GB 32100, dates are in 2026 (or later)."""
    bad: list[str] = []

    def walk(value: Any, where: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "credit_code":
                    bad.extend(f"{where}: {p}" for p in credit_code.problems(item))
                walk(item, f"{where}.{key}")
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, f"{where}[{index}]")
        elif isinstance(value, str) and ISO_DATE.match(value) and value[:4] < "2026":
            bad.append(f"{where}: {value} is before 2026")

    for service, method, path, _, spec, operation in _json_operations(apps):
        for example in _body_examples(spec, operation):
            walk(example, f"{service} {method.upper()} {path}")
    assert bad == []


def test_vendor_import_example_rows_are_valid_vendors(apps: dict[str, FastAPI]) -> None:
    """The import takes free-form rows (list of objects), so check its example rows as the service does."""
    from contracts_api.vendors.schemas import VendorCreate

    operation = apps["contracts-api"].openapi()["paths"]["/v1/vendors/import"]["post"]
    examples = _body_examples(apps["contracts-api"].openapi(), operation)
    rows = [row for example in examples for row in example]
    assert rows
    for row in rows:
        VendorCreate.model_validate(row)


def test_response_models_do_not_inherit_request_examples() -> None:
    """`FooRead(FooCreate)` keeps its own schema: a create example lacks the read model's id and would mislead."""
    from appraisal.catalogue.schemas import ServiceItemCreate, ServiceItemRead
    from contracts_api.vendors.schemas import QualificationCreate, QualificationRead

    pairs: list[tuple[type[BaseModel], type[BaseModel]]] = [
        (QualificationCreate, QualificationRead),
        (ServiceItemCreate, ServiceItemRead),
    ]
    for create, read in pairs:
        assert create.model_json_schema().get("examples")
        assert "examples" not in read.model_json_schema()


# --- every answer has an example, and every example of the documents fits its schema (issue 23) ---

METHODS = ("get", "put", "post", "delete", "patch")


def _media_examples(media: dict[str, Any]) -> list[Any]:
    found = [media["example"]] if "example" in media else []
    return found + [e["value"] for e in media.get("examples", {}).values() if "value" in e]


def _answer_has_example(spec: dict[str, Any], media: dict[str, Any]) -> bool:
    if _media_examples(media):
        return True
    schema = _resolve(spec, media.get("schema", {}))
    return bool(schema.get("examples"))


def test_every_2xx_json_answer_has_an_example(apps: dict[str, FastAPI]) -> None:
    answers, missing = 0, []
    for service, app in apps.items():
        spec = app.openapi()
        for path, item in spec["paths"].items():
            for method in METHODS:
                for code, response in item.get(method, {}).get("responses", {}).items():
                    for media_type, media in response.get("content", {}).items():
                        if code.startswith("2") and "json" in media_type:
                            answers += 1
                            if not _answer_has_example(spec, media):
                                missing.append(f"{service}: {method.upper()} {path} {code}")
    assert answers > 200  # 52 + 62 + 102 operations: the walk reached them
    assert missing == []


def _formats() -> Any:
    """JSON Schema's format checks, less `time`: pydantic writes a time of day without an offset (`08:30:00`,
    an RFC 3339 partial-time) where jsonschema's `time` wants a full-time with one."""
    import jsonschema

    checker = jsonschema.FormatChecker()
    checker.checkers.pop("time", None)
    return checker


FORMATS = _formats()


def _validator(spec: dict[str, Any], schema: dict[str, Any]) -> Any:
    import jsonschema

    root = {**schema, "components": spec.get("components", {})}
    cls = jsonschema.Draft202012Validator
    return cls(root, format_checker=FORMATS)


def _all_examples(spec: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], Any]]:
    """(where, schema, example) of every example in a document: components (and their properties),
    parameters, request bodies and answers."""
    for name, schema in spec.get("components", {}).get("schemas", {}).items():
        for example in schema.get("examples", []):
            yield f"components/{name}", schema, example
        for prop_name, prop in schema.get("properties", {}).items():
            for example in prop.get("examples", []):
                yield f"components/{name}.{prop_name}", prop, example
    for path, item in spec["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            for param in operation.get("parameters", []):
                for example in param.get("schema", {}).get("examples", []):
                    yield f"{method.upper()} {path} ?{param['name']}", param["schema"], example
            for media_type, media in operation.get("requestBody", {}).get("content", {}).items():
                if "json" in media_type:
                    for example in _media_examples(media):
                        yield f"{method.upper()} {path} body", media.get("schema", {}), example
            for code, response in operation.get("responses", {}).items():
                for media_type, media in response.get("content", {}).items():
                    if "json" in media_type:
                        for example in _media_examples(media):
                            yield f"{method.upper()} {path} {code}", media.get("schema", {}), example


def _invalid_examples(spec: dict[str, Any]) -> tuple[int, list[str]]:
    checked, invalid = 0, []
    for where, schema, example in _all_examples(spec):
        checked += 1
        for error in _validator(spec, schema).iter_errors(example):
            invalid.append(f"{where}: {list(error.absolute_path)}: {error.message[:200]}")
    return checked, invalid


@pytest.mark.parametrize("service", sorted(_factories()))
def test_every_example_fits_its_schema(apps: dict[str, FastAPI], service: str) -> None:
    checked, invalid = _invalid_examples(apps[service].openapi())
    assert checked > 60
    assert invalid == []


def test_a_broken_example_is_caught(apps: dict[str, FastAPI]) -> None:
    """Positive control: an example of the wrong type, and one missing a required field, both fail."""
    spec = json.loads(json.dumps(apps["contracts-api"].openapi()))
    vendor_read = spec["components"]["schemas"]["VendorRead"]
    vendor_read["examples"][0]["credit_code"] = 913204001
    operation = spec["paths"]["/v1/vendors"]["post"]
    body = copy.deepcopy(_body_examples(spec, operation)[0])
    del body["name"]
    operation["requestBody"]["content"][JSON]["example"] = body
    _, invalid = _invalid_examples(spec)
    assert any(w.startswith("components/VendorRead: ['credit_code']") for w in invalid), invalid
    assert any(w.startswith("POST /v1/vendors body") and "'name' is a required property" in w for w in invalid)


def test_the_composer_names_demo_vendors_and_projects_as_the_demo_data_does() -> None:
    """The names the composer writes beside demo ids are the demo data's own (read from houqin_common.demo)."""
    from houqin_common.demo import PROJECTS, VENDORS
    from houqin_common.openapi_examples import DEMO_PROJECTS, DEMO_VENDORS, FIELD_EXAMPLES

    vendors = {v.id: v for v in VENDORS}
    assert {i: vendors[i].name for i in DEMO_VENDORS} == DEMO_VENDORS
    assert {p.code: p.name_zh for p in PROJECTS if p.code in DEMO_PROJECTS} == DEMO_PROJECTS
    assert FIELD_EXAMPLES["credit_code"] == vendors[FIELD_EXAMPLES["vendor_id"]].credit_code


def test_the_request_examples_name_demo_records_by_the_ids_the_seed_gives_them() -> None:
    """A template, checklist, room, provider or schedule named in a request example is one the demo seed
    creates (stable ids), so the example works when copied onto a seeded platform."""
    from appraisal.conference.schemas import BookingCreate
    from appraisal.inspections.schemas import RoutineCreate
    from appraisal.invited.schemas import ScheduleCreate, SessionCreate
    from appraisal.seed import TEMPLATE_NAME
    from appraisal.surveys.schemas import CampaignCreate
    from houqin_common.demo import demo_id

    def example(model: type[BaseModel]) -> dict[str, Any]:
        return dict(model.model_json_schema()["examples"][0])

    assert example(CampaignCreate)["template_id"] == demo_id("survey-template", f"{TEMPLATE_NAME}-1")
    assert example(RoutineCreate)["template_id"] == demo_id("checklist", "保障类项目月度检查表")
    assert example(BookingCreate)["room_id"] == demo_id("conference-room", "第二报告厅")
    assert example(ScheduleCreate)["provider_id"] == demo_id("invited-provider", "常州市公安局车辆管理所")
    assert example(SessionCreate)["schedule_id"] == demo_id("invited-schedule", "驾驶证年审咨询")
    assert demo_id("checklist", "保障类项目月度检查表") != demo_id("checklist", "经营类项目季度检查表")


def _mislabelled(spec: dict[str, Any], labels: dict[str, dict[str, str]]) -> tuple[int, list[str]]:
    """(pairs checked, wrong ones): each code beside its Chinese label (`status`, `status_label_zh`) in the
    document's examples carries a label the code has in the service's enums."""
    known: dict[str, set[str]] = {}
    for codes in labels.values():
        for code, label in codes.items():
            known.setdefault(code, set()).add(label)
    checked, wrong = 0, []

    def walk(value: Any, where: str) -> None:
        nonlocal checked
        if isinstance(value, dict):
            for key, item in value.items():
                base = key.removesuffix("_label_zh").removesuffix("_zh") if key.endswith("_zh") else None
                code = value.get(base) if base else None
                if isinstance(code, str) and code in known:
                    checked += 1
                    if item not in known[code]:
                        wrong.append(f"{where}: {base}={code} beside {key}={item}")
                walk(item, f"{where}.{key}")
        elif isinstance(value, list):
            for item in value:
                walk(item, where)

    for name, schema in spec["components"]["schemas"].items():
        walk(schema.get("examples", []), name)
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            for code, response in operation.get("responses", {}).items() if isinstance(operation, dict) else ():
                for media in response.get("content", {}).values():
                    walk(media.get("example"), f"{method.upper()} {path} {code}")
    return checked, wrong


def test_example_labels_are_the_labels_of_the_codes_beside_them(apps: dict[str, FastAPI]) -> None:
    """A composed answer shows `draft` beside 草稿, not beside 生效: labels come from the enums' `label_zh`."""
    from houqin_common.openapi_examples import enum_labels

    total = 0
    for service, app in apps.items():
        checked, wrong = _mislabelled(app.openapi(), enum_labels(app.answer_models()))  # type: ignore[attr-defined]
        assert wrong == [], (service, wrong)
        total += checked
    assert total >= 15


def test_a_mislabelled_example_is_caught(apps: dict[str, FastAPI]) -> None:
    """Positive control: a contract example whose status label belongs to another status fails."""
    from houqin_common.openapi_examples import enum_labels

    app = apps["contracts-api"]
    spec = json.loads(json.dumps(app.openapi()))
    example = spec["components"]["schemas"]["ContractRead"]["examples"][0]
    assert example["status"] == "draft"
    example["status_label_zh"] = "生效"
    _, wrong = _mislabelled(spec, enum_labels(app.answer_models()))  # type: ignore[attr-defined]
    assert any(w.startswith("ContractRead: status=draft beside status_label_zh=生效") for w in wrong), wrong
