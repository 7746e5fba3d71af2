"""Invited services over HTTP: the calendar staff read, sessions held or missed, ratings, flags."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from appraisal.invited import rules
from appraisal.invited.rules import Pattern, Recurrence
from houqin_common.auth import Role
from support import auth


def test_occurrences_of_weekly_monthly_and_one_off_schedules() -> None:
    weekly = Pattern(Recurrence.weekly, date(2026, 3, 1), weekday=2)  # Wednesdays
    assert rules.occurrences(weekly, date(2026, 3, 1), date(2026, 4, 1)) == [
        date(2026, 3, 4),
        date(2026, 3, 11),
        date(2026, 3, 18),
        date(2026, 3, 25),
    ]
    monthly = Pattern(Recurrence.monthly, date(2026, 2, 1), ends_on=date(2026, 4, 15), day_of_month=15)
    assert rules.occurrences(monthly, date(2026, 1, 1), date(2027, 1, 1)) == [
        date(2026, 2, 15),
        date(2026, 3, 15),
        date(2026, 4, 15),
    ]
    once = Pattern(Recurrence.once, date(2026, 6, 6))
    assert rules.occurrences(once, date(2026, 6, 1), date(2026, 7, 1)) == [date(2026, 6, 6)]
    assert rules.occurrences(once, date(2026, 7, 1), date(2026, 8, 1)) == []


def test_a_provider_is_flagged_for_no_shows_or_a_poor_average() -> None:
    policy = rules.FlagPolicy(no_show_limit=2, min_rating=3.0, min_ratings=3)
    assert not rules.flag(5, 1, [4, 5, 4], policy).flagged
    assert rules.flag(5, 2, [4, 5, 4], policy).flagged
    assert rules.flag(5, 0, [2, 3, 2], policy).flagged
    assert not rules.flag(5, 0, [1, 2], policy).flagged  # too few ratings to judge


async def test_calendar_sessions_ratings_and_flags(
    service_client: Callable[..., Any], make_token: Callable[..., str]
) -> None:
    client = await service_client("appraisal")
    office = auth(make_token(Role.office))
    staff = [auth(make_token(Role.staff, subject=f"staff-{uuid.uuid4().hex[:6]}")) for _ in range(3)]
    good = await client.post(
        "/v1/invited/providers",
        json={"name": f"车管所咨询{uuid.uuid4().hex[:6]}", "kind": "public_consultation"},
        headers=office,
    )
    poor = await client.post(
        "/v1/invited/providers",
        json={"name": f"上门洗车{uuid.uuid4().hex[:6]}", "kind": "invited_service"},
        headers=office,
    )
    assert good.status_code == poor.status_code == 201
    monthly = await client.post(
        "/v1/invited/schedules",
        json={
            "provider_id": good.json()["id"],
            "service": "驾驶证年审咨询",
            "place": "1 号楼大厅",
            "recurrence": "monthly",
            "day_of_month": 15,
            "starts_on": "2041-01-01",
            "start_time": "11:30",
            "end_time": "13:30",
        },
        headers=office,
    )
    weekly = await client.post(
        "/v1/invited/schedules",
        json={
            "provider_id": poor.json()["id"],
            "service": "洗车",
            "place": "地下车库",
            "recurrence": "weekly",
            "weekday": 4,
            "starts_on": "2041-01-01",
            "ends_on": "2041-01-31",
            "start_time": "09:00",
            "end_time": "17:00",
        },
        headers=office,
    )
    assert monthly.status_code == weekly.status_code == 201, weekly.text
    bad = await client.post(
        "/v1/invited/schedules",
        json={**weekly.json(), "weekday": None, "id": None, "active": None},
        headers=office,
    )
    assert bad.status_code == 422

    cal = await client.get(
        "/v1/invited/calendar", params={"start": "2041-01-01", "end": "2041-02-01"}, headers=staff[0]
    )
    assert cal.status_code == 200
    ours = [e for e in cal.json() if e["schedule_id"] in (monthly.json()["id"], weekly.json()["id"])]
    assert [e["day"] for e in ours] == [
        "2041-01-04",
        "2041-01-11",
        "2041-01-15",
        "2041-01-18",
        "2041-01-25",
    ]
    assert {e["kind_zh"] for e in ours} == {"公益咨询", "邀请服务"}

    held = await client.post(
        "/v1/invited/sessions",
        json={"schedule_id": monthly.json()["id"], "held_on": "2041-01-15", "outcome": "held"},
        headers=office,
    )
    assert held.status_code == 201
    not_a_day = await client.post(
        "/v1/invited/sessions",
        json={"schedule_id": monthly.json()["id"], "held_on": "2041-01-16", "outcome": "held"},
        headers=office,
    )
    assert not_a_day.status_code == 422
    for day in ("2041-01-04", "2041-01-11"):
        r = await client.post(
            "/v1/invited/sessions",
            json={"schedule_id": weekly.json()["id"], "held_on": day, "outcome": "no_show"},
            headers=office,
        )
        assert r.status_code == 201
    for n, s in enumerate(staff):
        r = await client.post(f"/v1/invited/sessions/{held.json()['id']}/ratings", json={"stars": 4 + n % 2}, headers=s)
        assert r.status_code == 201
    twice = await client.post(f"/v1/invited/sessions/{held.json()['id']}/ratings", json={"stars": 1}, headers=staff[0])
    assert twice.status_code == 409

    flags = await client.get("/v1/invited/flags", params={"start": "2041-01-01", "end": "2042-01-01"}, headers=office)
    by_id = {f["provider_id"]: f for f in flags.json()}
    assert by_id[poor.json()["id"]]["flagged"] and by_id[poor.json()["id"]]["no_shows"] == 2
    assert by_id[good.json()["id"]]["flagged"] is False and by_id[good.json()["id"]]["average_rating"] == 4.33
    cal = await client.get(
        "/v1/invited/calendar", params={"start": "2041-01-15", "end": "2041-01-16"}, headers=staff[1]
    )
    entry = next(e for e in cal.json() if e["schedule_id"] == monthly.json()["id"])
    assert entry["outcome"] == "held" and entry["average_rating"] == 4.33
