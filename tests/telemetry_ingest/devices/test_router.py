"""Registry API against the real database, through the in-process app."""

from __future__ import annotations

import uuid
from typing import Any

from houqin_common.auth import Role
from support import auth


def uid(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def plate() -> str:
    return "苏D" + f"{uuid.uuid4().int % 100000:05d}"


async def test_energy_code_tree_is_nested(service_client: Any, make_token: Any) -> None:
    client = await service_client("telemetry")
    tree = (await client.get("/v1/energy-codes", headers=auth(make_token(Role.supervisor)))).json()
    electricity = next(n for n in tree if n["code"] == "01000")
    hvac = next(n for n in electricity["children"] if n["code"] == "01B00")
    assert {c["code"] for c in hvac["children"]} >= {"01B10"}
    assert {n["code"] for n in tree} == {"01000", "02000", "03000", "04000", "05000"}


async def test_meter_codes_are_validated_against_the_tree(service_client: Any, make_token: Any) -> None:
    client = await service_client("telemetry")
    headers = auth(make_token(Role.supervisor))
    meter_id = uid("M")
    body = {"id": meter_id, "name": "A座 冷站", "building": "A", "energy_type": "01000", "sub_item": "01B10"}
    created = await client.post("/v1/meters", json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert float(created.json()["multiplier"]) == 1
    wrong = await client.post(
        "/v1/meters", json={**body, "id": uid("M"), "energy_type": "02000", "sub_item": "01B10"}, headers=headers
    )
    assert wrong.status_code == 422
    assert wrong.json()["invalid-params"][0]["name"] == "body.sub_item"
    assert (await client.post("/v1/meters", json=body, headers=headers)).status_code == 409
    patched = await client.patch(f"/v1/meters/{meter_id}", json={"sub_item": "01A20"}, headers=headers)
    assert patched.json()["sub_item"] == "01A20"
    bad_patch = await client.patch(f"/v1/meters/{meter_id}", json={"sub_item": "01Z00"}, headers=headers)
    assert bad_patch.status_code == 422
    listed = (await client.get("/v1/meters", params={"sub_item": "01A20", "limit": 500}, headers=headers)).json()
    assert meter_id in {m["id"] for m in listed["items"]}


async def test_meter_precision_beyond_its_columns_is_refused_not_rounded_to_zero(
    service_client: Any, make_token: Any
) -> None:
    client = await service_client("telemetry")
    headers = auth(make_token(Role.supervisor))
    meter_id = uid("M")
    body = {"id": meter_id, "name": "精度", "building": "A", "energy_type": "01000"}
    assert (await client.post("/v1/meters", json=body, headers=headers)).status_code == 201
    for change in ({"rollover": "0.0001"}, {"multiplier": "0.00001"}, {"rollover": "1e20"}):
        refused = await client.patch(f"/v1/meters/{meter_id}", json=change, headers=headers)
        assert refused.status_code == 422, (change, refused.text)
    assert (await client.get(f"/v1/meters/{meter_id}", headers=headers)).json()["rollover"] is None
    listed = await client.get("/v1/meters", params={"limit": 500}, headers=headers)
    assert listed.status_code == 200


async def test_meter_writes_need_supervisor_and_vendors_see_only_their_own(
    service_client: Any, make_token: Any
) -> None:
    client = await service_client("telemetry")
    vendor_a, vendor_b = uid("vendor"), uid("vendor")
    body = {"id": uid("M"), "name": "x", "building": "B", "energy_type": "01000", "vendor_id": vendor_a}
    denied = await client.post("/v1/meters", json=body, headers=auth(make_token(Role.gateway)))
    assert denied.status_code == 403
    assert (await client.post("/v1/meters", json=body, headers=auth(make_token(Role.admin)))).status_code == 201
    own = await client.get(f"/v1/meters/{body['id']}", headers=auth(make_token(Role.vendor, vendor_id=vendor_a)))
    assert own.status_code == 200
    other = await client.get(f"/v1/meters/{body['id']}", headers=auth(make_token(Role.vendor, vendor_id=vendor_b)))
    assert other.status_code == 404
    listed = await client.get("/v1/meters", headers=auth(make_token(Role.vendor, vendor_id=vendor_b)))
    assert listed.json()["total"] == 0
    assert (await client.get("/v1/meters")).status_code == 401


async def test_vehicle_with_geofence_calendar_and_plates(service_client: Any, make_token: Any) -> None:
    client = await service_client("telemetry")
    headers = auth(make_token(Role.supervisor))
    fence = {
        "id": uid("G"),
        "name": "行政中心停车场",
        "kind": "circle",
        "center_lat": 31.81,
        "center_lon": 119.97,
        "radius_m": 150,
    }
    assert (await client.post("/v1/geofences", json=fence, headers=headers)).status_code == 201
    ring = [[119.97, 31.81], [119.975, 31.81], [119.975, 31.815], [119.97, 31.81]]
    polygon = {"id": uid("G"), "name": "A", "kind": "polygon", "geometry": {"type": "Polygon", "coordinates": [ring]}}
    assert (await client.post("/v1/geofences", json=polygon, headers=headers)).status_code == 201
    open_ring = {**polygon, "id": uid("G"), "geometry": {"type": "Polygon", "coordinates": [[*ring[:3], [1, 1]]]}}
    assert (await client.post("/v1/geofences", json=open_ring, headers=headers)).status_code == 422
    circle_no_radius = {**fence, "id": uid("G"), "radius_m": None}
    assert (await client.post("/v1/geofences", json=circle_no_radius, headers=headers)).status_code == 422
    calendar = {"id": uid("C"), "name": "工作日", "holidays": ["2026-10-01"], "extra_workdays": ["2026-10-11"]}
    created_cal = await client.post("/v1/calendars", json=calendar, headers=headers)
    assert created_cal.status_code == 201 and created_cal.json()["work_start"] == "07:30:00"
    bad_cal = {**calendar, "id": uid("C"), "work_start": "19:00", "work_end": "08:00"}
    assert (await client.post("/v1/calendars", json=bad_cal, headers=headers)).status_code == 422

    vehicle = {
        "id": uid("V"),
        "plate": "苏d·" + plate()[2:],
        "department": "市机关事务管理局",
        "terminal_id": uid("T"),
        "parking_geofence_id": fence["id"],
        "calendar_id": calendar["id"],
    }
    created = await client.post("/v1/vehicles", json=vehicle, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["plate"] == "苏D" + vehicle["plate"][3:]
    assert created.json()["plate_kind"] == "ordinary"
    nev = {**vehicle, "id": uid("V"), "plate": "苏DD" + plate()[2:], "terminal_id": uid("T")}
    nev_resp = await client.post("/v1/vehicles", json=nev, headers=headers)
    assert nev_resp.json()["plate_kind"] == "new_energy"
    same_plate = {**vehicle, "id": uid("V"), "terminal_id": uid("T")}
    assert (await client.post("/v1/vehicles", json=same_plate, headers=headers)).status_code == 409
    same_terminal = {**vehicle, "id": uid("V"), "plate": plate()}
    assert (await client.post("/v1/vehicles", json=same_terminal, headers=headers)).status_code == 409
    bad_plate = {**vehicle, "id": uid("V"), "plate": "ABC1234", "terminal_id": uid("T")}
    assert (await client.post("/v1/vehicles", json=bad_plate, headers=headers)).status_code == 422
    no_fence = {**vehicle, "id": uid("V"), "plate": plate(), "terminal_id": uid("T"), "parking_geofence_id": "nope"}
    assert (await client.post("/v1/vehicles", json=no_fence, headers=headers)).status_code == 422
    clash = {**vehicle, "id": uid("V"), "plate": plate(), "terminal_id": uid("T")}
    clash["id"] = (await client.get("/v1/meters", headers=headers)).json()["items"][0]["id"]
    assert (await client.post("/v1/vehicles", json=clash, headers=headers)).status_code == 409
    moved = await client.patch(f"/v1/vehicles/{vehicle['id']}", json={"speed_limit_kmh": 60}, headers=headers)
    assert moved.json()["speed_limit_kmh"] == 60
    assert (await client.get(f"/v1/geofences/{polygon['id']}", headers=headers)).json()["geometry"]["type"] == "Polygon"
    assert (await client.get("/v1/calendars/nope", headers=headers)).status_code == 404


async def test_series_of_another_vendors_meter_answer_404(
    service_client: Any, make_token: Any, database_url: str
) -> None:
    import psycopg

    client = await service_client("telemetry")
    owner, other = uid("vendor"), uid("vendor")
    meter = {"id": uid("M"), "name": "x", "building": "C", "energy_type": "01000", "vendor_id": owner}
    assert (await client.post("/v1/meters", json=meter, headers=auth(make_token(Role.supervisor)))).status_code == 201
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO telemetry.reading (meter_id, ts, energy_kwh) VALUES (%s, '2026-11-01T00:00:00Z', 5), "
            "(%s, '2026-11-02T00:00:00Z', 9)",
            (meter["id"], meter["id"]),
        )
    url = f"/v1/meters/{meter['id']}/readings"
    own = await client.get(
        url, params={"since": "2026-11-02T00:00:00Z"}, headers=auth(make_token(Role.vendor, vendor_id=owner))
    )
    assert own.status_code == 200 and [r["energy_kwh"] for r in own.json()["items"]] == [9]
    oldest_first = await client.get(url, params={"sort": "ts"}, headers=auth(make_token(Role.auditor)))
    assert [r["energy_kwh"] for r in oldest_first.json()["items"]] == [5, 9]
    assert (await client.get(url, headers=auth(make_token(Role.vendor, vendor_id=other)))).status_code == 404


async def test_terminal_phone_is_unique_digits_and_the_terminal_state_is_empty_before_a_login(
    service_client: Any, make_token: Any
) -> None:
    client = await service_client("telemetry")
    headers = auth(make_token(Role.supervisor))
    phone = f"139{uuid.uuid4().int % 10**8:08d}"
    vehicle = {"id": uid("V"), "plate": plate(), "terminal_phone": phone}
    created = await client.post("/v1/vehicles", json=vehicle, headers=headers)
    assert created.status_code == 201, created.text
    read = (await client.get(f"/v1/vehicles/{vehicle['id']}", headers=headers)).json()
    assert read["terminal_phone"] == phone and read["terminal"] is None
    same_phone = {"id": uid("V"), "plate": plate(), "terminal_phone": phone}
    assert (await client.post("/v1/vehicles", json=same_phone, headers=headers)).status_code == 409
    for bad in ("013800519001", "1380051900a", "1" * 21):  # leading zero, not digits, too long
        resp = await client.post("/v1/vehicles", json={**same_phone, "terminal_phone": bad}, headers=headers)
        assert resp.status_code == 422 and resp.headers["content-type"] == "application/problem+json"
    other = await client.post("/v1/vehicles", json={**same_phone, "terminal_phone": None}, headers=headers)
    assert other.status_code == 201  # positive control: the same vehicle without the clashing phone
    patched = await client.patch(f"/v1/vehicles/{same_phone['id']}", json={"terminal_phone": phone}, headers=headers)
    assert patched.status_code == 409


async def test_meter_hot_reads_serve_each_requests_filters_and_the_written_body(
    service_client: Any, make_token: Any
) -> None:
    """GET /v1/meters and /v1/meters/{id} run compiled statements on the read pool: the detail is the
    body the write returned (decimals included) and a cached filter shape serves other values."""
    client = await service_client("telemetry")
    admin = auth(make_token(Role.admin))
    vendor_a, vendor_b = uid("vendor"), uid("vendor")
    building = uid("building")
    made = []
    for i, vendor in enumerate((vendor_a, vendor_b, vendor_a)):
        body = {"id": uid("M"), "name": f"hot {i}", "building": building, "energy_type": "01000", "vendor_id": vendor}
        r = await client.post("/v1/meters", json={**body, "multiplier": "80.5"}, headers=admin)
        assert r.status_code == 201, r.text
        made.append(r.json())
    got = await client.get(f"/v1/meters/{made[0]['id']}", headers=admin)
    assert got.status_code == 200 and got.json() == made[0] and got.json()["multiplier"] == "80.5000"
    for vendor, expected in ((vendor_a, [made[0], made[2]]), (vendor_b, [made[1]])):
        r = await client.get("/v1/meters", params={"building": building, "vendor_id": vendor}, headers=admin)
        assert r.json()["items"] == sorted(expected, key=lambda m: m["id"]) and r.json()["total"] == len(expected)
    newest = await client.get("/v1/meters", params={"building": building, "sort": "-name", "limit": 2}, headers=admin)
    assert [m["name"] for m in newest.json()["items"]] == ["hot 2", "hot 1"] and newest.json()["total"] == 3
    # a vendor token cannot widen its scope with the vendor_id filter
    as_b = auth(make_token(Role.vendor, vendor_id=vendor_b))
    r = await client.get("/v1/meters", params={"building": building, "vendor_id": vendor_a}, headers=as_b)
    assert [m["id"] for m in r.json()["items"]] == [made[1]["id"]]
    assert (await client.get("/v1/meters", params={"sort": "-secret"}, headers=admin)).status_code == 422
