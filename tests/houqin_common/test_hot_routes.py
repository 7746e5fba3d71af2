"""Hot routes (houqin_common.hotroutes): the hot path answers exactly what FastAPI answers, or hands the
request to FastAPI. Every check runs the same request through an app with hot routes and one without."""

from __future__ import annotations

from collections.abc import AsyncIterator
from enum import StrEnum
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request, Response
from fastapi.responses import JSONResponse

from houqin_common.auth import Principal, Role, create_token, require_roles, vendor_scope
from houqin_common.db import DbSession
from houqin_common.errors import NotFound
from houqin_common.hotroutes import HotRouteError, hot, hot_routes_of
from houqin_common.i18n import _
from houqin_common.pagination import PageParams, page_params
from houqin_common.service import create_service_app
from houqin_common.settings import ServiceSettings
from support import TEST_SECRET, asgi_client


class Kind(StrEnum):
    canteen = "canteen"
    cleaning = "cleaning"


router = APIRouter(prefix="/v1/things", tags=["things"])
READ = require_roles(Role.staff, Role.vendor)


@router.get("/special")
async def special() -> dict[str, str]:
    """Declared before `/{thing_id}`, which also matches its path: FastAPI's router picks this one."""
    return {"special": "yes"}


@router.get("")
@hot
async def list_things(
    request: Request,
    page: PageParams = Depends(page_params),
    kind: Kind | None = Query(None),
    flag: bool | None = Query(None),
    q: str | None = Query(None, max_length=5),
    principal: Principal = Depends(READ),
) -> Response:
    sort, desc = page.order({"name", "created_at"}, "name")
    return JSONResponse(
        {
            "limit": page.limit,
            "offset": page.offset,
            "sort": sort,
            "desc": desc,
            "kind": kind,
            "flag": flag,
            "q": q,
            "who": principal.subject,
            "scope": vendor_scope(principal),
            "same_request": request.state.principal is principal,
        }
    )


@router.get("/{thing_id}")
@hot
async def get_thing(
    thing_id: str = Path(max_length=8), n: int = Query(1, ge=1, le=3), principal: Principal = Depends(READ)
) -> Response:
    if thing_id == "missing":
        raise NotFound(_("vendor {vendor_id} not found", vendor_id=thing_id))
    if thing_id == "boom":
        raise RuntimeError("a bug in a hot handler")
    return JSONResponse({"id": thing_id, "n": n, "who": principal.subject})


def _app(database_url: str, *, hot_routes: bool = True, **settings: Any) -> FastAPI:
    cfg = ServiceSettings(database_url=database_url, jwt_secret=TEST_SECRET, log_json=False, **settings)
    app = create_service_app(name="hot-routes", title="hot routes", description="test", settings=cfg, routers=[router])
    if not hot_routes:
        app.hot_routes = False  # type: ignore[attr-defined]
    return app


@pytest.fixture
async def clients(database_url: str) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient, httpx.AsyncClient]]:
    hot_app, plain_app = _app(database_url), _app(database_url, hot_routes=False)
    async with asgi_client(hot_app) as hot_client, asgi_client(plain_app) as plain_client:
        yield hot_app, hot_client, plain_client


def _token(*roles: Role, vendor_id: str | None = None, ttl_s: int = 600) -> dict[str, str]:
    settings = ServiceSettings(jwt_secret=TEST_SECRET)
    token = create_token(settings, subject="li", roles=list(roles), vendor_id=vendor_id, ttl_s=ttl_s)
    return {"Authorization": f"Bearer {token}"}


def _count(app: FastAPI, route: str, outcome: str) -> float:
    labels = {"service": "hot-routes", "route": route, "outcome": outcome}
    value = app.state.metrics.registry.get_sample_value("http_hot_route_requests_total", labels)
    return float(value or 0)


