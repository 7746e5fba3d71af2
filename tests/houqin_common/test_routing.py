"""ServiceRouter: a router declines at once a path none of its routes can match, and otherwise routes exactly as
FastAPI's APIRouter does (which route, path parameters, 404, 405, trailing-slash redirects, OpenAPI)."""

from __future__ import annotations

from typing import Any

import httpx
from fastapi import APIRouter, FastAPI
from starlette.routing import Match

from houqin_common.routing import ServiceRouter, literal_heads


def test_literal_heads_keep_the_shortest_beginnings() -> None:
    assert literal_heads(["/complaints", "/complaints/{id}", "/complaints/{id}/responses"]) == ("/complaints",)
    assert literal_heads(["/meters", "/meters/{id}", "/vehicles/{id}", "/energy-codes"]) == (
        "/energy-codes",
        "/meters",
        "/vehicles/",
    )
    # a bare parameter, or a route without a path (an included router), can match anything: no filter
    assert literal_heads(["/a", "/{anything}"]) == ("/",)
    assert literal_heads(["/a", None]) == ("",)


def _apps() -> tuple[FastAPI, FastAPI]:
    """The same routes once on ServiceRouters, once on APIRouters."""

    def build(router_class: type[APIRouter]) -> FastAPI:
        first = router_class(prefix="/first", tags=["first"])
        second = router_class(tags=["second"])

        @first.get("")
        async def list_first() -> dict[str, Any]:
            return {"route": "list_first"}

        @first.get("/{item_id}")
        async def get_first(item_id: int) -> dict[str, Any]:
            return {"route": "get_first", "item_id": item_id}

        @second.get("/second/{name}/detail/")
        async def get_second(name: str) -> dict[str, Any]:
            return {"route": "get_second", "name": name}

        @second.post("/items")
        async def post_item() -> dict[str, Any]:
            return {"route": "post_item"}

        app = FastAPI()
        app.include_router(first, prefix="/v1")
        app.include_router(second, prefix="/v1")
        return app

    return build(ServiceRouter), build(APIRouter)


async def test_routes_as_fastapi_does() -> None:
    ours, plain = _apps()
    requests = [
        ("GET", "/v1/first"),
        ("GET", "/v1/first/7"),
        ("GET", "/v1/first/x"),  # 422: the parameter is not an int
        ("GET", "/v1/second/a/detail/"),
        ("GET", "/v1/second/a/detail"),  # redirect to the slash
        ("GET", "/v1/items"),  # 405
        ("POST", "/v1/items"),
        ("GET", "/v1/nothing"),  # 404
        ("GET", "/first"),  # 404: not under the prefix
    ]
    answers: dict[str, list[tuple[int, str, str | None]]] = {}
    for name, app in (("ours", ours), ("plain", plain)):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            answers[name] = [
                (r.status_code, r.text, r.headers.get("location"))
                for r in [await client.request(method, path) for method, path in requests]
            ]
    assert answers["ours"] == answers["plain"]
    statuses = [status for status, _, _ in answers["ours"]]
    assert statuses == [200, 200, 422, 200, 307, 405, 200, 404, 404]
    assert ours.openapi() == plain.openapi()


def test_declines_a_path_without_any_head_without_trying_its_routes() -> None:
    router = ServiceRouter(prefix="/complaints")

    @router.get("/{complaint_id}")
    async def get_complaint(complaint_id: str) -> None: ...

    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
    app.include_router(router, prefix="/v1")
    assert router.literal_heads() == ("/complaints/",)
    route = router.routes[0]
    tried: list[str] = []
    original = route.matches

    def counting(scope: Any) -> Any:
        tried.append(scope["path"])
        return original(scope)

    route.matches = counting  # type: ignore[method-assign]
    (included,) = app.routes
    scope: dict[str, Any] = {"type": "http", "method": "GET", "root_path": ""}
    assert included.matches({**scope, "path": "/v1/vendors/7"})[0] == Match.NONE
    assert tried == []
    # positive controls: a path holding the head goes on to FastAPI's own matching, matched or not
    assert included.matches({**scope, "path": "/v1/complaints/7/extra"})[0] == Match.NONE
    assert included.matches({**scope, "path": "/v1/complaints/7"})[0] == Match.FULL
    assert tried == ["/v1/complaints/7/extra", "/v1/complaints/7"]


def test_heads_follow_routes_added_later() -> None:
    router = ServiceRouter()

    @router.get("/a")
    async def a() -> None: ...

    assert router.literal_heads() == ("/a",)

    @router.get("/b/{x}")
    async def b(x: str) -> None: ...

    assert router.literal_heads() == ("/a", "/b/")
