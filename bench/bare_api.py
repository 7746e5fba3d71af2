"""The API benchmark's baseline: a bare FastAPI app (no auth, no middleware of ours, no dependencies) that runs
the statements a service sent for a request on the same kind of pool (:class:`houqin_common.hotpath.ReadPool`,
same size and settings) and answers the rows as JSON.

Run by ``bench_api`` as ``uvicorn --factory bench.bare_api:create_app`` with ``BENCH_BARE_URL`` (the
database), ``BENCH_BARE_STATEMENTS`` (a pickle: request index -> [(sql, args), ...]) and
``BENCH_BARE_POOL_SIZE``. ``GET /r/{index}`` replays request ``index`` on one pooled connection, in
autocommit like the services' GET requests; the records are serialised by pydantic-core without a model.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pydantic_core
from fastapi import FastAPI, Response

from houqin_common.hotpath import ReadPool


def create_app() -> FastAPI:
    url = os.environ["BENCH_BARE_URL"]
    size = int(os.environ.get("BENCH_BARE_POOL_SIZE", "10"))
    requests: dict[int, list[tuple[str, tuple[Any, ...]]]] = pickle.loads(
        Path(os.environ["BENCH_BARE_STATEMENTS"]).read_bytes()
    )
    pools: list[ReadPool] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        pools.append(await ReadPool.open(url, size=size, idle_s=1800))
        try:
            yield
        finally:
            await pools[0].close()

    app = FastAPI(lifespan=lifespan)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/r/{index}")
    async def replay(index: int) -> Response:
        results = []
        async with pools[0].pool.acquire() as conn:
            for sql, args in requests[index]:
                results.append([dict(record) for record in await conn.fetch(sql, *args)])
        body = results[-1] if len(results) == 1 else {"items": results[-1], "others": results[:-1]}
        return Response(pydantic_core.to_json(body), media_type="application/json")

    return app
