"""The hazards and conference components (issue 26) in a vendor's score, with explanations naming what is behind."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from houqin_common import clock
from houqin_common.auth import Role, create_token
from houqin_common.settings import ServiceSettings
from support import TEST_SECRET, auth


async def _assign(client: Any, sup: dict[str, str], vendor_id: str, project: str) -> None:
    r = await client.post(
        "/v1/assignments",
        json={"vendor_id": vendor_id, "project_code": project, "start_date": "2000-01-01"},
        headers=sup,
    )
    assert r.status_code == 201, r.text


def _component(score: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(c for c in score["components"] if c["code"] == name)
    return found


async def test_hazards_removed_late_lower_the_score_and_are_named(
    service_client: Callable[..., Any], make_token: Callable[..., str]
) -> None:
    client = await service_client("appraisal")
    sup = auth(make_token(Role.supervisor))
    vendor_id = str(uuid.uuid4())
    await _assign(client, sup, vendor_id, "security")
    tz = clock.office_tz()
    for room, day in (("东门岗亭", 1), ("地下车库B2", 2)):
        r = await client.post(
            "/v1/hazards",
            json={
                "category": "security",
                "severity": "general",
                "source": "patrol",
                "description": "监控摄像头离线",
                "building": "1号楼",
                "room": room,
                "found_at": datetime(2023, 2, day, 9, tzinfo=tz).isoformat(),
                "vendor_id": vendor_id,
            },
            headers=sup,
        )
        assert r.status_code == 201
    score = (await client.get(f"/v1/scores/{vendor_id}", params={"period": "2023"}, headers=sup)).json()
    hazards = _component(score, "hazards")
    assert hazards["score"] == 80.0 and hazards["weight"] == 0.10
    assert "2 late or overdue" in hazards["note"] and "东门岗亭" in hazards["note"] and "地下车库B2" in hazards["note"]
    # a vendor outside hazard_projects is not scored on hazards at all
    other = str(uuid.uuid4())
    await _assign(client, sup, other, "catering")
    await client.post(
        "/v1/hazards",
        json={
            "category": "other",
            "severity": "general",
            "source": "patrol",
            "description": "厨房燃气管道老化",
            "building": "食堂",
            "found_at": datetime(2023, 3, 1, 9, tzinfo=tz).isoformat(),
            "vendor_id": other,
        },
        headers=sup,
    )
    theirs = (await client.get(f"/v1/scores/{other}", params={"period": "2023"}, headers=sup)).json()
    assert "hazards" not in {c["code"] for c in theirs["components"]}


async def test_conference_feedback_and_service_record_score_the_conference_vendor(
    service_client: Callable[..., Any], make_token: Callable[..., str]
) -> None:
    client = await service_client("appraisal")
    sup = auth(make_token(Role.supervisor))
    vendor_id = str(uuid.uuid4())
    vendor = auth(make_token(Role.vendor, vendor_id=vendor_id))
    dept = auth(
        create_token(
            ServiceSettings(jwt_secret=TEST_SECRET),
            subject="秘书",
            roles=[Role.staff],
            extra={"department": "市水利局"},
        )
    )
    await _assign(client, sup, vendor_id, "conference")
    room = await client.post(
        "/v1/conference/rooms",
        json={"name": f"第{uuid.uuid4().hex[:6]}会议室", "building": "会议中心", "capacity": 100},
        headers=sup,
    )
    start = datetime(2023, 6, 5, 9, tzinfo=clock.office_tz())
    for i, (title, grade, issues) in enumerate(
        (("防汛调度会", "good", ["投影仪故障"]), ("年度总结会", "excellent", []))
    ):
        b = await client.post(
            "/v1/conference/bookings",
            json={
                "room_id": room.json()["id"],
                "title": title,
                "starts_at": (start + timedelta(days=i)).isoformat(),
                "ends_at": (start + timedelta(days=i, hours=2)).isoformat(),
                "attendees": 60,
            },
            headers=dept,
        )
        url = f"/v1/conference/bookings/{b.json()['id']}"
        assert (await client.post(f"{url}/attendance", json={"outcome": "held"}, headers=vendor)).status_code == 200
        record = {"delivered": ["tea"], "issues": issues}
        assert (await client.put(f"{url}/service-record", json=record, headers=vendor)).status_code == 200
        assert (await client.put(f"{url}/feedback", json={"grade": grade}, headers=dept)).status_code == 200
    score = (await client.get(f"/v1/scores/{vendor_id}", params={"period": "2023H1"}, headers=sup)).json()
    conference = _component(score, "conference")
    # (0.7 × 80 + 0.3 × 90) and 100, averaged
    assert conference["score"] == 91.5
    assert "2 meetings held" in conference["note"] and "防汛调度会" in conference["note"]
    assert "年度总结会" not in conference["note"]
