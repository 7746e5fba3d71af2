"""The published OpenAPI documents: current, and good enough to generate frontend clients from."""

from __future__ import annotations

import json
import runpy

import pytest

from houqin_common.app import discover_services

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}
PUBLIC_TAGS = {"health"}
#: operations anyone may call without a token (appraisal's public feedback channel): no 401/403 to document
NO_TOKEN_TAGS = {"feedback"}


@pytest.fixture(scope="module")
def exporter(repo):
    return runpy.run_path(str(repo / "tests/deploy/export_openapi.py"))


@pytest.fixture(scope="module")
def documents(exporter, test_env):
    return {spec.name: exporter["generate"](spec) for spec in discover_services().values()}


def _operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield path, method, operation


@pytest.mark.parametrize("name", sorted(discover_services()))
def test_committed_snapshot_is_what_the_code_generates(name, exporter, documents, repo):
    spec = discover_services()[name]
    path = repo / "docs" / "openapi" / f"{exporter['service_dir_name'](spec)}.json"
    assert path.exists(), f"{path} missing: run `{exporter['COMMAND']}` (or `make openapi`)"
    committed = json.loads(path.read_text(encoding="utf-8"))
    generated = documents[name]
    if committed != generated:
        changed = sorted(
            set(committed.get("paths", {})) ^ set(generated.get("paths", {}))
            | {p for p in generated.get("paths", {}) if committed.get("paths", {}).get(p) != generated["paths"][p]}
        )
        pytest.fail(
            f"docs/openapi/{path.name} is stale (changed paths: {', '.join(changed[:10]) or 'components/info'}): "
            f"run `{exporter['COMMAND']}` (or `make openapi`) and commit the result so frontends see the change"
        )


@pytest.mark.parametrize("name", sorted(discover_services()))
def test_every_operation_has_a_stable_id_a_description_and_typed_errors(name, documents):
    document = documents[name]
    assert document["openapi"].startswith("3.1")
    ids: dict[str, str] = {}
    problems = []
    for path, method, operation in _operations(document):
        where = f"{method.upper()} {path}"
        op_id = operation.get("operationId")
        if not op_id:
            problems.append(f"{where}: no operationId")
        elif op_id in ids:
            problems.append(f"{where}: operationId {op_id} also used by {ids[op_id]}")
        else:
            ids[op_id] = where
        if not (operation.get("summary") and (operation.get("description") or operation.get("summary"))):
            problems.append(f"{where}: no summary")
        if not (operation.get("description") or "").strip() and not set(operation.get("tags", [])) & PUBLIC_TAGS:
            problems.append(f"{where}: no description (the handler's docstring)")
        if set(operation.get("tags", [])) & PUBLIC_TAGS:
            continue
        responses = operation.get("responses", {})
        if not any(code.startswith("2") for code in responses):
            problems.append(f"{where}: no success response")
        for code in ("401", "403"):
            if code not in responses and not set(operation.get("tags", [])) & NO_TOKEN_TAGS:
                problems.append(f"{where}: authentication errors ({code}) not documented")
        for code, response in responses.items():
            if code[0] in "45":
                content = response.get("content", {})
                schema = (content.get("application/problem+json") or content.get("application/json") or {}).get(
                    "schema"
                )
                if not schema:
                    problems.append(f"{where}: error {code} has no typed body")
    assert not problems, "\n".join(problems)
