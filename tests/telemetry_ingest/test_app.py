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


async def test_dead_letter_reasons_read_in_the_reader_language_with_a_code(
    service_client: Any, make_token: Any, kit: Any
) -> None:
    """Stored once (msgids + parameters), the reason of a dead letter reads in Chinese or English, whoever
    stored it; the rejection code is kept for machines."""
    client = await service_client("telemetry")
    ghost = kit.unique("ghost")
    body = {"readings": [{"meter_id": ghost, "ts": 1780000000000, "energy_kwh": 1}]}
    gateway = auth(make_token(Role.gateway))
    zh_post = await client.post("/v1/ingest", json=body, headers={**gateway, "Accept-Language": "zh-CN"})
    assert zh_post.status_code == 200 and zh_post.json()["rejected"][0]["reason"] != ""
    english = f"device '{ghost}' is not registered"
    assert english not in zh_post.json()["rejected"][0]["reason"] and ghost in zh_post.json()["rejected"][0]["reason"]
    supervisor = auth(make_token(Role.supervisor))
    listed: dict[str, dict[str, Any]] = {}
    for lang in ("zh-CN", "en"):
        page = await client.get(
            "/v1/dead-letters",
            params={"code": "unknown_device", "source": "http", "limit": 50},
            headers={**supervisor, "Accept-Language": lang},
        )
        assert page.status_code == 200, page.text
        items = [i for i in page.json()["items"] if ghost in i["reason"]]
        assert len(items) == 1 and items[0]["code"] == "unknown_device"
        listed[lang] = items[0]
    assert listed["en"]["reason"] == english  # positive control: the same row, rendered in English
    assert listed["zh-CN"]["reason"] == zh_post.json()["rejected"][0]["reason"] != english
    other = await client.get("/v1/dead-letters", params={"code": "not_json", "limit": 50}, headers=supervisor)
    assert other.status_code == 200 and not [i for i in other.json()["items"] if ghost in i["reason"]]
