"""`POST /v1/assignments/sync` is idempotent under concurrency; integrity details never reach a client."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
from fastapi import FastAPI
from sqlalchemy.exc import IntegrityError

from appraisal.main import create_app
from appraisal.settings import Settings
from appraisal_testkit import contract_in_new_project
from houqin_common.auth import Role
from houqin_common.errors import install_error_handlers
from support import TEST_SECRET, LiveServices, asgi_client, auth


async def test_concurrent_syncs_all_succeed_and_converge(
    live_services: LiveServices, test_env: dict[str, str], make_token: Callable[..., str]
) -> None:
    contracts_url = live_services.start("contracts")
    procurement = auth(make_token(Role.procurement))
    async with httpx.AsyncClient(base_url=contracts_url, timeout=30) as contracts:
        vendor_id, _project, contract = await contract_in_new_project(
            contracts, procurement, name_zh="附楼保洁", title="保洁合同", year=2041
        )
    settings = Settings(
        database_url=test_env["HOUQIN_DATABASE_URL"],
        jwt_secret=TEST_SECRET,
        contracts_url=contracts_url,
        assignment_sync_statuses=[contract["status"]],
        http_retries=0,
    )
    sup = auth(make_token(Role.supervisor))
    async with asgi_client(create_app(settings)) as client:
        results = await asyncio.gather(*(client.post("/v1/assignments/sync", headers=sup) for _ in range(6)))
        assert [r.status_code for r in results] == [200] * 6, [r.text for r in results]
        mine = await client.get("/v1/assignments", params={"vendor_id": vendor_id}, headers=sup)
        assert [(a["start_date"], a["end_date"]) for a in mine.json()["items"]] == [("2041-01-01", "2041-12-31")]
        again = await client.post("/v1/assignments/sync", headers=sup)
        assert again.status_code == 200 and again.json()["created"] == 0 and again.json()["updated"] == 0


class _UniqueViolation(Exception):
    sqlstate = "23505"

    def __str__(self) -> str:
        return 'duplicate key value violates unique constraint "uq_assignment_vendor_id_project_code_start_date"'


async def test_an_integrity_error_answers_409_without_database_details() -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/boom")
    async def boom() -> None:
        raise IntegrityError("INSERT ...", {}, _UniqueViolation())

    @app.get("/fine")
    async def fine() -> dict[str, bool]:
        return {"ok": True}

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        assert (await client.get("/fine")).status_code == 200
        r = await client.get("/boom")
    assert r.status_code == 409 and r.headers["content-type"].startswith("application/problem+json")
    body = r.text
    assert "uq_" not in body and "duplicate key" not in body and "constraint" not in body
    assert r.json()["type"].endswith("/conflict") and r.json()["status"] == 409
