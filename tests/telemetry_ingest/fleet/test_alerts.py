"""Every alert rule on synthetic tracks and calendars, through the evaluator and GET /v1/alerts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from houqin_common.auth import Role
from support import auth
from telemetry_ingest.fleet.synthetic import Track

TZ = ZoneInfo("Asia/Shanghai")
HQ = (31.81, 119.97)
SEALED = date(2026, 10, 1)  # National Day: vehicles are sealed (封存)


def round_trip(start: datetime, *, minutes: float = 15, speed: float = 40, fast_s: float = 0) -> Track:
    """Leave the parking fence, drive out and back, park again."""
    t = Track(start, *HQ).stand(120, ignition=False)
    t.drive(minutes * 30, speed)
    if fast_s:
        t.drive(fast_s, 85)
    t.stand(60, ignition=True).drive(minutes * 30 + (fast_s * 85 / speed if fast_s else 0), speed, heading_deg=270)
    return t.stand(600, ignition=False)


async def _evaluate(
    client: Any, headers: dict[str, str], vehicle: str, start: datetime, end: datetime, now: datetime | None = None
) -> dict[str, Any]:
    params = {"vehicle_id": vehicle, "start": start.isoformat(), "end": end.isoformat()}
    if now is not None:
        params["now"] = now.isoformat()
    r = await client.post("/v1/fleet/evaluate", params=params, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


async def _alerts(client: Any, headers: dict[str, str], vehicle: str) -> list[dict[str, Any]]:
    r = await client.get("/v1/alerts", params={"subject_id": vehicle, "sort": "started_at"}, headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["items"]  # type: ignore[no-any-return]


async def test_night_trip_on_a_working_day(
    service_client: Callable[..., Any], make_token: Callable[..., str], fleet_data: Any
) -> None:
    vehicle = fleet_data.vehicle()
    day = datetime(2026, 9, 29, tzinfo=TZ)  # Tuesday
    fleet_data.positions(vehicle, round_trip(day.replace(hour=22)).fixes)
    client = await service_client("telemetry")
    headers = auth(make_token(Role.supervisor))
    result = await _evaluate(client, headers, vehicle, day, day + timedelta(days=1))
    assert result["trips"] == 1
    kinds = {(a["kind"], a["severity"]) for a in await _alerts(client, headers, vehicle)}
    assert kinds == {("off_hours", "violation"), ("unrequested_use", "violation"), ("geofence_exit", "violation")}


async def test_trip_on_a_sealed_holiday(
    service_client: Callable[..., Any], make_token: Callable[..., str], fleet_data: Any
) -> None:
    vehicle = fleet_data.vehicle(holidays=[SEALED])
    start = datetime.combine(SEALED, datetime.min.time(), TZ)
    fleet_data.positions(vehicle, round_trip(start.replace(hour=10)).fixes)
    client = await service_client("telemetry")
    headers = auth(make_token(Role.supervisor))
    await _evaluate(client, headers, vehicle, start, start + timedelta(days=1))
    kinds = [a["kind"] for a in await _alerts(client, headers, vehicle)]
    assert "sealed_holiday" in kinds and "off_hours" not in kinds


async def test_approved_request_covers_a_working_hours_trip_and_overspeed_needs_duration(
    service_client: Callable[..., Any], make_token: Callable[..., str], fleet_data: Any
) -> None:
    vehicle = fleet_data.vehicle()
    day = datetime(2026, 9, 29, tzinfo=TZ)
    t1 = round_trip(day.replace(hour=9), fast_s=20)  # 20 s over the limit: tolerated
    t2 = round_trip(day.replace(hour=14), fast_s=60)  # 60 s over the limit: overspeed
    fleet_data.positions(vehicle, t1.fixes + t2.fixes)
    client = await service_client("telemetry")
    staff = auth(make_token(Role.staff, subject="clerk-wang"))
    supervisor = auth(make_token(Role.supervisor, subject="chief-li"))
    filed = await client.post(
        "/v1/trip-requests",
        json={
            "purpose": "deliver documents",
            "origin": "HQ",
            "destination": "district office",
            "window_start": day.replace(hour=8, minute=45).isoformat(),
            "window_end": day.replace(hour=10, minute=30).isoformat(),
        },
        headers=staff,
    )
    assert filed.status_code == 201, filed.text
    assert filed.json()["status"] == "pending" and filed.json()["requester"] == "clerk-wang"
    request_id = filed.json()["id"]
    denied = await client.post(
        f"/v1/trip-requests/{request_id}/decision", json={"approve": True, "vehicle_id": vehicle}, headers=staff
    )
    assert denied.status_code == 403
    no_vehicle = await client.post(
        f"/v1/trip-requests/{request_id}/decision", json={"approve": True}, headers=supervisor
    )
    assert no_vehicle.status_code == 422
    ok = await client.post(
        f"/v1/trip-requests/{request_id}/decision",
        json={"approve": True, "vehicle_id": vehicle, "note": "ok"},
        headers=supervisor,
    )
    assert ok.status_code == 200 and ok.json()["status"] == "approved" and ok.json()["decided_by"] == "chief-li"
    twice = await client.post(f"/v1/trip-requests/{request_id}/decision", json={"approve": False}, headers=supervisor)
    assert twice.status_code == 409

    result = await _evaluate(client, supervisor, vehicle, day, day + timedelta(days=1))
    assert result["trips"] == 2
    alerts = await _alerts(client, supervisor, vehicle)
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for a in alerts:
        by_kind.setdefault(a["kind"], []).append(a)
    assert len(by_kind["overspeed"]) == 1
    assert by_kind["overspeed"][0]["details"]["duration_s"] >= 30
    assert datetime.fromisoformat(by_kind["overspeed"][0]["started_at"]).astimezone(TZ).hour == 14
    # only the afternoon trip is unrequested: the morning one matched the approved request
    assert len(by_kind["unrequested_use"]) == 1
    assert datetime.fromisoformat(by_kind["unrequested_use"][0]["started_at"]).astimezone(TZ).hour == 14
    assert {a["severity"] for a in by_kind["geofence_exit"]} == {"info"}  # within working hours
    segments = await client.get(
        f"/v1/fleet/vehicles/{vehicle}/segments",
        params={"start": day.isoformat(), "end": (day + timedelta(days=1)).isoformat()},
        headers=supervisor,
    )
    assert [t["request_id"] for t in segments.json()["trips"]] == [request_id, None]
    assert [t["use"] for t in segments.json()["trips"]] == ["permitted", "permitted"]
    stored = fleet_data.fetch(
        "SELECT request_id, violations FROM telemetry.trip WHERE vehicle_id = %s ORDER BY start_at", (vehicle,)
    )
    assert stored[0] == (request_id, 0) and stored[1][1] >= 2
    # evaluating again replaces trips and does not repeat alerts
    again = await _evaluate(client, supervisor, vehicle, day, day + timedelta(days=1))
    assert again["alerts_created"] == 0 and again["trips"] == 2


async def test_idling_and_silent_terminal(
    service_client: Callable[..., Any], make_token: Callable[..., str], fleet_data: Any
) -> None:
    vehicle = fleet_data.vehicle()
    day = datetime(2026, 9, 30, tzinfo=TZ)
    t = Track(day.replace(hour=10), *HQ).stand(60, ignition=False).stand(1500, ignition=True)  # 25 min idling
    t.stand(60, ignition=False)
    fleet_data.positions(vehicle, t.fixes)
    client = await service_client("telemetry")
    headers = auth(make_token(Role.supervisor))
    last = t.fixes[-1].ts
    await _evaluate(client, headers, vehicle, day, day + timedelta(days=1), now=last + timedelta(minutes=10))
    assert [a["kind"] for a in await _alerts(client, headers, vehicle)] == ["idling"]
    await _evaluate(client, headers, vehicle, day, day + timedelta(days=1), now=last + timedelta(hours=2))
    alerts = await _alerts(client, headers, vehicle)
    assert [a["kind"] for a in alerts] == ["idling", "device_offline"]
    assert alerts[1]["details"]["silent_min"] == 120.0
    page = await client.get("/v1/alerts", params={"subject_id": vehicle, "kind": "idling", "limit": 1}, headers=headers)
    assert page.json()["total"] == 1 and page.json()["limit"] == 1


async def test_vendor_sees_only_its_own_vehicles_and_alerts(
    service_client: Callable[..., Any], make_token: Callable[..., str], fleet_data: Any
) -> None:
    mine = fleet_data.vehicle(vendor_id="fleet-vendor-a")
    theirs = fleet_data.vehicle(vendor_id="fleet-vendor-b")
    day = datetime(2026, 9, 29, tzinfo=TZ)
    for v in (mine, theirs):
        fleet_data.positions(v, round_trip(day.replace(hour=22)).fixes)
    client = await service_client("telemetry")
    await _evaluate(client, auth(make_token(Role.service)), theirs, day, day + timedelta(days=1))
    vendor = auth(make_token(Role.vendor, vendor_id="fleet-vendor-a"))
    assert (await client.get("/v1/alerts", params={"subject_id": theirs}, headers=vendor)).json()["total"] == 0
    r = await client.get(
        f"/v1/fleet/vehicles/{theirs}/track",
        params={"start": day.isoformat(), "end": (day + timedelta(days=1)).isoformat()},
        headers=vendor,
    )
    assert r.status_code == 404
    r = await client.get(
        f"/v1/fleet/vehicles/{mine}/track",
        params={"start": day.isoformat(), "end": (day + timedelta(days=1)).isoformat()},
        headers=vendor,
    )
    assert r.status_code == 200


async def test_request_approved_after_evaluation_turns_off_hours_and_geofence_into_info(
    service_client: Callable[..., Any], make_token: Callable[..., str], fleet_data: Any
) -> None:
    vendor = fleet_data.uid("vendor")
    vehicle = fleet_data.vehicle(vendor_id=vendor)
    day = datetime(2026, 9, 29, tzinfo=TZ)  # Tuesday
    fleet_data.positions(vehicle, round_trip(day.replace(hour=22)).fixes)
    client = await service_client("telemetry")
    staff = auth(make_token(Role.staff, subject="clerk-wang"))
    supervisor = auth(make_token(Role.supervisor, subject="chief-li"))
    await _evaluate(client, supervisor, vehicle, day, day + timedelta(days=1))
    before = {(a["kind"], a["severity"]) for a in await _alerts(client, supervisor, vehicle) if not a["withdrawn_at"]}
    assert before == {("off_hours", "violation"), ("unrequested_use", "violation"), ("geofence_exit", "violation")}
    kpi = await client.get("/v1/kpis/vehicles", params={"period": "2026-09", "vendor_id": vendor}, headers=supervisor)
    assert kpi.status_code == 200 and kpi.json()[0]["violations"] == 3 and kpi.json()[0]["compliance_ratio"] == 0

    filed = await client.post(
        "/v1/trip-requests",
        json={
            "purpose": "urgent documents",
            "origin": "HQ",
            "destination": "district office",
            "window_start": day.replace(hour=21, minute=50).isoformat(),
            "window_end": (day.replace(hour=23, minute=30)).isoformat(),
        },
        headers=staff,
    )
    assert filed.status_code == 201, filed.text
    approved = await client.post(
        f"/v1/trip-requests/{filed.json()['id']}/decision",
        json={"approve": True, "vehicle_id": vehicle},
        headers=supervisor,
    )
    assert approved.status_code == 200, approved.text

    await _evaluate(client, supervisor, vehicle, day, day + timedelta(days=1))
    after = await _alerts(client, supervisor, vehicle)
    active = {(a["kind"], a["severity"]) for a in after if not a["withdrawn_at"]}
    assert active == {("off_hours", "info"), ("geofence_exit", "info")}
    withdrawn = {a["kind"] for a in after if a["withdrawn_at"]}
    assert withdrawn == {"unrequested_use"}
    kpi = await client.get("/v1/kpis/vehicles", params={"period": "2026-09", "vendor_id": vendor}, headers=supervisor)
    assert kpi.json()[0]["violations"] == 0 and kpi.json()[0]["compliance_ratio"] == 1


async def test_track_with_end_not_after_start_is_422(
    service_client: Callable[..., Any], make_token: Callable[..., str], fleet_data: Any
) -> None:
    vehicle = fleet_data.vehicle()
    day = datetime(2026, 9, 29, 10, tzinfo=TZ)
    client = await service_client("telemetry")
    headers = auth(make_token(Role.supervisor))
    url = f"/v1/fleet/vehicles/{vehicle}/track"
    ok = await client.get(
        url, params={"start": day.isoformat(), "end": (day + timedelta(hours=1)).isoformat()}, headers=headers
    )
    assert ok.status_code == 200, ok.text
    for end in (day, day - timedelta(hours=1)):
        r = await client.get(url, params={"start": day.isoformat(), "end": end.isoformat()}, headers=headers)
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
