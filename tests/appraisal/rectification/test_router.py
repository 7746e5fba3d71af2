"""Findings and rectification orders over HTTP against the real database."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import time_machine

from houqin_common import clock
from houqin_common.auth import Role
from support import auth


async def _finding(client: Any, token: str, vendor_id: str, deadline: date) -> dict[str, Any]:
    r = await client.post(
        "/v1/findings",
        json={
            "vendor_id": vendor_id,
            "source": "security_patrol",
            "description": "消防通道堆放杂物",
            "severity": "major",
            "found_on": (deadline - timedelta(days=10)).isoformat(),
            "deadline": deadline.isoformat(),
        },
        headers=auth(token),
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def test_state_machine_over_http(service_client: Callable[..., Any], make_token: Callable[..., str]) -> None:
    client = await service_client("appraisal")
    vendor_id = str(uuid.uuid4())
    order = await _finding(client, make_token(Role.inspector), vendor_id, clock.today() + timedelta(days=7))
    assert order["status"] == "open" and order["status_zh"] == "待整改" and not order["overdue"]
    url = f"/v1/rectifications/{order['id']}/transitions"
    vendor = auth(make_token(Role.vendor, vendor_id=vendor_id))
    sup = auth(make_token(Role.supervisor))
    # verifying an open order is illegal: 409 and nothing changes
    illegal = await client.post(url, json={"action": "verify"}, headers=sup)
    assert illegal.status_code == 409
    same = await client.get(f"/v1/rectifications/{order['id']}", headers=sup)
    assert same.json()["status"] == "open" and same.json()["version"] == 1
    # the vendor may not verify its own work
    assert (await client.post(url, json={"action": "start"}, headers=vendor)).json()["status"] == "in_progress"
    assert (await client.post(url, json={"action": "submit"}, headers=vendor)).json()["status"] == "submitted"
    assert (await client.post(url, json={"action": "verify"}, headers=vendor)).status_code == 403
    rejected = await client.post(url, json={"action": "reject", "note": "照片不清楚"}, headers=sup)
    assert rejected.json()["status"] == "rejected"
    assert (await client.post(url, json={"action": "submit"}, headers=vendor)).status_code == 409
    assert (await client.post(url, json={"action": "start"}, headers=vendor)).json()["status"] == "in_progress"
    assert (await client.post(url, json={"action": "submit"}, headers=vendor)).json()["status"] == "submitted"
    done = (await client.post(url, json={"action": "verify"}, headers=sup)).json()
    assert done["status"] == "verified" and done["verified_on"] == clock.today().isoformat()
    assert [h["action"] for h in done["history"]] == ["issue", "start", "submit", "reject", "start", "submit", "verify"]
    # another vendor cannot see it at all
    other = auth(make_token(Role.vendor, vendor_id=str(uuid.uuid4())))
    assert (await client.get(f"/v1/rectifications/{order['id']}", headers=other)).status_code == 404
    assert (await client.post(url, json={"action": "start"}, headers=other)).status_code == 404


async def test_overdue_orders_are_listed_and_count_against_the_vendor(
    service_client: Callable[..., Any], make_token: Callable[..., str]
) -> None:
    client = await service_client("appraisal")
    vendor_id = str(uuid.uuid4())
    insp = make_token(Role.inspector)
    late = await _finding(client, insp, vendor_id, clock.today() + timedelta(days=1))
    in_time = await _finding(client, insp, vendor_id, clock.today() + timedelta(days=5))
    # three days on, the first deadline has passed (an order cannot be issued already overdue)
    # the host clock moves: the platform clock keeps its offset (HOUQIN_CLOCK_AT)
    with time_machine.travel(datetime.now(UTC) + timedelta(days=3), tick=True):
        await _overdue_is_listed_and_scored(client, make_token, insp, vendor_id, late, in_time)


async def _overdue_is_listed_and_scored(
    client: Any, make_token: Callable[..., str], insp: str, vendor_id: str, late: Any, in_time: Any
) -> None:
    sup = auth(make_token(Role.supervisor))
    r = await client.get("/v1/rectifications", params={"vendor_id": vendor_id, "overdue": "true"}, headers=sup)
    assert [o["id"] for o in r.json()["items"]] == [late["id"]]
    assert r.json()["items"][0]["overdue"] is True
    every = await client.get("/v1/rectifications", params={"vendor_id": vendor_id}, headers=sup)
    assert {o["id"] for o in every.json()["items"]} == {late["id"], in_time["id"]}
    # the vendor sees its overdue order in its own list
    mine = await client.get(
        "/v1/rectifications", params={"overdue": "true"}, headers=auth(make_token(Role.vendor, vendor_id=vendor_id))
    )
    assert [o["id"] for o in mine.json()["items"]] == [late["id"]]
    # a routine inspection makes the vendor scorable; the overdue order costs the rectification component
    checklist = await client.post(
        "/v1/checklists",
        json={"name": "月度检查", "frequency": "monthly", "items": [{"code": "a", "text": "整洁", "max_points": 10}]},
        headers=sup,
    )
    await client.post(
        "/v1/routine-inspections",
        json={
            "vendor_id": vendor_id,
            "template_id": checklist.json()["id"],
            "inspected_on": clock.today().isoformat(),
            "results": [{"code": "a", "points": 10}],
        },
        headers=auth(insp),
    )
    year = str(clock.today().year)
    score = await client.get(f"/v1/scores/{vendor_id}", params={"period": year}, headers=sup)
    rect = next(c for c in score.json()["components"] if c["code"] == "rectification")
    if late["deadline"][:4] == year:
        assert rect["score"] == 90.0 and "1 late" in rect["note"]


async def test_evidence_upload_and_download(service_client: Callable[..., Any], make_token: Callable[..., str]) -> None:
    client = await service_client("appraisal")
    vendor_id = str(uuid.uuid4())
    order = await _finding(client, make_token(Role.inspector), vendor_id, clock.today() + timedelta(days=3))
    vendor = auth(make_token(Role.vendor, vendor_id=vendor_id))
    content = b"\x89PNG\r\n\x1a\n fake photo of the cleared fire exit"
    up = await client.post(
        f"/v1/rectifications/{order['id']}/evidence",
        files={"file": ("exit.png", content, "image/png")},
        headers=vendor,
    )
    assert up.status_code == 201, up.text
    ev = up.json()
    assert ev["size"] == len(content) and ev["content_type"] == "image/png"
    listed = await client.get(f"/v1/rectifications/{order['id']}/evidence", headers=auth(make_token(Role.supervisor)))
    assert [e["id"] for e in listed.json()] == [ev["id"]]
    down = await client.get(f"/v1/rectifications/{order['id']}/evidence/{ev['id']}", headers=vendor)
    assert down.status_code == 200 and down.content == content
    empty = await client.post(
        f"/v1/rectifications/{order['id']}/evidence", files={"file": ("x.txt", b"", "text/plain")}, headers=vendor
    )
    assert empty.status_code == 422


async def test_a_deadline_before_the_issue_date_is_refused(
    service_client: Callable[..., Any], make_token: Callable[..., str]
) -> None:
    client = await service_client("appraisal")
    today = clock.today()
    body = {
        "vendor_id": str(uuid.uuid4()),
        "source": "committee",
        "description": "消防通道堆放杂物",
        "severity": "major",
        "found_on": (today - timedelta(days=5)).isoformat(),
        "deadline": (today - timedelta(days=1)).isoformat(),
    }
    insp = auth(make_token(Role.inspector))
    born_overdue = await client.post("/v1/findings", json=body, headers=insp)
    assert born_overdue.status_code == 422, born_overdue.text
    assert born_overdue.headers["content-type"].startswith("application/problem+json")
    assert born_overdue.json()["invalid-params"][0]["name"] == "deadline"
    assert "before the order's issue date" in born_overdue.json()["detail"]
    unknown = await client.post(
        "/v1/findings", json={**body, "deadline": today.isoformat(), "urgent": True}, headers=insp
    )
    assert unknown.status_code == 422 and unknown.json()["invalid-params"][0]["name"] == "body.urgent"
    on_the_day = await client.post("/v1/findings", json={**body, "deadline": today.isoformat()}, headers=insp)
    assert on_the_day.status_code == 201, on_the_day.text
