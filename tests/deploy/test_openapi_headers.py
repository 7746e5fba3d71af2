"""The headers a frontend needs are in every OpenAPI document (the committed snapshots, kept equal to the
apps' documents by test_openapi): Accept-Language on each operation, Content-Language on each answer, and
If-Match required wherever its absence answers 428."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

OPENAPI = Path(__file__).resolve().parents[2] / "docs" / "openapi"
METHODS = ("get", "put", "post", "delete", "patch")


def operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, m, item[m]) for path, item in doc["paths"].items() for m in METHODS if m in item]


def header(op: dict[str, Any], name: str) -> dict[str, Any] | None:
    return next((p for p in op.get("parameters", []) if p["in"] == "header" and p["name"].lower() == name), None)


@pytest.mark.parametrize("doc_path", sorted(OPENAPI.glob("*.json")), ids=lambda p: p.stem)
def test_language_and_if_match_headers_are_documented(doc_path: Path) -> None:
    doc = json.loads(doc_path.read_text(encoding="utf-8"))
    ops = operations(doc)
    assert len(ops) > 10
    missing = [f"{m.upper()} {p}" for p, m, op in ops if header(op, "accept-language") is None]
    assert not missing, missing
    no_content_language = [
        f"{m.upper()} {p} {code}"
        for p, m, op in ops
        for code, response in op["responses"].items()
        if "Content-Language" not in response.get("headers", {})
    ]
    assert not no_content_language, no_content_language
    conditional = [(p, m, op) for p, m, op in ops if "428" in op["responses"]]
    for p, m, op in conditional:
        if_match = header(op, "if-match")
        assert if_match is not None and if_match["required"] is True, f"{m.upper()} {p}"
    # positive control: an operation without 428 keeps If-Match, where it has one, optional
    assert all(
        header(op, "if-match") is None or not header(op, "if-match")["required"]  # type: ignore[index]
        for _, _, op in ops
        if "428" not in op["responses"]
    )
