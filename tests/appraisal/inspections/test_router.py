"""Routine and food-safety inspections, over HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from houqin_common.auth import Role
from support import auth


async def test_routine_and_food_safety_inspections(
    service_client: Callable[..., Any], make_token: Callable[..., str]
) -> None:
    client = await service_client("appraisal")
    insp = auth(make_token(Role.inspector, subject="inspector-zhang"))
    vendor_id = str(uuid.uuid4())
    checklist = await client.post(
        "/v1/checklists",
        json={
            "name": "食堂季度检查",
            "frequency": "quarterly",
            "items": [
                {"code": "hygiene", "text": "后厨卫生", "max_points": 40},
                {"code": "menu", "text": "菜谱公示", "max_points": 20},
                {"code": "records", "text": "留样记录", "max_points": 40},
            ],
        },
        headers=insp,
    )
    assert checklist.status_code == 201, checklist.text
    routine = await client.post(
        "/v1/routine-inspections",
        json={
            "vendor_id": vendor_id,
            "template_id": checklist.json()["id"],
            "inspected_on": "2034-03-15",
            "results": [{"code": "hygiene", "points": 30}, {"code": "menu", "points": 20}],
        },
        headers=insp,
    )
    assert routine.status_code == 201 and routine.json()["score"] == 50.0
    too_many = await client.post(
        "/v1/routine-inspections",
        json={
            "vendor_id": vendor_id,
            "template_id": checklist.json()["id"],
            "inspected_on": "2034-03-15",
            "results": [{"code": "menu", "points": 21}],
        },
        headers=insp,
    )
    assert too_many.status_code == 422
    food = await client.post(
        "/v1/food-safety-inspections",
        json={
            "vendor_id": vendor_id,
            "agency": "常州市食品安全第三方检测中心",
            "kind": "random",
            "announced": False,
            "inspected_on": "2034-04-02",
            "result": "conditional",
            "violations": [{"description": "冷藏温度偏高", "severity": "major"}],
        },
        headers=insp,
    )
    assert food.status_code == 201 and food.json()["score"] == 80.0 and food.json()["worst_severity"] == "major"
    sup = auth(make_token(Role.supervisor))
    # only the inspector role records third-party food-safety inspections
    assert (await client.post("/v1/food-safety-inspections", json=food.json(), headers=sup)).status_code == 403
    vendor = auth(make_token(Role.vendor, vendor_id=vendor_id))
    listed = await client.get("/v1/food-safety-inspections", headers=vendor)
    assert [x["id"] for x in listed.json()["items"]] == [food.json()["id"]]
    score = (await client.get(f"/v1/scores/{vendor_id}", params={"period": "2034H1"}, headers=vendor)).json()
    comps = {c["code"]: c["score"] for c in score["components"]}
    assert comps["routine"] == 50.0 and comps["food_safety"] == 80.0
    # quality weighs routine 0.25 and food safety 0.10 of the support scheme
    assert score["quality"] == round((0.25 * 50 + 0.10 * 80) / 0.35, 2)
