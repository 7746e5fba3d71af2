"""Bad input gets the right 4xx problem+json, on every service."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from houqin_common.auth import Role
from houqin_common.observability import RequestIds
from support import auth

SERVICES = ["contracts", "telemetry", "appraisal"]
PROBLEM = "application/problem+json"


@pytest.mark.parametrize("service", SERVICES)
async def test_unknown_route_is_404_problem(service_client: Callable[[str], Any], service: str) -> None:
    client = await service_client(service)
    r = await client.get("/v1/no-such-thing")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith(PROBLEM)
    body = r.json()
    assert body["status"] == 404 and body["title"] and "no-such-thing" in body["detail"]
    assert body["request_id"] == r.headers["x-request-id"]


@pytest.mark.parametrize("service", SERVICES)
async def test_health_metrics_and_openapi_need_no_token(service_client: Callable[[str], Any], service: str) -> None:
    client = await service_client(service)
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200, ready.text
    await client.get("/healthz")
    metrics = await client.get("/metrics")
    assert 'route="/healthz"' in metrics.text
    spec = (await client.get("/openapi.json")).json()
    assert spec["openapi"].startswith("3.1")
    ops = [op["operationId"] for path in spec["paths"].values() for op in path.values()]
    assert len(ops) == len(set(ops)) and "healthz" in ops


async def test_request_id_is_propagated(service_client: Callable[[str], Any]) -> None:
    client = await service_client("contracts")
    r = await client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert r.headers["x-request-id"] == "abc-123"
    # positive control: without one, each request gets an id of its own (32 hex digits)
    made = [(await client.get("/healthz")).headers["x-request-id"] for _ in range(3)]
    assert len(set(made)) == 3 and all(re.fullmatch(r"[0-9a-f]{32}", rid) for rid in made)


def test_request_ids_are_unique_and_a_new_process_draws_a_new_prefix() -> None:
    ids = RequestIds()
    first, second = ids.next(), ids.next()
    assert first != second and first[:16] == second[:16]
    ids.restart()  # what a forked child runs (os.register_at_fork)
    assert ids.next()[:16] != first[:16]


async def test_missing_token_is_401(service_client: Callable[[str], Any]) -> None:
    client = await service_client("contracts")
    r = await client.get("/v1/vendors")
    assert r.status_code == 401
    assert r.headers["content-type"].startswith(PROBLEM)
    assert "bearer" in r.json()["detail"].lower()


async def test_expired_token_is_401(service_client: Callable[[str], Any], make_token: Callable[..., str]) -> None:
    client = await service_client("contracts")
    token = make_token(Role.procurement, ttl_s=-10)
    r = await client.get("/v1/vendors", headers=auth(token))
    assert r.status_code == 401
    assert "expired" in r.json()["detail"]


async def test_garbage_token_is_401(service_client: Callable[[str], Any]) -> None:
    client = await service_client("contracts")
    r = await client.get("/v1/vendors", headers=auth("not.a.jwt"))
    assert r.status_code == 401
    assert r.headers["content-type"].startswith(PROBLEM)


async def test_wrong_role_is_403(service_client: Callable[[str], Any], make_token: Callable[..., str]) -> None:
    client = await service_client("contracts")
    r = await client.post(
        "/v1/vendors", json={"name": "x", "credit_code": "91320400MA1X0000X0"}, headers=auth(make_token(Role.staff))
    )
    assert r.status_code == 403
    assert r.headers["content-type"].startswith(PROBLEM)
    assert "procurement" in r.json()["detail"]


async def test_malformed_json_is_422_problem(
    service_client: Callable[[str], Any], make_token: Callable[..., str]
) -> None:
    client = await service_client("contracts")
    r = await client.post(
        "/v1/vendors",
        content=b'{"name": "x", ',
        headers={**auth(make_token(Role.procurement)), "Content-Type": "application/json"},
    )
    assert r.status_code == 422
    body = r.json()
    assert r.headers["content-type"].startswith(PROBLEM)
    assert body["title"] == "Malformed JSON body"
    assert body["invalid-params"]


async def test_validation_error_names_the_field(
    service_client: Callable[[str], Any], make_token: Callable[..., str]
) -> None:
    client = await service_client("contracts")
    r = await client.post("/v1/vendors", json={"name": ""}, headers=auth(make_token(Role.procurement)))
    assert r.status_code == 422
    names = {p["name"] for p in r.json()["invalid-params"]}
    assert "body.credit_code" in names and "body.name" in names


def _documented_methods(spec: dict[str, Any], concrete: str) -> set[str]:
    """Methods of every documented path template that ``concrete`` matches."""
    methods: set[str] = set()
    for template, operations in spec["paths"].items():
        pattern = re.sub(r"\{[^}]+\}", "[^/]+", template)
        if re.fullmatch(pattern, concrete):
            methods |= {m.upper() for m in operations if m != "parameters"}
    return methods


@pytest.mark.parametrize("service", SERVICES)
async def test_a_405_allows_every_method_of_the_path(service_client: Callable[[str], Any], service: str) -> None:
    client = await service_client(service)
    spec = (await client.get("/openapi.json")).json()
    checked = 0
    for template, operations in spec["paths"].items():
        concrete = re.sub(r"\{[^}]+\}", "x", template)
        r = await client.options(concrete)
        assert r.status_code == 405, (concrete, r.status_code)
        assert r.headers["content-type"].startswith(PROBLEM)
        allowed = {m.strip() for m in r.headers["allow"].split(",")}
        assert {m.upper() for m in operations} <= allowed, (concrete, allowed)
        assert allowed <= _documented_methods(spec, concrete), (concrete, allowed)
        checked += 1
    assert checked > 10


async def test_options_on_vendors_lists_get_and_post(service_client: Callable[[str], Any]) -> None:
    client = await service_client("contracts")
    r = await client.options("/v1/vendors")
    assert r.status_code == 405 and r.headers["allow"] == "GET, POST"
    # the same with another wrong method
    assert (await client.delete("/v1/vendors")).headers["allow"] == "GET, POST"


async def test_without_the_handler_starlette_names_one_route_only() -> None:
    """Positive control: the framework alone answers with the first matching route's methods."""
    import httpx
    from fastapi import FastAPI

    from houqin_common.errors import install_error_handlers

    def build(handled: bool) -> FastAPI:
        app = FastAPI()
        app.add_api_route("/things", lambda: [], methods=["POST"])
        app.add_api_route("/things", lambda: [], methods=["GET"])
        if handled:
            install_error_handlers(app)
        return app

    for handled, expected in ((False, "POST"), (True, "GET, POST")):
        transport = httpx.ASGITransport(app=build(handled))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            r = await c.options("/things")
        assert r.status_code == 405 and r.headers["allow"] == expected
