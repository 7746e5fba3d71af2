"""Regulations, guidance visits and trainings over HTTP: findings feed rectification, attendance and open
findings reach the vendor's appraisal explanation (and its total when the scheme weighs them)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx

from appraisal.main import create_app
from appraisal.settings import DEFAULT_SCHEMES, Settings
from appraisal_testkit import World
from houqin_common.auth import Role
from support import TEST_SECRET, asgi_client, auth


async def _guided_year(client: httpx.AsyncClient, make_token: Callable[..., str], year: int) -> tuple[str, str, str]:
    """A vendor with survey answers, a guidance visit with two findings and two trainings (one attended)."""
    world = await World(client, make_token).build(projects=1, items_per_project=1, period=f"{year}H1")
    project = world.projects[0]
    vendor_id = world.vendors[project]
    for token in await world.tokens(2):
        assert (await world.answer(token, "excellent")).status_code == 201
    sup = auth(make_token(Role.supervisor))
    reg = await client.post(
        "/v1/regulations",
        json={
            "title": "行政中心后勤社会化服务管理及考核办法",
            "number": f"常管〔{year}〕{uuid.uuid4().hex[:4]}号",
            "effective_date": f"{year}-01-01",
            "projects": [project],
        },
        headers=sup,
    )
    assert reg.status_code == 201, reg.text
    governs = await client.get("/v1/regulations", params={"project_code": project}, headers=sup)
    assert reg.json()["id"] in [r["id"] for r in governs.json()]
    plan = await client.post(
        "/v1/guidance-plans", json={"project_code": project, "year": year, "vendor_id": vendor_id}, headers=sup
    )
    assert plan.status_code == 201, plan.text
    visit = await client.post(
        f"/v1/guidance-plans/{plan.json()['id']}/visits",
        json={
            "visited_on": f"{year}-04-15",
            "participants": ["综合管理处", "项目经理"],
            "summary": "指导留样制度落实",
            "findings": [
                {"description": "留样记录未注明留样人", "deadline": f"{year}-04-30"},
                {"description": "消毒记录不全", "severity": "major", "deadline": f"{year}-05-15"},
            ],
        },
        headers=sup,
    )
    assert visit.status_code == 201, visit.text
    assert len(visit.json()["finding_ids"]) == 2
    other = str(uuid.uuid4())
    trainings = []
    for day in (f"{year}-03-10", f"{year}-09-10"):
        t = await client.post(
            "/v1/trainings",
            json={
                "topic": "食品安全培训",
                "regulation_id": reg.json()["id"],
                "held_on": day,
                "vendor_ids": [vendor_id, other],
            },
            headers=sup,
        )
        assert t.status_code == 201, t.text
        trainings.append(t.json()["id"])
    marked = await client.put(
        f"/v1/trainings/{trainings[0]}/attendance",
        json=[{"vendor_id": vendor_id, "attended": True, "attendees": 3}, {"vendor_id": other, "attended": False}],
        headers=sup,
    )
    assert marked.status_code == 200
    assert {a["vendor_id"]: a["attended"] for a in marked.json()} == {vendor_id: True, other: False}
    marked = await client.put(
        f"/v1/trainings/{trainings[1]}/attendance", json=[{"vendor_id": vendor_id, "attended": False}], headers=sup
    )
    assert marked.status_code == 200
    stranger = await client.put(
        f"/v1/trainings/{trainings[1]}/attendance",
        json=[{"vendor_id": str(uuid.uuid4()), "attended": True}],
        headers=sup,
    )
    assert stranger.status_code == 422
    return vendor_id, other, project


async def test_attendance_and_findings_reach_the_vendors_appraisal_explanation(
    service_client: Callable[..., Any], make_token: Callable[..., str]
) -> None:
    client = await service_client("appraisal")
    vendor_id, other, _project = await _guided_year(client, make_token, 2031)
    vendor = auth(make_token(Role.vendor, vendor_id=vendor_id))

    # the findings are rectification orders of the vendor, source guidance
    orders = (await client.get("/v1/rectifications", headers=vendor)).json()["items"]
    assert sorted(o["source"] for o in orders) == ["guidance", "guidance"]

    score = await client.get(f"/v1/scores/{vendor_id}", params={"period": "2031"}, headers=vendor)
    assert score.status_code == 200, score.text
    guidance = next(c for c in score.json()["components"] if c["code"] == "guidance")
    assert guidance["note"] == "attended 1 of 2 trainings, 2 guidance findings open"
    assert guidance["weight"] == 0 and guidance["score"] == 30.0  # 50 % attended − 2 × 10 points
    assert score.json()["total"] == 100.0  # weight 0 by default: explained, not counted

    # verifying one order closes it: one finding left open
    sup = auth(make_token(Role.supervisor))
    first = orders[0]["id"]
    for action, headers in (("start", vendor), ("submit", vendor), ("verify", sup)):
        r = await client.post(f"/v1/rectifications/{first}/transitions", json={"action": action}, headers=headers)
        assert r.status_code == 200, r.text
    score = await client.get(f"/v1/scores/{vendor_id}", params={"period": "2031"}, headers=vendor)
    guidance = next(c for c in score.json()["components"] if c["code"] == "guidance")
    assert guidance["note"] == "attended 1 of 2 trainings, 1 guidance findings open" and guidance["score"] == 40.0

    # the vendor reads its own attendance and findings, not another's
    mine = await client.get(f"/v1/guidance/vendors/{vendor_id}", params={"year": 2031}, headers=vendor)
    assert mine.status_code == 200
    assert (mine.json()["trainings_invited"], mine.json()["trainings_attended"]) == (2, 1)
    assert len(mine.json()["open_findings"]) == 1
    assert (await client.get(f"/v1/guidance/vendors/{other}", params={"year": 2031}, headers=vendor)).status_code == 404
    seen = (await client.get("/v1/trainings", params={"year": 2031}, headers=vendor)).json()
    assert len(seen) >= 2 and {a["vendor_id"] for t in seen for a in t["attendance"]} == {vendor_id}
    visits = (await client.get("/v1/guidance-visits", params={"year": 2031}, headers=vendor)).json()
    assert [v["vendor_id"] for v in visits] == [vendor_id]


async def test_a_scheme_may_weigh_the_guidance_component(
    test_env: dict[str, str], make_token: Callable[..., str]
) -> None:
    schemes = {k: dict(v) for k, v in DEFAULT_SCHEMES.items()}
    schemes["support"] = {"satisfaction": 0.5, "guidance": 0.5}
    settings = Settings(database_url=test_env["HOUQIN_DATABASE_URL"], jwt_secret=TEST_SECRET, schemes=schemes)
    async with asgi_client(create_app(settings)) as client:
        vendor_id, _other, _project = await _guided_year(client, make_token, 2032)
        score = await client.get(
            f"/v1/scores/{vendor_id}", params={"period": "2032"}, headers=auth(make_token(Role.supervisor))
        )
    assert score.status_code == 200, score.text
    guidance = next(c for c in score.json()["components"] if c["code"] == "guidance")
    assert guidance["weight"] == 0.5 and guidance["score"] == 30.0
    assert score.json()["total"] == 65.0  # (100 × 0.5 + 30 × 0.5)
