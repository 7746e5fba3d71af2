"""Trip requests: who may file, see and decide them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from houqin_common.auth import Role
from support import auth

TZ = ZoneInfo("Asia/Shanghai")


def _body(**extra: Any) -> dict[str, Any]:
    return {
        "purpose": "site inspection",
        "origin": "行政中心",
        "destination": "武进区",
        "window_start": datetime(2026, 10, 12, 9, tzinfo=TZ).isoformat(),
        "window_end": datetime(2026, 10, 12, 11, tzinfo=TZ).isoformat(),
        **extra,
    }


async def test_staff_see_their_own_requests_and_supervisors_decide(
    service_client: Callable[..., Any], make_token: Callable[..., str], fleet_data: Any
) -> None:
    client = await service_client("telemetry")
    vehicle = fleet_data.vehicle(vendor_id="req-vendor")
    alice = auth(make_token(Role.staff, subject=fleet_data.uid("alice")))
    bob = auth(make_token(Role.staff, subject=fleet_data.uid("bob")))
    supervisor = auth(make_token(Role.supervisor))
    mine = await client.post("/v1/trip-requests", json=_body(vehicle_id=vehicle), headers=alice)
    assert mine.status_code == 201, mine.text
    assert (await client.get("/v1/trip-requests", headers=alice)).json()["total"] == 1
    assert (await client.get("/v1/trip-requests", headers=bob)).json()["total"] == 0
    listed = await client.get(
        "/v1/trip-requests", params={"vehicle_id": vehicle, "status": "pending"}, headers=supervisor
    )
    assert [r["id"] for r in listed.json()["items"]] == [mine.json()["id"]]
    # every answer names the vehicle by its plate, as the register has it
    plate = fleet_data.conn.execute("SELECT plate FROM telemetry.vehicle WHERE id = %s", (vehicle,)).fetchone()[0]
    assert plate and mine.json()["plate"] == listed.json()["items"][0]["plate"] == plate
    vendor_view = await client.get(
        "/v1/trip-requests",
        params={"vehicle_id": vehicle},
        headers=auth(make_token(Role.vendor, vendor_id="req-vendor")),
    )
    assert vendor_view.json()["total"] == 1
    rejected = await client.post(
        f"/v1/trip-requests/{mine.json()['id']}/decision",
        json={"approve": False, "note": "use the shuttle"},
        headers=supervisor,
    )
    assert rejected.json()["status"] == "rejected" and rejected.json()["vehicle_id"] == vehicle
    assert rejected.json()["plate"] == plate
    # a request without a vehicle names none
    no_car = await client.post("/v1/trip-requests", json=_body(), headers=alice)
    assert no_car.status_code == 201 and no_car.json()["plate"] is None and no_car.json()["vehicle_id"] is None
    assert (
        await client.post("/v1/trip-requests/nope/decision", json={"approve": False}, headers=supervisor)
    ).status_code == 404

    backwards = _body(window_start=_body()["window_end"], window_end=_body()["window_start"])
    assert (await client.post("/v1/trip-requests", json=backwards, headers=alice)).status_code == 422
    unknown = await client.post("/v1/trip-requests", json=_body(vehicle_id="no-such-car"), headers=alice)
    assert unknown.status_code == 422
    assert (
        await client.post("/v1/trip-requests", json=_body(), headers=auth(make_token(Role.vendor, vendor_id="v")))
    ).status_code == 403
