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

OVERRIDE = {"override": True, "justification": "测试:提前公布"}


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

    # the half-year is still running: publishing it needs an explicit, recorded override
    published = await client.post(f"/v1/periods/{period}/publish", json=OVERRIDE, headers=sup)
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
    again = await client.post(f"/v1/periods/{period}/publish", json=OVERRIDE, headers=sup)
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


async def test_publishing_a_running_period_is_refused_until_overridden_with_a_justification(
    service_client: Callable[..., Any], make_token: Callable[..., str]
) -> None:
    client = await service_client("appraisal")
    period = "2071H2"  # runs until 2071-12-31, whatever day the suite runs
    world = await World(client, make_token).build(period=period)
    a, b = world.projects
    for t in await world.tokens(2):
        assert (await world.answer(t, {a: "excellent", b: "good"})).status_code == 201
    sup = auth(make_token(Role.supervisor, subject="supervisor-li"))

    refused = await client.post(f"/v1/periods/{period}/publish", headers=sup)
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert "the period 2071H2 has not ended: it runs until 2071-12-31" in problem["reasons"]
    assert any("is still open until" in r for r in problem["reasons"])
    # 2 of 2 answered: the response rate is not among the reasons
    assert not any("below the target response rate" in r for r in problem["reasons"])
    assert (await client.get(f"/v1/periods/{period}/publication", headers=sup)).status_code == 404

    unjustified = await client.post(f"/v1/periods/{period}/publish", json={"override": True}, headers=sup)
    assert unjustified.status_code == 422, unjustified.text
    unknown = await client.post(f"/v1/periods/{period}/publish", json={"force": True}, headers=sup)
    assert unknown.status_code == 422 and unknown.json()["invalid-params"][0]["name"] == "body.force"

    why = "领导小组决定提前公布"
    published = await client.post(
        f"/v1/periods/{period}/publish", json={"override": True, "justification": why}, headers=sup
    )
    assert published.status_code == 201, published.text
    override = published.json()["override"]
    assert override["justification"] == why and override["reasons"] == problem["reasons"]
    read = (await client.get(f"/v1/periods/{period}/publication", headers=sup)).json()
    assert read["override"]["justification"] == why


async def test_an_ended_period_whose_survey_is_open_and_below_target_is_refused_with_both_reasons(
    service_client: Callable[..., Any], make_token: Callable[..., str]
) -> None:
    client = await service_client("appraisal")
    period = "2012H2"
    world = await World(client, make_token).build(period=period)
    a, b = world.projects
    tokens = await world.tokens(6)
    for t in tokens[:5]:
        assert (await world.answer(t, {a: "excellent", b: "good"})).status_code == 201
    sup = auth(make_token(Role.supervisor))
    refused = await client.post(f"/v1/periods/{period}/publish", headers=sup)
    assert refused.status_code == 409, refused.text
    reasons = refused.json()["reasons"]
    assert not any("has not ended" in r for r in reasons)  # 2012H2 has ended: only the survey holds it back
    assert any("is still open until" in r for r in reasons)
    assert any("has 5 of 6 answers (83%), below the target response rate 95%" in r for r in reasons)
    # the same survey, complete, no longer counts against the rate
    assert (await world.answer(tokens[5], {a: "good", b: "good"})).status_code == 201
    again = (await client.post(f"/v1/periods/{period}/publish", headers=sup)).json()["reasons"]
    assert not any("below the target" in r for r in again) and any("still open" in r for r in again)


def test_publication_blockers_name_each_reason_and_none_for_an_ended_complete_period() -> None:
    from datetime import UTC, date, datetime

    from appraisal.publication.rules import CampaignState, publication_blockers

    now = datetime(2026, 7, 10, 4, tzinfo=UTC)
    closed = CampaignState("2026上半年测评", datetime(2026, 6, 30, 15, 59, tzinfo=UTC), 20, 19, 0.95)
    ok = publication_blockers(
        period="2026H1", period_end=date(2026, 7, 1), today=date(2026, 7, 10), now=now, campaigns=[closed], target=0.95
    )
    assert ok == []
    thin = CampaignState("2026上半年测评", datetime(2026, 7, 20, 15, 59, tzinfo=UTC), 6, 5, 0.8333)
    running = publication_blockers(
        period="2026H2", period_end=date(2027, 1, 1), today=date(2026, 12, 7), now=now, campaigns=[thin], target=0.95
    )
    assert [r.msgid.split(" ")[0:3] for r in running] == [
        ["the", "period", "{period}"],
        ["the", "survey", "campaign"],
        ["the", "survey", "campaign"],
    ]
    assert "below the target response rate 95%" in running[2].english()


async def test_a_snapshot_published_in_english_reads_in_each_readers_language(
    service_client: Callable[..., Any], make_token: Callable[..., str]
) -> None:
    from houqin_common.i18n import Text, use_locale

    client = await service_client("appraisal")
    period = "2072H1"
    world = await World(client, make_token).build(period=period)
    a, b = world.projects
    for t in await world.tokens(3):
        assert (await world.answer(t, {a: "excellent", b: "good"})).status_code == 201
    sup = {**auth(make_token(Role.supervisor)), "Accept-Language": "en"}
    published = await client.post(f"/v1/periods/{period}/publish", json=OVERRIDE, headers=sup)
    assert published.status_code == 201, published.text

    def routine_note(body: dict[str, Any]) -> str:
        score = next(s for s in body["ranking"] if s["vendor_id"] == world.vendors[a])
        return str(next(c["note"] for c in score["components"] if c["code"] == "routine"))

    assert routine_note(published.json()) == "0 routine inspections"
    with use_locale("zh_CN"):
        chinese = Text("{count} routine inspections", {"count": 0}).render()
    assert chinese != "0 routine inspections"  # the catalog translates it
    zh = await client.get(f"/v1/periods/{period}/publication", headers={**sup, "Accept-Language": "zh-CN"})
    assert routine_note(zh.json()) == chinese
    zh_reasons = zh.json()["override"]["reasons"]
    assert zh_reasons and not any("has not ended" in r for r in zh_reasons)  # the refusals, in Chinese too
    en = await client.get(f"/v1/periods/{period}/publication", headers=sup)
    assert routine_note(en.json()) == "0 routine inspections"
    scores = await client.get(
        "/v1/scores", params={"period": period, "limit": 500}, headers={**sup, "Accept-Language": "zh-CN"}
    )
    assert any(c["note"] == chinese for s in scores.json()["items"] for c in s["components"] if c["code"] == "routine")