STAFF = _token(Role.staff)
VENDOR = _token(Role.vendor, vendor_id="v-7")
ADMIN = _token(Role.admin)
#: (path, headers, whether the hot path answers it itself)
CASES: list[tuple[str, dict[str, str], bool]] = [
    ("/v1/things", STAFF, True),
    ("/v1/things?limit=10&offset=5&sort=-created_at", STAFF, True),
    ("/v1/things?kind=canteen&flag=true&q=abc", VENDOR, True),
    ("/v1/things?flag=yes&flag=0", ADMIN, True),  # a repeated key: the last value, as FastAPI reads it
    ("/v1/things?limit=+7&unknown=1", STAFF, True),  # pydantic's own reading of "+7"; unknown keys ignored
    ("/v1/things?sort=price", STAFF, True),  # the handler's own 422 (unknown sort field)
    ("/v1/things", {}, True),  # 401 from the dependency
    ("/v1/things", {"Authorization": "Basic abc"}, True),
    ("/v1/things", _token(Role.inspector), True),  # 403
    ("/v1/things", {"Authorization": "Bearer not-a-jwt"}, True),
    ("/v1/things?limit=0", STAFF, False),  # FastAPI's 422: the hot path declines
    ("/v1/things?limit=abc&offset=-1", STAFF, False),
    ("/v1/things?kind=laundry", STAFF, False),
    ("/v1/things?q=toolong", STAFF, False),
    ("/v1/things?flag=maybe", {}, True),  # 401: dependencies raise before a 422 is reported, in both
    ("/v1/things/t1", STAFF, True),
    ("/v1/things/t1?n=3", VENDOR, True),
    ("/v1/things/missing", STAFF, True),  # 404 problem+json from the app's handler
    ("/v1/things/%E5%BA%93", STAFF, True),  # a percent-encoded path parameter
    ("/v1/things/t1?n=4", STAFF, False),
    ("/v1/things/much-too-long", STAFF, False),
]


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
async def test_every_answer_is_fastapis_answer(
    clients: tuple[FastAPI, httpx.AsyncClient, httpx.AsyncClient], lang: str
) -> None:
    hot_app, hot_client, plain_client = clients
    for path, headers, answered in CASES:
        route = "/v1/things/{thing_id}" if path.startswith("/v1/things/") else "/v1/things"
        before = {o: _count(hot_app, route, o) for o in ("answered", "declined")}
        sent = {**headers, "Accept-Language": lang, "X-Request-ID": "req-1"}
        hot_r, plain_r = await hot_client.get(path, headers=sent), await plain_client.get(path, headers=sent)
        assert (hot_r.status_code, hot_r.content) == (plain_r.status_code, plain_r.content), path
        for header in ("content-type", "content-language", "x-request-id", "www-authenticate", "vary"):
            assert hot_r.headers.get(header) == plain_r.headers.get(header), (path, header)
        # the positive control: the hot path really answered (or really declined) this request
        outcome = "answered" if answered else "declined"
        assert _count(hot_app, route, outcome) == before[outcome] + 1, (path, outcome)
    assert _count(hot_app, "/v1/things", "answered") > 0 and _count(hot_app, "/v1/things", "declined") > 0


async def test_the_hot_answers_are_the_handlers_own(clients: tuple[FastAPI, httpx.AsyncClient, Any]) -> None:
    _, hot_client, _ = clients
    r = await hot_client.get("/v1/things?kind=cleaning&flag=1&sort=-name", headers=VENDOR)
    assert r.json() == {
        "limit": 50,
        "offset": 0,
        "sort": "name",
        "desc": True,
        "kind": "cleaning",
        "flag": True,
        "q": None,
        "who": "li",
        "scope": "v-7",
        "same_request": True,
    }
    missing = await hot_client.get("/v1/things/missing", headers=STAFF)
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"


async def test_a_path_another_route_matches_goes_to_fastapi(clients: tuple[FastAPI, httpx.AsyncClient, Any]) -> None:
    hot_app, hot_client, _ = clients
    r = await hot_client.get("/v1/things/special", headers=STAFF)
    assert r.json() == {"special": "yes"}
    assert _count(hot_app, "/v1/things/{thing_id}", "answered") == 0
    # positive control: a path only the hot route matches is answered by the hot path
    assert (await hot_client.get("/v1/things/ordinary", headers=STAFF)).json()["id"] == "ordinary"
    assert _count(hot_app, "/v1/things/{thing_id}", "answered") == 1


