"""Scores endpoints: satisfaction feeds the score, ranking, scoping, and the telemetry KPI source."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest_asyncio
from httpx import AsyncClient

from appraisal.main import create_app
from appraisal.settings import Settings
from appraisal_testkit import World
from houqin_common.auth import Role
from houqin_common.embedded import free_port
from houqin_common.schemas import VendorScore
from support import TEST_SECRET, asgi_client, auth


@pytest_asyncio.fixture(loop_scope="session")
async def no_telemetry_client(test_env: dict[str, str]) -> AsyncIterator[AsyncClient]:
    """The appraisal app with telemetry-ingest pointed at a closed port."""
    settings = Settings(
        database_url=test_env["HOUQIN_DATABASE_URL"],
        jwt_secret=TEST_SECRET,
        telemetry_url=f"http://127.0.0.1:{free_port()}",
        http_retries=0,
    )
    async with asgi_client(create_app(settings)) as client:
        yield client


async def test_scores_rank_vendors_by_satisfaction(
    service_client: Callable[..., Any], make_token: Callable[..., str]
) -> None:
    client = await service_client("appraisal")
    world = await World(client, make_token).build(period="2031H1")
    a, b = world.projects
    for t in await world.tokens(3):
        assert (await world.answer(t, {a: "excellent", b: "fair"})).status_code == 201
    token = make_token(Role.service)
    r = await client.get("/v1/scores", params={"period": "2031"}, headers=auth(token))
    assert r.status_code == 200, r.text
    page = r.json()
    ours = [VendorScore.model_validate(s) for s in page["items"] if s["vendor_id"] in world.vendors.values()]
    assert [s.vendor_id for s in ours] == [world.vendors[a], world.vendors[b]]
    assert ours[0].rank is not None and ours[1].rank is not None and ours[0].rank < ours[1].rank
    assert ours[0].satisfaction == 100.0 and ours[1].satisfaction == 60.0
    one = await client.get(f"/v1/scores/{world.vendors[b]}", params={"period": "2031H1"}, headers=auth(token))
    score = VendorScore.model_validate(one.json())
    # support scheme: satisfaction 0.35 x 60 and no complaints 0.10 x 100, renormalised over 0.45
    assert score.total == round((0.35 * 60 + 0.10 * 100) / 0.45, 2) and score.complete and score.rank is not None
    assert {c.name for c in score.components} >= {"satisfaction", "routine", "complaints", "rectification"}
    # the second half has no campaign and no data: no total and no rank, never a zero
    none = await client.get(f"/v1/scores/{world.vendors[b]}", params={"period": "2031H2"}, headers=auth(token))
    assert none.status_code == 200 and none.json()["total"] is None and none.json()["rank"] is None
    unknown = await client.get(
        "/v1/scores/00000000-0000-0000-0000-000000000000", params={"period": "2031"}, headers=auth(token)
    )
    assert unknown.status_code == 404


async def test_vendor_sees_only_its_own_score(
    service_client: Callable[..., Any], make_token: Callable[..., str]
) -> None:
    client = await service_client("appraisal")
    world = await World(client, make_token).build(period="2032H1")
    a, b = world.projects
    for t in await world.tokens(1):
        assert (await world.answer(t, "good")).status_code == 201
    vendor = auth(make_token(Role.vendor, vendor_id=world.vendors[a]))
    own = await client.get(f"/v1/scores/{world.vendors[a]}", params={"period": "2032"}, headers=vendor)
    assert own.status_code == 200
    other = await client.get(f"/v1/scores/{world.vendors[b]}", params={"period": "2032"}, headers=vendor)
    assert other.status_code == 404
    listing = await client.get("/v1/scores", params={"period": "2032"}, headers=vendor)
    assert [s["vendor_id"] for s in listing.json()["items"]] == [world.vendors[a]]
    staff = auth(make_token(Role.staff))
    assert (await client.get("/v1/scores", params={"period": "2032"}, headers=staff)).status_code == 403
    bad = await client.get("/v1/scores", params={"period": "2032H3"}, headers=vendor)
    assert bad.status_code == 422


async def test_energy_vendor_score_is_incomplete_when_telemetry_is_down(
    no_telemetry_client: AsyncClient, make_token: Callable[..., str]
) -> None:
    world = await World(no_telemetry_client, make_token).build(period="2033H1", project_codes=["maintenance"])
    for t in await world.tokens(2):
        assert (await world.answer(t, "excellent")).status_code == 201
    vendor_id = world.vendors["maintenance"]
    r = await no_telemetry_client.get(
        f"/v1/scores/{vendor_id}", params={"period": "2033H1"}, headers=auth(make_token(Role.auditor))
    )
    assert r.status_code == 200, r.text
    score = VendorScore.model_validate(r.json())
    energy = next(c for c in score.components if c.name == "energy")
    assert score.complete is False and score.missing == ["energy"]
    assert energy.available is False and energy.score is None
    # never counted as zero: the total rests on what could be read
    assert score.total == 100.0
