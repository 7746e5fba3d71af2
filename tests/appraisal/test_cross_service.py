"""appraisal with the other services over real HTTP: the typed client contract, assignments from contracts-api."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx

from appraisal.main import create_app
from appraisal.settings import Settings
from appraisal_testkit import World, contract_in_new_project
from houqin_common.auth import Role
from houqin_common.clients import AppraisalClient, NotFoundError
from houqin_common.embedded import free_port
from support import TEST_SECRET, LiveServices, asgi_client, auth


async def test_appraisal_client_reads_scores_from_the_live_service(
    live_services: LiveServices, make_token: Callable[..., str]
) -> None:
    url = live_services.start("appraisal")
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        world = await World(http, make_token).build(period="2038H2")
        for t in await world.tokens(2):
            assert (
                await world.answer(t, {world.projects[0]: "excellent", world.projects[1]: "good"})
            ).status_code == 201
    async with AppraisalClient(url, token=make_token(Role.service), retries=0) as client:
        ranking = await client.ranking("2038")
        ours = [s for s in ranking if s.vendor_id in world.vendors.values()]
        assert [s.vendor_id for s in ours] == [world.vendors[p] for p in world.projects]
        score = await client.vendor_score(world.vendors[world.projects[1]], "2038H2")
        assert score.satisfaction == 80.0 and score.rank == ours[1].rank and score.complete
        try:
            await client.vendor_score(str(uuid.uuid4()), "2038")
            raise AssertionError("an unknown vendor must be 404")
        except NotFoundError as exc:
            assert "no appraisal data" in exc.problem["detail"]


async def test_assignments_are_synced_from_contracts_api(
    live_services: LiveServices, test_env: dict[str, str], make_token: Callable[..., str]
) -> None:
    contracts_url = live_services.start("contracts")
    procurement = auth(make_token(Role.procurement))
    async with httpx.AsyncClient(base_url=contracts_url, timeout=30) as contracts:
        vendor_id, project, contract = await contract_in_new_project(
            contracts, procurement, name_zh="附楼绿化", title="绿化养护合同", year=2039
        )
        status = contract["status"]
    settings = Settings(
        database_url=test_env["HOUQIN_DATABASE_URL"],
        jwt_secret=TEST_SECRET,
        contracts_url=contracts_url,
        assignment_sync_statuses=[status],
        http_retries=0,
    )
    sup = auth(make_token(Role.supervisor))
    async with asgi_client(create_app(settings)) as client:
        first = await client.post("/v1/assignments/sync", headers=sup)
        assert first.status_code == 200, first.text
        assert first.json()["created"] >= 1
        again = await client.post("/v1/assignments/sync", headers=sup)
        assert again.json()["created"] == 0
        mine = await client.get("/v1/assignments", params={"vendor_id": vendor_id}, headers=sup)
        rows = mine.json()["items"]
        assert [(a["project_code"], a["start_date"], a["end_date"]) for a in rows] == [
            (project, "2039-01-01", "2039-12-31")
        ]
    down = Settings(
        database_url=test_env["HOUQIN_DATABASE_URL"],
        jwt_secret=TEST_SECRET,
        contracts_url=f"http://127.0.0.1:{free_port()}",
        http_retries=0,
    )
    async with asgi_client(create_app(down)) as client:
        r = await client.post("/v1/assignments/sync", headers=sup)
        assert r.status_code == 503 and r.headers["content-type"].startswith("application/problem+json")