async def test_a_dependency_override_is_honoured(clients: tuple[FastAPI, httpx.AsyncClient, Any]) -> None:
    hot_app, hot_client, _ = clients
    assert (await hot_client.get("/v1/things/t1", headers=STAFF)).json()["who"] == "li"
    hot_app.dependency_overrides[READ] = lambda: Principal(subject="override", roles=frozenset({Role.admin}))
    try:
        assert (await hot_client.get("/v1/things/t1")).json()["who"] == "override"
    finally:
        hot_app.dependency_overrides.clear()
    assert _count(hot_app, "/v1/things/{thing_id}", "answered") == 1


async def test_a_bug_in_a_hot_handler_is_a_logged_500_with_the_request_id(
    clients: tuple[FastAPI, httpx.AsyncClient, httpx.AsyncClient], caplog: pytest.LogCaptureFixture
) -> None:
    _, hot_client, plain_client = clients
    headers = {**STAFF, "X-Request-ID": "req-boom"}
    r = await hot_client.get("/v1/things/boom", headers=headers)
    assert r.status_code == 500 and r.headers["content-type"] == "application/problem+json"
    assert r.headers["x-request-id"] == "req-boom" == r.json()["request_id"]
    assert r.json()["type"].endswith("/internal-error")
    assert any("unhandled error" in rec.message and rec.exc_info for rec in caplog.records)
    # FastAPI's path gives the same problem document
    with pytest.raises(RuntimeError):  # (its server error middleware re-raises to the server after answering)
        await plain_client.get("/v1/things/boom", headers=headers)


async def test_the_metrics_label_a_hot_request_by_its_route(clients: tuple[FastAPI, httpx.AsyncClient, Any]) -> None:
    hot_app, hot_client, _ = clients
    await hot_client.get("/v1/things/t9", headers=STAFF)
    labels = {"service": "hot-routes", "method": "GET", "route": "/v1/things/{thing_id}", "status": "200"}
    assert hot_app.state.metrics.registry.get_sample_value("http_requests_total", labels) == 1
    healthz = await hot_client.get("/healthz")
    assert healthz.json() == {"status": "ok"} and _count(hot_app, "/healthz", "answered") == 1


async def test_traced_apps_run_every_request_through_fastapi(database_url: str) -> None:
    traced, untraced = _app(database_url, tracing=True, tracing_exporter="console"), _app(database_url)
    for app in (traced, untraced):
        async with asgi_client(app) as client:
            r = await client.get("/v1/things/t1", headers=STAFF)
        assert r.status_code == 200 and r.json()["id"] == "t1"
    assert _count(traced, "/v1/things/{thing_id}", "answered") == 0
    assert _count(untraced, "/v1/things/{thing_id}", "answered") == 1


def _with_session() -> APIRouter:
    bad = APIRouter()

    @bad.get("/session")
    @hot
    async def with_session(session: DbSession) -> Response:
        return Response()

    return bad


def _posted() -> APIRouter:
    bad = APIRouter()

    @bad.post("/post")
    @hot
    async def post() -> Response:
        return Response()

    return bad


@pytest.mark.parametrize(("routes", "why"), [(_with_session, "yield"), (_posted, "only GET")])
async def test_a_route_the_hot_path_cannot_run_as_fastapi_would_stops_the_start(
    database_url: str, routes: Any, why: str
) -> None:
    settings = ServiceSettings(database_url=database_url, jwt_secret=TEST_SECRET)
    app = create_service_app(name="bad", title="bad", description="test", settings=settings, routers=[routes()])
    with pytest.raises(HotRouteError, match=why):
        async with asgi_client(app):
            pass
    # positive control: this module's routes compile
    assert {r.path_format for r in hot_routes_of(_app(database_url))} >= {"/v1/things", "/v1/things/{thing_id}"}
