"""The conference centre over HTTP against the real database: bookings refused on overlap (also under a race),
service records, feedback, the year's figures."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx

from houqin_common import clock
from houqin_common.auth import Role, create_token
from houqin_common.settings import ServiceSettings
from support import TEST_SECRET, LiveServices, auth


def _staff(make_token: Callable[..., str], department: str) -> dict[str, str]:
    """A staff token speaking for ``department`` (its `department` claim)."""
    settings = ServiceSettings(jwt_secret=TEST_SECRET)
    return auth(
        create_token(settings, subject=f"{department}-秘书", roles=[Role.staff], extra={"department": department})
    )


async def _room(client: Any, sup: dict[str, str], capacity: int = 300) -> dict[str, Any]:
    r = await client.post(
        "/v1/conference/rooms",
        json={
            "name": f"报告厅{uuid.uuid4().hex[:6]}",
            "building": "会议中心",
            "capacity": capacity,
            "equipment": ["音响"],
        },
        headers=sup,
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


def _slot(start: datetime, hours: float, room_id: str, title: str, attendees: int = 120) -> dict[str, Any]:
    return {
        "room_id": room_id,
        "title": title,
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=hours)).isoformat(),
        "attendees": attendees,
        "services": ["tea", "sound"],
    }


async def test_an_overlapping_booking_is_refused_naming_the_other(
    service_client: Callable[..., Any], make_token: Callable[..., str]
) -> None:
    client = await service_client("appraisal")
    sup = auth(make_token(Role.supervisor))
    room = await _room(client, sup)
    start = datetime(2040, 3, 12, 9, tzinfo=clock.office_tz())
    first = await client.post(
        "/v1/conference/bookings",
        json=_slot(start, 2, room["id"], "全市机关事务工作会议"),
        headers=_staff(make_token, "市财政局"),
    )
    assert first.status_code == 201 and first.json()["department"] == "市财政局"
    clash = await client.post(
        "/v1/conference/bookings",
        json=_slot(start + timedelta(hours=1), 2, room["id"], "安全生产会"),
        headers=_staff(make_token, "市应急局"),
    )
    assert clash.status_code == 409
    assert "全市机关事务工作会议" in clash.json()["detail"] and "市财政局" in clash.json()["detail"]
    assert clash.json()["conflicting_booking_id"] == first.json()["id"]
    # back to back is no overlap: [09:00, 11:00) and [11:00, 12:00)
    after = await client.post(
        "/v1/conference/bookings",
        json=_slot(start + timedelta(hours=2), 1, room["id"], "安全生产会"),
        headers=_staff(make_token, "市应急局"),
    )
    assert after.status_code == 201
    # a cancelled booking frees its slot; only its department (or the office) may cancel it
    url = f"/v1/conference/bookings/{first.json()['id']}/cancel"
    assert (await client.post(url, headers=_staff(make_token, "市应急局"))).status_code == 404
    assert (await client.post(url, headers=_staff(make_token, "市财政局"))).json()["status"] == "cancelled"
    retry = await client.post(
        "/v1/conference/bookings",
        json=_slot(start + timedelta(hours=1), 1, room["id"], "安全生产会"),
        headers=_staff(make_token, "市应急局"),
    )
    assert retry.status_code == 201
    too_many = await client.post(
        "/v1/conference/bookings",
        json=_slot(start + timedelta(days=1), 1, room["id"], "大会", attendees=301),
        headers=_staff(make_token, "市应急局"),
    )
    assert too_many.status_code == 422


async def test_twenty_clients_racing_for_one_slot_get_exactly_one_booking(
    live_services: LiveServices, make_token: Callable[..., str]
) -> None:
    url = live_services.start("appraisal")
    sup = auth(make_token(Role.supervisor))
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        room = await _room(http, sup)
        start = datetime(2040, 6, 1, 14, tzinfo=clock.office_tz())

        async def attempt(i: int) -> httpx.Response:
            # each client its own connection: 20 requests in flight at once against the real server
            async with httpx.AsyncClient(base_url=url, timeout=60) as own:
                return await own.post(
                    "/v1/conference/bookings",
                    json=_slot(start + timedelta(minutes=i), 2, room["id"], f"会议{i}"),
                    headers=_staff(make_token, f"部门{i}"),
                )

        results = await asyncio.gather(*(attempt(i) for i in range(20)))
        codes = sorted(r.status_code for r in results)
        assert codes == [201] + [409] * 19, [(r.status_code, r.text[:200]) for r in results]
        winner = next(r.json() for r in results if r.status_code == 201)
        assert all(r.json()["conflicting_booking_id"] == winner["id"] for r in results if r.status_code == 409)
        listed = await http.get("/v1/conference/bookings", params={"room_id": room["id"]}, headers=sup)
        assert [b["id"] for b in listed.json()["items"]] == [winner["id"]]


async def test_service_record_feedback_and_the_years_figures(
    service_client: Callable[..., Any], make_token: Callable[..., str]
) -> None:
    client = await service_client("appraisal")
    sup = auth(make_token(Role.supervisor))
    vendor_id = str(uuid.uuid4())
    vendor = auth(make_token(Role.vendor, vendor_id=vendor_id))
    room = await _room(client, sup, capacity=500)
    year = 2021
    tz = clock.office_tz()
    dept = _staff(make_token, "市发改委")
    made = []
    for i, attendees in enumerate((260, 80, 30)):
        r = await client.post(
            "/v1/conference/bookings",
            json=_slot(datetime(year, 4, 1 + i, 9, tzinfo=tz), 3, room["id"], f"会议{i}", attendees),
            headers=dept,
        )
        assert r.status_code == 201
        made.append(r.json()["id"])
    late_cancel = await client.post(
        "/v1/conference/bookings",
        json=_slot(datetime(year, 5, 1, 9, tzinfo=tz), 1, room["id"], "取消的会"),
        headers=dept,
    )
    await client.post(f"/v1/conference/bookings/{late_cancel.json()['id']}/cancel", headers=dept)
    # feedback before the meeting is held is refused; after, by its department only
    url = f"/v1/conference/bookings/{made[0]}"
    assert (await client.put(f"{url}/feedback", json={"grade": "excellent"}, headers=dept)).status_code == 409
    held = await client.post(f"{url}/attendance", json={"outcome": "held", "attendees": 270}, headers=vendor)
    assert held.status_code == 200 and held.json()["status_zh"] == "已召开"
    record = await client.put(
        f"{url}/service-record", json={"delivered": ["tea", "sound"], "issues": ["话筒啸叫"]}, headers=vendor
    )
    assert record.status_code == 200 and record.json()["service_vendor_id"] == vendor_id
    other = _staff(make_token, "市教育局")
    assert (await client.put(f"{url}/feedback", json={"grade": "poor"}, headers=other)).status_code == 404
    graded = await client.put(f"{url}/feedback", json={"grade": "good", "comment": "音响有杂音"}, headers=dept)
    assert graded.status_code == 200 and graded.json()["feedback_grade_zh"] == "较好"
    for booking_id, outcome in ((made[1], "held"), (made[2], "no_show")):
        r = await client.post(
            f"/v1/conference/bookings/{booking_id}/attendance", json={"outcome": outcome}, headers=sup
        )
        assert r.status_code == 200
    figures = (await client.get(f"/v1/conference/figures/{year}", headers=sup)).json()
    assert figures["meetings_held"] == 2 and figures["large_meetings"] == 1 and figures["no_shows"] == 1
    assert figures["cancelled"] == 1 and figures["attendees"] == 270 + 80 and figures["booked_hours"] == 6.0
    assert figures["feedback"] == {"较好": 1}
    by_class = {s["size_class"]: s for s in figures["savings"]}
    assert by_class["large"]["meetings"] == 1 and by_class["medium"]["meetings"] == 1
    # the defaults: large 20000 − 4000, medium 6000 − 1200
    assert figures["savings_cny"] == "20800"
    assert "estimate" in figures["statement"] and "20,800" in figures["statement"]
    zh = await client.get(f"/v1/conference/figures/{year}", headers={**sup, "Accept-Language": "zh-CN"})
    assert "会议中心" in zh.json()["title"]


async def test_a_room_name_already_taken_is_a_conflict_naming_it(
    service_client: Callable[..., Any], make_token: Callable[..., str]
) -> None:
    """A second room of the same name is a 409 that names the room, not a hint to retry."""
    client = await service_client("appraisal")
    sup = auth(make_token(Role.supervisor))
    room = await _room(client, sup)  # positive control: a new name is created
    again = {"name": room["name"], "building": "会议中心", "capacity": 80}
    clash = await client.post("/v1/conference/rooms", json=again, headers={**sup, "Accept-Language": "zh-CN"})
    assert clash.status_code == 409, clash.text
    assert clash.json()["detail"] == f"已有名为{room['name']}的会议室"
