"""Every HTTP request body of the three services refuses unknown fields (``extra="forbid"``, through
``houqin_common.schemas.InputModel``): a misspelt or stale field is a 422 naming it, never dropped."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from houqin_common.schemas import InputModel

ROOT = Path(__file__).resolve().parents[1]
REF = re.compile(r"#/components/schemas/([\w\-.]+)")


def _body_schemas(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The object schemas a JSON request body can reach (multipart forms are files, not fields)."""
    components = document["components"]["schemas"]
    todo = [
        name
        for ops in document["paths"].values()
        for op in ops.values()
        if isinstance(op, dict)
        for content_type, content in op.get("requestBody", {}).get("content", {}).items()
        if content_type == "application/json"
        for name in REF.findall(json.dumps(content))
    ]
    seen: dict[str, dict[str, Any]] = {}
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen[name] = components[name]
        todo += REF.findall(json.dumps(components[name]))
    return {n: s for n, s in seen.items() if s.get("type") == "object" and s.get("properties")}


@pytest.mark.parametrize("service", ["appraisal", "contracts-api", "telemetry-ingest"])
def test_every_json_request_body_refuses_unknown_fields(service: str) -> None:
    document = json.loads((ROOT / "docs/openapi" / f"{service}.json").read_text(encoding="utf-8"))
    bodies = _body_schemas(document)
    assert len(bodies) >= 10, sorted(bodies)  # the walk does find the bodies
    open_ones = sorted(n for n, s in bodies.items() if s.get("additionalProperties") is not False)
    assert open_ones == [], f"{service}: request bodies that accept unknown fields: {open_ones}"


def test_the_shared_input_model_refuses_and_a_plain_model_would_not() -> None:
    class Loose(BaseModel):
        a: int

    class Strict(InputModel):
        a: int

    assert Loose.model_validate({"a": 1, "b": 2}).a == 1  # the check can fail: pydantic ignores by default
    with pytest.raises(ValueError, match=r"extra_forbidden|Extra inputs"):
        Strict.model_validate({"a": 1, "b": 2})
