"""The alarm panel registry and event listing (issue 26) over HTTP: who may register, duplicates, listing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from houqin_common.auth import Role
from support import auth


async def test_panels_are_registered_by_the_office_and_listed_with_their_zones(
    service_client: Callable[..., Any], make_token: Callable[..., str]
) -> None:
    client = await service_client("telemetry")
    panel = f"FP-{uuid.uuid4().hex[:8]}"
    body = {
        "id": panel,
        "name": "2号楼火灾报警控制器",
        "system": "fire",
        "building": "2号楼",
        "zones": [{"zone": "Z-1F-01", "building": "2号楼", "floor": "1", "room": "大厅", "label": "烟感"}],
    }
    vendor = auth(make_token(Role.vendor, vendor_id=str(uuid.uuid4())))
    assert (await client.post("/v1/alarm-panels", json=body, headers=vendor)).status_code == 403
    fire = auth(make_token(Role.fire_control))
    created = await client.post("/v1/alarm-panels", json=body, headers=fire)
    assert created.status_code == 201 and created.json()["zones"][0]["room"] == "大厅"
    assert (await client.post("/v1/alarm-panels", json=body, headers=fire)).status_code == 409
    twice = {**body, "id": f"{panel}-2", "zones": body["zones"] * 2}
    assert (await client.post("/v1/alarm-panels", json=twice, headers=fire)).status_code == 409
    listed = await client.get("/v1/alarm-panels", headers=auth(make_token(Role.supervisor)))
    mine = next(p for p in listed.json() if p["id"] == panel)
    assert [z["zone"] for z in mine["zones"]] == ["Z-1F-01"]
    events = await client.get("/v1/alarm-events", params={"panel_id": panel}, headers=fire)
    assert events.status_code == 200 and events.json() == []
    assert (await client.get("/v1/alarm-events", headers=vendor)).status_code == 403
