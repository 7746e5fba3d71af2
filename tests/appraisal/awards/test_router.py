"""Award rules and bonus uplift against the real database, with the veto check from a live contracts-api."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date
from typing import Any

import httpx

from appraisal.main import create_app
from appraisal.settings import Settings
from appraisal_testkit import World
from houqin_common.auth import Role
from houqin_common.credit_code import make as make_credit_code
from houqin_common.embedded import free_port
from support import TEST_SECRET, LiveServices, asgi_client, auth


@asynccontextmanager
async def appraisal_app(test_env: dict[str, str], contracts_url: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        database_url=test_env["HOUQIN_DATABASE_URL"],
        jwt_secret=TEST_SECRET,
        contracts_url=contracts_url,
        telemetry_url=f"http://127.0.0.1:{free_port()}",
        http_retries=0,
    )
    async with asgi_client(create_app(settings)) as client:
        yield client


async def _contracts_vendor(contracts: httpx.AsyncClient, token: str) -> str:
    r = await contracts.post(
        "/v1/vendors",
        json={"name": f"测试供应商{uuid.uuid4().hex[:6]}", "credit_code": make_credit_code(uuid.uuid4().int % 10**8)},
        headers=auth(token),
    )
    assert r.status_code == 201, r.text
    vendor_id: str = r.json()["id"]
    return vendor_id


async def test_awards_follow_rank_bars_veto_and_food_safety(
    live_services: LiveServices, test_env: dict[str, str], make_token: Callable[..., str]
) -> None:
    contracts_url = live_services.start("contracts")
    async with httpx.AsyncClient(base_url=contracts_url, timeout=30) as contracts:
        ids = [await _contracts_vendor(contracts, make_token(Role.procurement)) for _ in range(5)]
        veto = await contracts.post(
            f"/v1/vendors/{ids[1]}/vetoes",
            json={"ground": "poor_credit", "evidence": "失信被执行人"},
            headers=auth(make_token(Role.supervisor)),
        )
        assert veto.status_code == 201, veto.text
    year = 2037
    async with appraisal_app(test_env, contracts_url) as client:
        world = await World(client, make_token).build(
            projects=5, items_per_project=1, period=f"{year}H1", vendor_ids=ids
        )
        a, b, c, d, e = world.projects
        sheets = [
            {a: "excellent", b: "excellent", c: "excellent", d: "excellent", e: "good"},
            {a: "excellent", b: "excellent", c: "excellent", d: "good", e: "good"},
            {a: "excellent", b: "excellent", c: "good", d: "good", e: "good"},
        ]
        for token, sheet in zip(await world.tokens(3), sheets, strict=True):
            assert (await world.answer(token, sheet)).status_code == 201
        food = await client.post(
            "/v1/food-safety-inspections",
            json={
                "vendor_id": ids[0],
                "agency": "第三方检测中心",
                "kind": "scheduled",
                "announced": True,
                "inspected_on": date(year, 3, 1).isoformat(),
                "result": "failed",
                "violations": [{"description": "食材过期", "severity": "major"}],
            },
            headers=auth(make_token(Role.inspector)),
        )
        assert food.status_code == 201
        sup = auth(make_token(Role.supervisor))
        unpublished = await client.post(f"/v1/awards/{year}/evaluate", json={}, headers=sup)
        assert unpublished.status_code == 200, unpublished.text
        assert unpublished.json()["awards"] and all(x["provisional"] for x in unpublished.json()["awards"])
        assert all(any("not published" in why for why in x["reasons"]) for x in unpublished.json()["awards"])
        assert (
            await client.post(
                f"/v1/periods/{year}/publish", json={"override": True, "justification": "测试"}, headers=sup
            )
        ).status_code == 201
        r = await client.post(
            f"/v1/awards/{year}/evaluate",
            json={"head_counts": {ids[2]: 86}, "base_bonus_cny": "12000"},
            headers=sup,
        )
        assert r.status_code == 200, r.text
        result: dict[str, Any] = r.json()
        awards = {x["vendor_id"]: x for x in result["awards"]}
        assert set(awards) == {ids[2], ids[3]}
        assert awards[ids[2]]["award"] == "advanced_unit" and awards[ids[2]]["award_zh"] == "先进单位"
        assert awards[ids[2]]["rank"] == 3 and awards[ids[2]]["provisional"] is False
        assert awards[ids[2]]["uplift"] == "103200.00"
        assert awards[ids[3]]["award"] == "excellent_unit" and awards[ids[3]]["uplift"] is None
        assert "major food-safety violation in the year" in result["not_awarded"][ids[0]]
        assert any("veto" in reason for reason in result["not_awarded"][ids[1]])
        assert any("below the award bars" in reason for reason in result["not_awarded"][ids[4]])
        vendor = auth(make_token(Role.vendor, vendor_id=ids[2]))
        mine = await client.get("/v1/awards", params={"year": year}, headers=vendor)
        assert [x["vendor_id"] for x in mine.json()["items"]] == [ids[2]]
        assert (await client.post(f"/v1/awards/{year}/evaluate", headers=vendor)).status_code == 403
        # re-evaluated without head counts: the uplift computed from the count given before is kept
        again = await client.post(f"/v1/awards/{year}/evaluate", json={}, headers=sup)
        kept = {x["vendor_id"]: x for x in again.json()["awards"]}
        assert kept[ids[2]]["head_count"] == 86 and kept[ids[2]]["uplift"] == "103200.00"
        assert any("head count 86 kept from the evaluation of" in why for why in kept[ids[2]]["reasons"])
        assert kept[ids[3]]["uplift"] is None  # positive control: nothing was given for it, nothing is kept
        # a new count replaces the kept one
        changed = await client.post(f"/v1/awards/{year}/evaluate", json={"head_counts": {ids[2]: 10}}, headers=sup)
        assert {x["vendor_id"]: x for x in changed.json()["awards"]}[ids[2]]["uplift"] == "12000.00"
    # contracts-api unreachable: the veto cannot be checked, awards become provisional
    async with appraisal_app(test_env, f"http://127.0.0.1:{free_port()}") as client:
        r = await client.post(f"/v1/awards/{year}/evaluate", json={}, headers=sup)
        awards = {x["vendor_id"]: x for x in r.json()["awards"]}
        assert awards[ids[1]]["award"] == "advanced_unit" and awards[ids[1]]["provisional"] is True
        assert all(x["provisional"] for x in awards.values())
        listed = await client.get("/v1/awards", params={"year": year}, headers=auth(make_token(Role.auditor)))
        assert listed.json()["total"] == len(awards)


async def test_service_star_nomination_needs_a_registered_vendor_without_a_veto(
    live_services: LiveServices, test_env: dict[str, str], make_token: Callable[..., str]
) -> None:
    contracts_url = live_services.start("contracts")
    async with httpx.AsyncClient(base_url=contracts_url, timeout=30) as contracts:
        vendor_id = await _contracts_vendor(contracts, make_token(Role.procurement))
        vetoed = await _contracts_vendor(contracts, make_token(Role.procurement))
        veto = await contracts.post(
            f"/v1/vendors/{vetoed}/vetoes",
            json={"ground": "poor_credit", "evidence": "失信被执行人"},
            headers=auth(make_token(Role.supervisor)),
        )
        assert veto.status_code == 201, veto.text
    sup = auth(make_token(Role.supervisor))
    async with appraisal_app(test_env, contracts_url) as client:
        body = {"year": 2026, "vendor_id": vendor_id, "person_name": "王师傅", "reason": "连续三年零投诉"}
        r = await client.post("/v1/service-stars", json=body, headers=sup)
        assert r.status_code == 201, r.text
        assert r.json()["status"] == "nominated"
        staff = auth(make_token(Role.staff))
        assert (await client.post("/v1/service-stars", json=body, headers=staff)).status_code == 403
        mine = await client.get("/v1/service-stars", headers=auth(make_token(Role.vendor, vendor_id=vendor_id)))
        assert [s["person_name"] for s in mine.json()["items"]] == ["王师傅"]

        unknown = await client.post("/v1/service-stars", json={**body, "vendor_id": "not-a-vendor"}, headers=sup)
        assert unknown.status_code == 404, unknown.text
        assert unknown.headers["content-type"].startswith("application/problem+json")
        assert unknown.json()["invalid-params"][0]["name"] == "vendor_id"
        barred = await client.post("/v1/service-stars", json={**body, "vendor_id": vetoed}, headers=sup)
        assert barred.status_code == 409, barred.text
        assert any("veto" in reason for reason in barred.json()["reasons"])
        listed = await client.get("/v1/service-stars", params={"vendor_id": vetoed}, headers=sup)
        assert listed.json()["total"] == 0
    # contracts-api unreachable: nothing is recorded on trust
    async with appraisal_app(test_env, f"http://127.0.0.1:{free_port()}") as client:
        down = await client.post("/v1/service-stars", json=body, headers=sup)
        assert down.status_code == 503, down.text


async def test_a_veto_recorded_after_the_year_does_not_remove_the_vendor_from_its_award(
    live_services: LiveServices, test_env: dict[str, str], make_token: Callable[..., str]
) -> None:
    """Awards read vetoes as of the year's last day: a veto recorded now weighs on later years only."""
    contracts_url = live_services.start("contracts")
    async with httpx.AsyncClient(base_url=contracts_url, timeout=30) as contracts:
        vendor_id = await _contracts_vendor(contracts, make_token(Role.procurement))
        veto = await contracts.post(
            f"/v1/vendors/{vendor_id}/vetoes",
            json={"ground": "poor_credit", "evidence": "记录于本年度"},
            headers=auth(make_token(Role.supervisor)),
        )
        assert veto.status_code == 201, veto.text
        reader = auth(make_token(Role.procurement))
        past = await contracts.get(
            f"/v1/vendors/{vendor_id}/eligibility", params={"as_of": "2020-12-31"}, headers=reader
        )
        assert past.status_code == 200 and past.json()["eligible"] is True
        now = await contracts.get(f"/v1/vendors/{vendor_id}/eligibility", headers=reader)
        assert now.json()["eligible"] is False
    year = 2020
    async with appraisal_app(test_env, contracts_url) as client:
        world = await World(client, make_token).build(
            projects=1, items_per_project=1, period=f"{year}H1", vendor_ids=[vendor_id]
        )
        for token in await world.tokens(2):
            assert (await world.answer(token, {world.projects[0]: "excellent"})).status_code == 201
        sup = auth(make_token(Role.supervisor))
        assert (
            await client.post(
                f"/v1/periods/{year}/publish", json={"override": True, "justification": "测试"}, headers=sup
            )
        ).status_code == 201
        r = await client.post(f"/v1/awards/{year}/evaluate", json={}, headers=sup)
        assert r.status_code == 200, r.text
        awards = {x["vendor_id"]: x for x in r.json()["awards"]}
        assert vendor_id in awards and awards[vendor_id]["provisional"] is False
