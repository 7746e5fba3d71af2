from typing import Any

from houqin_common.auth import Role
from support import auth


async def test_readiness_checks_database_and_broker(service_client: Any) -> None:
    client = await service_client("telemetry")
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "broker": "ok"}


async def test_http_dead_letters_are_counted_in_metrics(service_client: Any, make_token: Any) -> None:
    client = await service_client("telemetry")
    body = {"readings": [{"meter_id": "nobody-here", "ts": 1780000000000, "energy_kwh": 1}]}
    assert (await client.post("/v1/ingest", json=body, headers=auth(make_token(Role.gateway)))).status_code == 200
    metrics = (await client.get("/metrics")).text
    line = next(
        ln
        for ln in metrics.splitlines()
        if ln.startswith('houqin_ingest_dead_letters_total{reason="unknown_device",source="http"}')
    )
    assert float(line.rsplit(" ", 1)[1]) >= 1


async def test_dead_letters_need_a_role(service_client: Any, make_token: Any) -> None:
    client = await service_client("telemetry")
    assert (await client.get("/v1/dead-letters")).status_code == 401
    vendor = auth(make_token(Role.vendor, vendor_id="v"))
    assert (await client.get("/v1/dead-letters", headers=vendor)).status_code == 403
    page = await client.get(
        "/v1/dead-letters", params={"source": "http", "limit": 5}, headers=auth(make_token(Role.supervisor))
    )
    assert page.status_code == 200 and page.json()["limit"] == 5
