"""Publication: a published period is frozen (ranking, scores, components, input fingerprints); a
re-publication is a new version listing the differences; unpublished scores are provisional."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from appraisal.publication.rules import differences, fingerprint
from appraisal_testkit import World
from houqin_common import clock
from houqin_common.auth import Role
from support import auth


def current_half() -> str:
    """The half-year the complaint (filed now, by the platform clock) falls in."""
    today = clock.today()
    return f"{today.year}H{1 if today.month <= 6 else 2}"


async def test_publish_then_a_complaint_leaves_the_published_ranking_unchanged(
    service_client: Callable[..., Any], make_token: Callable[..., str]
) -> None:
    client = await service_client("appraisal")
    period = current_half()
    world = await World(client, make_token).build(period=period)
    a, b = world.projects
    for t in await world.tokens(3):
        assert (await world.answer(t, {a: "excellent", b: "good"})).status_code == 201
    sup = auth(make_token(Role.supervisor, subject="supervisor-wang"))
    reader = auth(make_token(Role.service))
    ours = set(world.vendors.values())

    before = (await client.get("/v1/scores", params={"period": period, "limit": 500}, headers=reader)).json()
    assert all(s["provisional"] and s["published_version"] is None for s in before["items"])

    published = await client.post(f"/v1/periods/{period}/publish", headers=sup)
    assert published.status_code == 201, published.text
    v1 = published.json()
    assert v1["version"] == 1 and v1["differences"] == [] and v1["published_by"] == "supervisor-wang"
    assert set(v1["fingerprints"]) >= ours and len(v1["inputs_fingerprint"]) == 64
    v1_ranking = [(s["vendor_id"], s["rank"], s["total"]) for s in v1["ranking"] if s["vendor_id"] in ours]
    assert [v for v, _r, _t in v1_ranking] == [world.vendors[a], world.vendors[b]]

    staff = auth(make_token(Role.staff, subject=f"staff-{uuid.uuid4().hex[:6]}"))
    complaint = await client.post(
        "/v1/complaints",
        json={"channel": "hotline", "category": "other", "description": "服务态度差", "project_code": a},
        headers=staff,
    )
    assert complaint.status_code == 201, complaint.text
    assert complaint.json()["vendor_id"] == world.vendors[a]

    after = (await client.get("/v1/scores", params={"period": period, "limit": 500}, headers=reader)).json()
    now_ranking = [(s["vendor_id"], s["rank"], s["total"]) for s in after["items"] if s["vendor_id"] in ours]
    assert now_ranking == v1_ranking
    assert all(not s["provisional"] and s["published_version"] == 1 for s in after["items"])
    one = await client.get(f"/v1/scores/{world.vendors[a]}", params={"period": period}, headers=reader)
    assert one.json()["total"] == v1_ranking[0][2] and one.json()["published_version"] == 1

    # positive control: the complaint does change the computed score, which a re-publication shows
    again = await client.post(f"/v1/periods/{period}/publish", headers=sup)
    assert again.status_code == 201
    v2 = again.json()
    assert v2["version"] == 2
    changed = {(d["vendor_id"], d["field"]) for d in v2["differences"]}
    assert (world.vendors[a], "components.complaints") in changed and (world.vendors[a], "inputs") in changed
    assert not any(v == world.vendors[b] for v, _f in changed)
    new_total = next(s["total"] for s in v2["ranking"] if s["vendor_id"] == world.vendors[a])
    assert new_total < v1_ranking[0][2]
    old = await client.get(f"/v1/periods/{period}/publication", params={"version": 1}, headers=reader)
    assert next(s["total"] for s in old.json()["ranking"] if s["vendor_id"] == world.vendors[a]) == v1_ranking[0][2]
    versions = (await client.get(f"/v1/periods/{period}/publications", headers=reader)).json()
    assert [v["version"] for v in versions][-2:] == [1, 2]


async def test_publication_refuses_periods_before_the_appraisal_began(
    service_client: Callable[..., Any], make_token: Callable[..., str]
) -> None:
    client = await service_client("appraisal")
    sup = auth(make_token(Role.supervisor))
    refused = await client.post("/v1/periods/2000/publish", headers=sup)
    assert refused.status_code == 422 and refused.headers["content-type"].startswith("application/problem+json")
    assert (await client.post("/v1/periods/2026Q1/publish", headers=sup)).status_code == 422
    assert (await client.get("/v1/periods/2099H2/publication", headers=sup)).status_code == 404
    evaluate = await client.post("/v1/awards/2000/evaluate", headers=sup)
    assert evaluate.status_code == 422, evaluate.text
    assert (await client.post("/v1/awards/2006/evaluate", headers=sup)).status_code == 200
    assert (
        await client.post(
            "/v1/periods/2006H1/publish", headers=auth(make_token(Role.vendor, vendor_id=str(uuid.uuid4())))
        )
    ).status_code == 403


def test_differences_list_rank_total_components_and_inputs() -> None:
    before = [{"vendor_id": "a", "rank": 1, "total": 90.0, "components": [{"name": "complaints", "score": 100.0}]}]
    after = [
        {"vendor_id": "a", "rank": 2, "total": 85.0, "components": [{"name": "complaints", "score": 80.0}]},
        {"vendor_id": "b", "rank": 1, "total": 88.0, "components": []},
    ]
    diffs = differences(before, after, {"a": "x"}, {"a": "y", "b": "z"})
    assert {(d.vendor_id, d.field) for d in diffs} == {
        ("a", "rank"),
        ("a", "total"),
        ("a", "components.complaints"),
        ("a", "inputs"),
        ("b", "published"),
    }
    assert fingerprint({"b": 1, "a": [1, 2]}) == fingerprint({"a": [1, 2], "b": 1})
    assert fingerprint({"a": 1}) != fingerprint({"a": 2})
