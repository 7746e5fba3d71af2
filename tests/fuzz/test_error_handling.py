"""Generic error handling the fuzzer relies on (houqin_common.errors)."""

from __future__ import annotations

import httpx
from fastapi import FastAPI, UploadFile
from pydantic import BaseModel

from houqin_common.errors import PROBLEM_JSON, install_error_handlers


class Thing(BaseModel):
    name: str


def _app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/things")
    async def create_thing(thing: Thing) -> Thing:
        return thing

    return app


async def test_a_body_that_is_not_utf8_is_a_documented_422_not_fastapis_400():
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.post("/things", content=b"\xff\xfe\x12", headers={"Content-Type": "application/json"})
        malformed = await client.post("/things", content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["type"].endswith("/malformed-json")
    assert response.json()["invalid-params"][0]["name"] == "body"
    # the same answer as for text that is not JSON
    assert malformed.status_code == 422 and malformed.json()["type"] == response.json()["type"]


async def test_broken_multipart_is_a_documented_422_not_starlettes_400():
    app = _app()

    @app.post("/files")
    async def upload(file: UploadFile) -> dict[str, str]:
        return {"name": file.filename or ""}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        response = await client.post(
            "/files",
            content=b"--53c8\r\n[{}]--53c8--\r\n",
            headers={"Content-Type": "multipart/form-data; boundary=53c8"},
        )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["type"].endswith("/malformed-body")


async def test_a_value_postgresql_refuses_is_a_422_not_a_500(pg_admin_url):
    from sqlalchemy import text

    from houqin_common.db import create_engine

    engine = create_engine(pg_admin_url, pool_size=1)
    app = _app()

    @app.post("/echo")
    async def echo(thing: Thing) -> Thing:
        async with engine.connect() as conn:
            await conn.execute(text("SELECT CAST(:name AS text)"), {"name": thing.name})
        return thing

    # raise_app_exceptions stays on: a 422 must not also escape as an exception (a logged traceback)
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            refused = await client.post("/echo", json={"name": "nul\u0000byte"})
            fine = await client.post("/echo", json={"name": "fine"})
    finally:
        await engine.dispose()
    assert fine.status_code == 200
    assert refused.status_code == 422, refused.text
    assert refused.json()["type"].endswith("/invalid-value")
    assert "0x00" in refused.json()["detail"]
