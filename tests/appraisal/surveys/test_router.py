"""Satisfaction surveys against the real database: one answer per respondent, anonymity, rates, results."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import asyncpg

from appraisal_testkit import World
from houqin_common.auth import Role
from houqin_common.db import libpq_url
from support import auth

RESPONSES = "SELECT count(*) FROM appraisal.response WHERE campaign_id=$1"


async def _count(database_url: str, sql: str, *args: Any) -> int:
    conn = await asyncpg.connect(libpq_url(database_url))
    try:
        return int(await conn.fetchval(sql, *args))
    finally:
        await conn.close()


async def test_second_answer_with_same_token_is_409_and_changes_nothing(
    service_client: Callable[..., Any], make_token: Callable[..., str], database_url: str
) -> None:
    client = await service_client("appraisal")
    world = await World(client, make_token).build()
    [token] = await world.tokens(1)
    first = await world.answer(token, "excellent", overall_opinion="很好")
    assert first.status_code == 201, first.text
    before = await _count(
        database_url, "SELECT count(*) FROM appraisal.response WHERE campaign_id=$1", world.campaign_id
    )
    again = await world.answer(token, "poor", overall_opinion="差")
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    after = await _count(
        database_url, "SELECT count(*) FROM appraisal.response WHERE campaign_id=$1", world.campaign_id
    )
    poor = await _count(
        database_url,
        "SELECT count(*) FROM appraisal.answer a JOIN appraisal.response r ON r.id=a.response_id "
        "WHERE r.campaign_id=$1 AND a.grade='poor'",
        world.campaign_id,
    )
    assert before == after == 1 and poor == 0


async def test_staff_login_answers_once(service_client: Callable[..., Any], make_token: Callable[..., str]) -> None:
    client = await service_client("appraisal")
    world = await World(client, make_token).build()
    staff = auth(make_token(Role.staff, subject="staff-li"))
    body = {"answers": world.answers("good"), "department": "财政局"}
    url = f"/v1/campaigns/{world.campaign_id}/responses"
    assert (await client.post(url, json=body, headers=staff)).status_code == 201
    assert (await client.post(url, json=body, headers=staff)).status_code == 409
    other = auth(make_token(Role.staff, subject="staff-wang"))
    assert (await client.post(url, json=body, headers=other)).status_code == 201
    vendor = auth(make_token(Role.vendor, vendor_id=world.vendors[world.projects[0]]))
    assert (await client.post(url, json=body, headers=vendor)).status_code == 403


async def test_unknown_token_and_closed_campaign_are_refused(
    service_client: Callable[..., Any], make_token: Callable[..., str]
) -> None:
    client = await service_client("appraisal")
    world = await World(client, make_token).build()
    assert (await world.answer("not-a-token", "good")).status_code == 403
    closed = await World(client, make_token).build(open_now=False)
    [token] = await closed.tokens(1)
    assert (await closed.answer(token, "good")).status_code == 409
    # the token was not consumed by the refused attempt
    form = await client.get(f"/v1/campaigns/{closed.campaign_id}/form", headers={"X-Invitation-Token": token})
    assert form.status_code == 200 and len(form.json()["items"]) == 4


async def test_no_join_path_from_answers_to_respondent(
    service_client: Callable[..., Any], make_token: Callable[..., str], database_url: str
) -> None:
    client = await service_client("appraisal")
    world = await World(client, make_token).build()
    tokens = await world.tokens(3, department="教育局")
    for t in tokens:
        assert (await world.answer(t, "good")).status_code == 201
    conn = await asyncpg.connect(libpq_url(database_url))
    try:
        cols = {
            (r["table_name"], r["column_name"]): r["data_type"]
            for r in await conn.fetch(
                "SELECT table_name, column_name, data_type FROM information_schema.columns "
                "WHERE table_schema='appraisal' AND table_name IN ('response','answer','consumed_token')"
            )
        }
        fks = await conn.fetch(
            "SELECT tc.table_name, ccu.table_name AS target FROM information_schema.table_constraints tc "
            "JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name=tc.constraint_name "
            "WHERE tc.constraint_type='FOREIGN KEY' AND tc.table_schema='appraisal' "
            "AND tc.table_name IN ('response','answer','consumed_token')"
        )
        stored = await conn.fetch(
            "SELECT token_hash FROM appraisal.consumed_token WHERE campaign_id=$1", world.campaign_id
        )
        row = await conn.fetchrow("SELECT * FROM appraisal.response WHERE campaign_id=$1 LIMIT 1", world.campaign_id)
    finally:
        await conn.close()
    # no column that could point at a respondent, an invitation or a moment
    assert {c for (t, c) in cols if t == "response"} == {
        "id",
        "campaign_id",
        "department",
        "overall_opinion",
        "suggestions",
        "extra",
    }
    assert {c for (t, c) in cols if t == "consumed_token"} == {"campaign_id", "token_hash"}
    assert not any("timestamp" in dt or dt == "date" for (t, _), dt in cols.items())
    # foreign keys lead only to the campaign, the items and the answer sheet: never to invitations
    assert {(r["table_name"], r["target"]) for r in fks} <= {
        ("response", "campaign"),
        ("answer", "response"),
        ("answer", "service_item"),
        ("consumed_token", "campaign"),
    }
    # the plain tokens are nowhere; only keyed hashes are kept
    assert len(stored) == 3 and not {r["token_hash"] for r in stored} & set(tokens)
    assert row is not None and not any(t in str(dict(row)) for t in tokens)


async def test_response_rate_against_target(service_client: Callable[..., Any], make_token: Callable[..., str]) -> None:
    client = await service_client("appraisal")
    world = await World(client, make_token).build()
    tokens = await world.tokens(20, department="办公室")
    for t in tokens[:19]:
        assert (await world.answer(t, "fair")).status_code == 201
    r = await client.get(f"/v1/campaigns/{world.campaign_id}/response-rate", headers=world.sup)
    body = r.json()
    assert body["invited"] == 20 and body["answered"] == 19
    assert body["rate"] == 0.95 and body["target"] == 0.95 and body["meets_target"] is True
    r = await client.get(f"/v1/campaigns/{world.campaign_id}/response-rate", headers=world.sup)
    assert r.json()["departments"] == [{"department": "办公室", "invited": 20, "answered": 19}]
    staff = auth(make_token(Role.staff))
    assert (await client.get(f"/v1/campaigns/{world.campaign_id}/response-rate", headers=staff)).status_code == 403


async def test_results_grade_arithmetic_and_small_departments_hidden(
    service_client: Callable[..., Any], make_token: Callable[..., str]
) -> None:
    client = await service_client("appraisal")
    world = await World(client, make_token).build()
    a, b = world.projects
    big = await world.tokens(5, department="发改委")
    small = await world.tokens(2, department="档案局")
    # project a: 4 excellent + 1 poor per item; project b: n/a from everybody in the big group
    for i, t in enumerate(big):
        grade = {a: "excellent" if i < 4 else "poor", b: "n/a"}
        assert (await world.answer(t, grade, suggestions=f"建议{i}")).status_code == 201
    for t in small:
        assert (await world.answer(t, {a: "good", b: "fair"})).status_code == 201
    r = await client.get(f"/v1/campaigns/{world.campaign_id}/results", headers=world.sup)
    assert r.status_code == 200, r.text
    body = r.json()
    vendors = {v["vendor_id"]: v for v in body["vendors"]}
    # a: per item 4x100 + 0 + 2x80 = 560 over 7 answers = 80.0
    assert vendors[world.vendors[a]]["score"] == 80.0
    assert vendors[world.vendors[a]]["distribution"]["excellent"] == 8
    # b: n/a is left out, only the two "fair" (60) count
    assert vendors[world.vendors[b]]["score"] == 60.0
    assert vendors[world.vendors[b]]["distribution"]["n/a"] == 10
    assert [d["department"] for d in body["departments"]] == ["发改委"]
    assert body["suppressed_departments"] == 1
    assert body["suggestions"] == sorted(body["suggestions"]) and len(body["suggestions"]) == 5
