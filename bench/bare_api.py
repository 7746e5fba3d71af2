"""The API benchmark's baselines: a bare FastAPI app (no auth, no middleware of ours, no dependencies) that runs
the statements a service sent for a request on the same kind of pool (:class:`houqin_common.hotpath.ReadPool`,
same size and settings) and answers the rows as JSON, its start-up objects frozen out of the garbage
collector's sight as the services' are (:func:`houqin_common.app.frozen_startup_objects`); beside it, the
same replay behind FastAPI's own price for what every service route must have (the *floor*).

Run by ``bench_api`` as ``uvicorn --factory bench.bare_api:create_app`` with ``BENCH_BARE_URL`` (the
database), ``BENCH_BARE_STATEMENTS`` (a pickle: request index -> [(sql, args), ...]),
``BENCH_BARE_QUERIES`` (a pickle: request index -> the endpoint's query model as ``module:Class``, or None)
and ``BENCH_BARE_POOL_SIZE``.

- ``GET /r/{index}`` (bare) replays request ``index`` on one pooled connection, in autocommit like the
  services' GET requests; the records are serialised by pydantic-core without a model.
- ``GET /f/{index}`` (floor) does the same replay, declared as the services declare their routes: on an
  ``APIRouter`` included in the app, behind the bearer role check (:func:`houqin_common.auth.require_roles`,
  one FastAPI dependency) and, for a list, taking the endpoint's query model (``Annotated[Model, Query()]``).
  No middleware, validation or service code of ours: what it costs beyond the bare app is FastAPI's price
  for authentication, an included router and a query model, which no service route can avoid.
"""

import os
import pickle
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

import pydantic_core
from fastapi import APIRouter, Depends, FastAPI, Query, Response

from houqin_common.app import frozen_startup_objects
from houqin_common.auth import Principal, Role, require_roles
from houqin_common.hotpath import ReadPool
from houqin_common.settings import ServiceSettings

Statements = list[tuple[str, tuple[Any, ...]]]


def _load(name: str) -> Any:
    return pickle.loads(Path(os.environ[name]).read_bytes()) if os.environ.get(name) else {}


def _model(path: str) -> type[Any]:
    module, _, attr = path.partition(":")
    model: type[Any] = getattr(__import__(module, fromlist=[attr]), attr)
    return model


def create_app() -> FastAPI:
    url = os.environ["BENCH_BARE_URL"]
    size = int(os.environ.get("BENCH_BARE_POOL_SIZE", "10"))
    requests: dict[int, Statements] = _load("BENCH_BARE_STATEMENTS")
    queries: dict[int, str | None] = _load("BENCH_BARE_QUERIES")
    pools: list[ReadPool] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pools.append(await ReadPool.open(url, size=size, idle_s=1800))
        try:
            # as the services do: without it, the cyclic collector's full passes over the start-up objects
            # (tens of ms each) cost the bare app 2-6 % of its requests/s and put its p99 at 40-48 ms
            with frozen_startup_objects():
                yield
        finally:
            await pools[0].close()

    app = FastAPI(lifespan=lifespan)
    # the role check reads the JWT settings from the app's state, as in a service (HOUQIN_JWT_SECRET)
    app.state.settings = ServiceSettings()

    async def replay(index: int) -> Response:
        results = []
        async with pools[0].pool.acquire() as conn:
            for sql, args in requests[index]:
                results.append([dict(record) for record in await conn.fetch(sql, *args)])
        body = results[-1] if len(results) == 1 else {"items": results[-1], "others": results[:-1]}
        return Response(pydantic_core.to_json(body), media_type="application/json")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/r/{index}")
    async def bare(index: int) -> Response:
        return await replay(index)

    floor = APIRouter(prefix="/f")
    for index in requests:
        floor.add_api_route(f"/{index}", _floor_route(index, queries.get(index), replay), methods=["GET"])
    app.include_router(floor)
    return app


def _floor_route(
    index: int, query: str | None, replay: Callable[[int], Awaitable[Response]]
) -> Callable[..., Awaitable[Response]]:
    """The floor's endpoint for request ``index``: the role check, and the query model when the endpoint has one."""
    allowed = Depends(require_roles(Role.supervisor, Role.auditor))
    if query is None:

        async def detail(principal: Principal = allowed) -> Response:
            return await replay(index)

        return detail
    model = _model(query)

    async def page(params: Annotated[model, Query()], principal: Principal = allowed) -> Response:  # type: ignore[valid-type]
        return await replay(index)

    return page
