"""Vehicles, positions and KPIs name their vendor: the registered name read from contracts-api (a real
uvicorn service) beside the vendor id; with contracts-api unreachable the answers keep the id and the name is
null (the documented fallback), never a failed request."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx

from houqin_common.auth import Role
from houqin_common.credit_code import make as make_credit_code
from houqin_common.embedded import free_port
from support import TEST_SECRET, LiveServices, asgi_client, auth
from telemetry_ingest.main import create_app
from telemetry_ingest.settings import Settings


def settings(database_url: str, contracts_url: str) -> Settings:
    return Settings(database_url=database_url, jwt_secret=TEST_SECRET, contracts_url=contracts_url, http_retries=0)


async def test_vehicles_and_kpis_carry_the_vendors_name_and_null_when_contracts_api_is_down(
    live_services: LiveServices, test_env: dict[str, str], make_token: Callable[..., str]
) -> None:
    name = f"常州车管服务有限公司{uuid.uuid4().hex[:6]}"
    contracts_url = live_services.start("contracts")
    async with httpx.AsyncClient(base_url=contracts_url, timeout=30) as contracts:
        r = await contracts.post(
            "/v1/vendors",
            json={"name": name, "credit_code": make_credit_code(uuid.uuid4().int % 10**8)},
            headers=auth(make_token(Role.procurement)),
        )
        assert r.status_code == 201, r.text
        vendor_id = r.json()["id"]
    sup = auth(make_token(Role.supervisor))
    vehicle_id = f"V-{uuid.uuid4().hex[:8]}"
    plate = f"苏D{uuid.uuid4().int % 100000:05d}"
    db = test_env["HOUQIN_DATABASE_URL"]
    async with asgi_client(create_app(settings(db, contracts_url))) as client:
        created = await client.post(
            "/v1/vehicles", json={"id": vehicle_id, "plate": plate, "vendor_id": vendor_id}, headers=sup
        )
        assert created.status_code == 201, created.text
        one = (await client.get(f"/v1/vehicles/{vehicle_id}", headers=sup)).json()
        assert one["vendor_id"] == vendor_id and one["vendor_name"] == name
        listed = (await client.get("/v1/vehicles", params={"vendor_id": vendor_id}, headers=sup)).json()["items"]
        assert [(v["id"], v["vendor_name"]) for v in listed] == [(vehicle_id, name)]
        kpi = await client.get("/v1/kpis/energy", params={"vendor_id": vendor_id, "period": "2039"}, headers=sup)
        assert kpi.status_code == 200, kpi.text
        assert kpi.json()["vendor_name"] == name
    # contracts-api unreachable: the same answers, the id kept and the name null
    down = settings(db, f"http://127.0.0.1:{free_port()}")
    async with asgi_client(create_app(down)) as client:
        one = await client.get(f"/v1/vehicles/{vehicle_id}", headers=sup)
        assert one.status_code == 200, one.text
        assert one.json()["vendor_id"] == vendor_id and one.json()["vendor_name"] is None
        kpi = await client.get("/v1/kpis/energy", params={"vendor_id": vendor_id, "period": "2039"}, headers=sup)
        assert kpi.status_code == 200 and kpi.json()["vendor_name"] is None
