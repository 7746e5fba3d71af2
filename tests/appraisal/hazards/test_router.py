"""The hazard register over HTTP against the real database: lifecycle, ETag, scope, alarms, overdue, stats."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from openpyxl import load_workbook

from houqin_common import clock
from houqin_common.auth import Role
from support import auth


def _body(vendor_id: str | None, found_at: datetime, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category": "fire",
        "severity": "major",
        "source": "patrol",
        "description": "消防通道堆放杂物",
        "building": "3号楼",
        "floor": "5",
        "room": "东侧通道",
        "found_at": found_at.isoformat(),
        **extra,
    }
    if vendor_id is not None:
        body["vendor_id"] = vendor_id
    return body


async def _hazard(client: Any, token: str, vendor_id: str, found_at: datetime, **extra: Any) -> dict[str, Any]:
    r = await client.post("/v1/hazards", json=_body(vendor_id, found_at, **extra), headers=auth(token))
    assert r.status_code == 201, r.text
    assert r.headers["ETag"] == '"1"'
    body: dict[str, Any] = r.json()
    return body


async def test_lifecycle_with_etag_and_roles(
    service_client: Callable[..., Any], make_token: Callable[..., str]
) -> None:
    client = await service_client("appraisal")
    vendor_id = str(uuid.uuid4())
    found = clock.now() - timedelta(hours=1)
    hazard = await _hazard(client, make_token(Role.supervisor), vendor_id, found)
    # assigned at once to the vendor named (no contract known); deadlines from the severity (较大: 8 h / 72 h)
    assert hazard["status"] == "assigned" and hazard["status_zh"] == "已交办" and hazard["severity_zh"] == "较大"
    assert hazard["contract_id"] is None and hazard["vendor_id"] == vendor_id
    assert datetime.fromisoformat(hazard["removal_due_at"]) == found + timedelta(hours=72)
    assert datetime.fromisoformat(hazard["response_due_at"]) == found + timedelta(hours=8)
    url = f"/v1/hazards/{hazard['id']}/transitions"
    vendor = auth(make_token(Role.vendor, vendor_id=vendor_id))
    other_vendor = auth(make_token(Role.vendor, vendor_id=str(uuid.uuid4())))
    fire = auth(make_token(Role.fire_control, subject="消防监控中心值班员"))

    assert (await client.post(url, json={"action": "start"}, headers=vendor)).status_code == 428
    stale = await client.post(url, json={"action": "start"}, headers={**vendor, "If-Match": '"7"'})
    assert stale.status_code == 412 and stale.json()["current_etag"] == '"1"'
    # another vendor does not see it at all
    assert (await client.get(f"/v1/hazards/{hazard['id']}", headers=other_vendor)).status_code == 404
    assert (
        await client.post(url, json={"action": "start"}, headers={**other_vendor, "If-Match": "*"})
    ).status_code == 404
    started = await client.post(url, json={"action": "start"}, headers={**vendor, "If-Match": '"1"'})
    assert started.status_code == 200 and started.json()["status"] == "rectifying"
    assert started.headers["ETag"] == '"2"' and started.json()["rectifying_at"] is not None
    # the vendor may not verify its own work, nor verify before removal is reported
    assert (await client.post(url, json={"action": "verify"}, headers={**fire, "If-Match": '"2"'})).status_code == 409
    removed = await client.post(
        url,
        json={"action": "remove", "note": "已清理", "attachments": [{"document_id": "doc-1", "note": "整改后照片"}]},
        headers={**vendor, "If-Match": '"2"'},
    )
    assert removed.status_code == 200 and removed.json()["removed_at"] is not None
    assert removed.json()["attachments"] == [
        {"document_id": "doc-1", "contract_id": None, "sha256": None, "note": "整改后照片"}
    ]
    assert (await client.post(url, json={"action": "verify"}, headers={**vendor, "If-Match": '"3"'})).status_code == 403
    verified = await client.post(url, json={"action": "verify"}, headers={**fire, "If-Match": '"3"'})
    done = verified.json()
    assert verified.status_code == 200 and done["status"] == "verified" and done["status_zh"] == "已销号"
    assert not done["late"] and not done["overdue"]
    assert [(e["action"], e["by"]) for e in done["history"]][-3:] == [
        ("start", "tester"),
        ("remove", "tester"),
        ("verify", "消防监控中心值班员"),
    ]
    reopened = await client.post(
        url, json={"action": "reopen", "note": "复查仍有杂物"}, headers={**fire, "If-Match": '"4"'}
    )
    assert reopened.json()["status"] == "rectifying" and reopened.json()["removed_at"] is None


async def test_a_vendor_is_required_when_no_contract_names_one(
    service_client: Callable[..., Any], make_token: Callable[..., str]
) -> None:
    client = await service_client("appraisal")
    sup = auth(make_token(Role.supervisor))
    refused = await client.post("/v1/hazards", json=_body(None, clock.now()), headers=sup)
    assert refused.status_code == 422 and "vendor_id" in refused.json()["detail"]
    accepted = await client.post("/v1/hazards", json=_body(str(uuid.uuid4()), clock.now()), headers=sup)
    assert accepted.status_code == 201


async def test_overdue_hazards_are_listed_for_the_office_and_their_vendor(
    service_client: Callable[..., Any], make_token: Callable[..., str]
) -> None:
    client = await service_client("appraisal")
    vendor_id = str(uuid.uuid4())
    sup = make_token(Role.supervisor)
    # 一般: 168 h to remove; found 8 days ago it is overdue, found 1 day ago it is not
    old = await _hazard(client, sup, vendor_id, clock.now() - timedelta(days=8), severity="general")
    fresh = await _hazard(client, sup, vendor_id, clock.now() - timedelta(days=1), severity="general")
    assert old["overdue"] and old["late"] and not fresh["overdue"]
    r = await client.get("/v1/hazards/overdue", params={"limit": 500}, headers=auth(sup))
    ids = {h["id"] for h in r.json()["items"]}
    assert old["id"] in ids and fresh["id"] not in ids
    mine = await client.get("/v1/hazards/overdue", headers=auth(make_token(Role.vendor, vendor_id=vendor_id)))
    assert [h["id"] for h in mine.json()["items"]] == [old["id"]]
    theirs = await client.get("/v1/hazards", headers=auth(make_token(Role.vendor, vendor_id=str(uuid.uuid4()))))
    assert theirs.json()["total"] == 0


async def test_an_alarm_opens_a_hazard_once_and_later_alarms_join_it(
    service_client: Callable[..., Any], make_token: Callable[..., str]
) -> None:
    client = await service_client("appraisal")
    svc = auth(make_token(Role.service, subject="telemetry-ingest"))
    vendor_id, panel = str(uuid.uuid4()), f"FP-{uuid.uuid4().hex[:6]}"
    at = clock.now() - timedelta(minutes=30)
    alarm = {
        "alarm_id": f"{panel}-1",
        "panel_id": panel,
        "zone": "Z-3F-07",
        "event_type": "fault",
        "occurred_at": at.isoformat(),
        "building": "3号楼",
        "floor": "3",
        "room": "307",
        "description": "烟感探测器",
        "vendor_id": vendor_id,
    }
    first = await client.post("/v1/hazards/alarms", json=alarm, headers=svc)
    assert first.status_code == 201, first.text
    hazard = first.json()
    assert hazard["source"] == "alarm" and hazard["category"] == "fire" and hazard["vendor_id"] == vendor_id
    again = await client.post("/v1/hazards/alarms", json=alarm, headers=svc)
    assert again.status_code == 200 and again.json()["id"] == hazard["id"] and len(again.json()["alarms"]) == 1
    joined = await client.post(
        "/v1/hazards/alarms", json={**alarm, "alarm_id": f"{panel}-2", "event_type": "fire_alarm"}, headers=svc
    )
    assert joined.status_code == 200 and joined.json()["id"] == hazard["id"]
    assert [a["alarm_id"] for a in joined.json()["alarms"]] == [f"{panel}-1", f"{panel}-2"]
    other_zone = await client.post(
        "/v1/hazards/alarms", json={**alarm, "alarm_id": f"{panel}-3", "zone": "Z-4F-01"}, headers=svc
    )
    assert other_zone.status_code == 201 and other_zone.json()["id"] != hazard["id"]
    cleared = await client.post(
        f"/v1/hazards/alarms/{panel}-1/cleared", json={"cleared_at": clock.now().isoformat()}, headers=svc
    )
    assert cleared.status_code == 200
    assert [a["cleared_at"] is not None for a in cleared.json()["alarms"]] == [True, False]
    assert cleared.json()["history"][-1]["action"] == "alarm_cleared"
    unknown = await client.post(
        f"/v1/hazards/alarms/{panel}-9/cleared", json={"cleared_at": clock.now().isoformat()}, headers=svc
    )
    assert unknown.status_code == 404


async def test_stats_by_category_and_status_as_json_xlsx_and_chart(
    service_client: Callable[..., Any], make_token: Callable[..., str]
) -> None:
    client = await service_client("appraisal")
    sup = make_token(Role.supervisor)
    vendor_id = str(uuid.uuid4())
    tz = clock.office_tz()
    await _hazard(client, sup, vendor_id, datetime(2019, 3, 1, 9, tzinfo=tz))
    await _hazard(client, sup, vendor_id, datetime(2019, 4, 1, 9, tzinfo=tz), category="security")
    await _hazard(client, sup, vendor_id, datetime(2019, 9, 1, 9, tzinfo=tz), category="technical")
    h1 = (await client.get("/v1/hazards/stats/2019H1", headers=auth(sup))).json()
    assert h1["found"] == 2 and h1["late"] == 2
    assert sorted((c["category_zh"], c["status_zh"], c["count"]) for c in h1["counts"]) == [
        ("安防", "已交办", 1),
        ("消防", "已交办", 1),
    ]
    year = (await client.get("/v1/hazards/stats/2019", headers=auth(sup))).json()
    assert year["found"] == 3
    x = await client.get("/v1/hazards/stats/2019", params={"format": "xlsx"}, headers=auth(sup))
    ws = load_workbook(io.BytesIO(x.content)).active
    assert ws is not None
    rows = {r[0]: r for r in ws.iter_rows(values_only=True) if r and r[0]}
    assert rows["技防"][-1] == 1 and rows["消防"][-1] == 1
    png = await client.get("/v1/hazards/stats/2019H1", params={"format": "png"}, headers=auth(sup))
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert (await client.get("/v1/hazards/stats/2019Q1", headers=auth(sup))).status_code == 422


async def test_the_overdue_alert_command_lists_overdue_hazards_and_fails(
    database_url: str, service_client: Callable[..., Any], make_token: Callable[..., str]
) -> None:
    from appraisal.hazards.service import overdue_lines

    client = await service_client("appraisal")
    sup = make_token(Role.supervisor)
    room = f"配电间{uuid.uuid4().hex[:6]}"
    await _hazard(client, sup, str(uuid.uuid4()), clock.now() - timedelta(days=9), severity="general", room=room)
    await _hazard(client, sup, str(uuid.uuid4()), clock.now(), severity="general", room=f"{room}-新")
    lines = await overdue_lines(database_url)
    assert sum(room in line for line in lines) == 1 and any(f"{room}:" in line for line in lines)
