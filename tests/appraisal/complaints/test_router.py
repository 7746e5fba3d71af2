"""Complaints routed to vendors, answered and closed, over HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from houqin_common.auth import Role
from support import auth


async def test_complaint_is_routed_answered_and_closed(
    service_client: Callable[..., Any], make_token: Callable[..., str]
) -> None:
    client = await service_client("appraisal")
    sup = auth(make_token(Role.supervisor))
    project = f"canteen{uuid.uuid4().hex[:8]}"
    vendor_id = str(uuid.uuid4())
    r = await client.post(
        "/v1/assignments",
        json={"vendor_id": vendor_id, "project_code": project, "start_date": "2020-01-01"},
        headers=sup,
    )
    assert r.status_code == 201
    staff = auth(make_token(Role.staff, subject=f"staff-{uuid.uuid4().hex[:6]}"))
    body = {"channel": "wechat", "category": "canteen_dishes", "description": "菜太咸", "project_code": project}
    # an unknown field is refused and named, never dropped silently
    extra = await client.post("/v1/complaints", json={**body, "comment": "请尽快处理"}, headers=staff)
    assert extra.status_code == 422 and extra.headers["content-type"].startswith("application/problem+json")
    assert extra.json()["invalid-params"] == [{"name": "body.comment", "reason": "this field is not allowed"}]
    filed = await client.post(
        "/v1/complaints",
        json={"channel": "wechat", "category": "canteen_dishes", "description": "菜太咸", "project_code": project},
        headers=staff,
    )
    assert filed.status_code == 201, filed.text
    c = filed.json()
    assert c["vendor_id"] == vendor_id and c["category_zh"] == "食堂菜品" and c["status"] == "open"
    assert c["hours_to_first_response"] is None
    vendor = auth(make_token(Role.vendor, vendor_id=vendor_id))
    other_vendor = auth(make_token(Role.vendor, vendor_id=str(uuid.uuid4())))
    assert (await client.get(f"/v1/complaints/{c['id']}", headers=other_vendor)).status_code == 404
    answered = await client.post(f"/v1/complaints/{c['id']}/responses", json={"response": "已调整口味"}, headers=vendor)
    assert answered.json()["status"] == "responded" and answered.json()["hours_to_first_response"] >= 0
    assert (
        await client.post(
            f"/v1/complaints/{c['id']}/close", json={"substantiated": True, "resolution": "x"}, headers=vendor
        )
    ).status_code == 403
    closed = await client.post(
        f"/v1/complaints/{c['id']}/close", json={"substantiated": True, "resolution": "已整改"}, headers=sup
    )
    assert closed.json()["status"] == "closed" and closed.json()["hours_to_close"] is not None
    again = await client.post(
        f"/v1/complaints/{c['id']}/close", json={"substantiated": False, "resolution": "x"}, headers=sup
    )
    assert again.status_code == 409
    mine = await client.get("/v1/complaints", headers=vendor)
    assert [x["id"] for x in mine.json()["items"]] == [c["id"]]
    own = await client.get("/v1/complaints", headers=staff)
    assert [x["id"] for x in own.json()["items"]] == [c["id"]]


async def test_complaint_hot_reads_keep_visibility_and_filters(
    service_client: Callable[..., Any], make_token: Callable[..., str]
) -> None:
    """GET /v1/complaints and /v1/complaints/{id} run compiled statements on the read pool: the filer
    sees its own, another staff member gets 404, a vendor what is routed to it; filters take each
    request's values."""
    client = await service_client("appraisal")
    sup = auth(make_token(Role.supervisor))
    vendor_id = str(uuid.uuid4())
    filer = f"staff-{uuid.uuid4().hex[:6]}"
    staff = auth(make_token(Role.staff, subject=filer))
    filed = []
    for text in ("空调太冷", "门卫态度"):
        r = await client.post(
            "/v1/complaints",
            json={"channel": "web", "category": "canteen_dishes", "description": text, "vendor_id": vendor_id},
            headers=staff,
        )
        assert r.status_code == 201, r.text
        filed.append(r.json())
    await client.post(f"/v1/complaints/{filed[1]['id']}/responses", json={"response": "已处理"}, headers=sup)
    own = await client.get(f"/v1/complaints/{filed[0]['id']}", headers=staff)
    assert own.status_code == 200 and own.json() == filed[0]
    stranger = auth(make_token(Role.staff, subject=f"staff-{uuid.uuid4().hex[:6]}"))
    assert (await client.get(f"/v1/complaints/{filed[0]['id']}", headers=stranger)).status_code == 404
    assert (await client.get("/v1/complaints", headers=stranger)).json()["total"] == 0
    vendor = auth(make_token(Role.vendor, vendor_id=vendor_id))
    for status, expected in (("open", filed[0]["id"]), ("responded", filed[1]["id"])):  # one shape, two values
        r = await client.get("/v1/complaints", params={"status": status}, headers=vendor)
        assert [c["id"] for c in r.json()["items"]] == [expected], r.text
    answered = await client.get(f"/v1/complaints/{filed[1]['id']}", headers=vendor)
    assert answered.json()["status"] == "responded" and answered.json()["hours_to_first_response"] is not None
    listed = await client.get("/v1/complaints", params={"vendor_id": vendor_id, "sort": "status"}, headers=sup)
    assert [c["status"] for c in listed.json()["items"]] == ["open", "responded"]
