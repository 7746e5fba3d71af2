"""The public feedback channel (外来办事人员和企业): no account, routed and scored like staff complaints,
the contact shown to the Bureau only, a per-client limit."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable

import httpx
import pytest_asyncio

from appraisal.main import create_app
from appraisal.settings import Settings
from appraisal_testkit import World
from houqin_common import clock
from houqin_common.auth import Role
from houqin_common.embedded import free_port
from support import TEST_SECRET, asgi_client, auth


def _ip() -> str:
    n = uuid.uuid4().int
    return f"10.{n % 250}.{(n >> 8) % 250}.{(n >> 16) % 250 + 1}"


@pytest_asyncio.fixture
async def client(test_env: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        database_url=test_env["HOUQIN_DATABASE_URL"],
        jwt_secret=TEST_SECRET,
        contracts_url=f"http://127.0.0.1:{free_port()}",
        telemetry_url=f"http://127.0.0.1:{free_port()}",
        http_retries=0,
        public_feedback_limit=2,
        public_feedback_client_header="X-Real-IP",
    )
    async with asgi_client(create_app(settings)) as c:
        yield c


async def test_a_visitor_complaint_is_routed_scored_and_keeps_the_visitor_anonymous(
    client: httpx.AsyncClient, make_token: Callable[..., str]
) -> None:
    year = str(clock.today().year)
    world = await World(client, make_token).build(projects=1, period=f"{year}H1")
    project = world.projects[0]
    vendor = world.vendors[project]
    r = await client.post(
        "/v1/feedback",
        json={"category": "parking", "description": "东门来访车辆无人引导", "project_code": project, "contact": "138"},
        headers={"X-Real-IP": _ip()},
    )
    assert r.status_code == 201, r.text
    entry = r.json()
    assert entry["category_zh"] == "停车" and "recorded" in entry["message"]
    sup = auth(make_token(Role.supervisor))
    seen = (await client.get(f"/v1/complaints/{entry['id']}", headers=sup)).json()
    assert seen["vendor_id"] == vendor and seen["channel"] == "public" and seen["contact"] == "138"
    assert "filed_by" not in seen
    as_vendor = await client.get(
        f"/v1/complaints/{entry['id']}", headers=auth(make_token(Role.vendor, vendor_id=vendor))
    )
    assert as_vendor.status_code == 200 and as_vendor.json()["contact"] is None
    other = await client.get(
        f"/v1/complaints/{entry['id']}", headers=auth(make_token(Role.vendor, vendor_id=str(uuid.uuid4())))
    )
    assert other.status_code == 404
    closed = await client.post(
        f"/v1/complaints/{entry['id']}/close", json={"substantiated": True, "resolution": "已整改"}, headers=sup
    )
    assert closed.status_code == 200, closed.text
    for t in await world.tokens(1):
        assert (await world.answer(t, "good")).status_code == 201
    score = (await client.get(f"/v1/scores/{vendor}", params={"period": year}, headers=sup)).json()
    complaints = next(c for c in score["components"] if c["code"] == "complaints")
    assert complaints["note"] == "1 complaints, 1 counted against the vendor"
    assert complaints["score"] is not None and complaints["score"] < 100


async def test_no_account_is_needed_but_the_body_is_validated(client: httpx.AsyncClient) -> None:
    bad = await client.post("/v1/feedback", json={"category": "nope"}, headers={"X-Real-IP": _ip()})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("application/problem+json")
    names = {p["name"] for p in bad.json()["invalid-params"]}
    assert {"body.category", "body.description"} <= names
    good = await client.post(
        "/v1/feedback", json={"kind": "suggestion", "category": "other", "description": "建议增设充电桩"}
    )
    assert good.status_code == 201, good.text


async def test_one_client_is_limited_and_another_is_not(client: httpx.AsyncClient) -> None:
    ip = _ip()
    body = {"category": "canteen_dishes", "description": "菜品偏咸"}
    for _ in range(2):
        assert (await client.post("/v1/feedback", json=body, headers={"X-Real-IP": ip})).status_code == 201
    limited = await client.post("/v1/feedback", json=body, headers={"X-Real-IP": ip})
    assert limited.status_code == 429 and limited.headers["content-type"].startswith("application/problem+json")
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.json()["type"].endswith("/too-many-requests")
    zh = await client.post("/v1/feedback", json=body, headers={"X-Real-IP": ip, "Accept-Language": "zh-CN"})
    assert zh.status_code == 429 and "稍后" in zh.json()["detail"]
    assert (await client.post("/v1/feedback", json=body, headers={"X-Real-IP": _ip()})).status_code == 201


@pytest_asyncio.fixture
async def proxied(test_env: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    """The service behind the office's proxy on 127.0.0.1, which appends the peer to `X-Forwarded-For`."""
    settings = Settings(
        database_url=test_env["HOUQIN_DATABASE_URL"],
        jwt_secret=TEST_SECRET,
        contracts_url=f"http://127.0.0.1:{free_port()}",
        telemetry_url=f"http://127.0.0.1:{free_port()}",
        http_retries=0,
        public_feedback_limit=2,
        public_feedback_client_header="X-Forwarded-For",
        public_feedback_trusted_proxies=["127.0.0.1"],
    )
    async with asgi_client(create_app(settings)) as c:
        yield c


async def test_spoofed_left_most_forwarded_entries_do_not_escape_the_limit(proxied: httpx.AsyncClient) -> None:
    real, other = _ip(), _ip()
    body = {"category": "canteen_dishes", "description": "菜品偏咸"}
    codes = [
        (await proxied.post("/v1/feedback", json=body, headers={"X-Forwarded-For": f"{_ip()}, {real}"})).status_code
        for _ in range(8)
    ]
    assert codes == [201, 201] + [429] * 6
    # positive control: two real clients behind the same proxy are counted apart
    for client in (other, _ip()):
        r = await proxied.post("/v1/feedback", json=body, headers={"X-Forwarded-For": f"{real}, {client}"})
        assert r.status_code == 201, r.text
