"""A configured service URL that answers something other than the service's API (a foreign server) is
"unavailable", as a connection failure is: the typed clients raise ``ServiceUnavailableError`` and appraisal
answers 503 problem+json naming the service, never a 500 from an escaped ``ValidationError``."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest

from appraisal.main import create_app
from appraisal.settings import Settings
from houqin_common.auth import Role
from houqin_common.clients import ContractsClient, ServiceUnavailableError, TelemetryClient
from support import TEST_SECRET, JsonServer, asgi_client, auth, json_server

FOREIGN = {"foo": 1}
EMPTY_PAGE = {"items": [], "total": 0, "limit": 100, "offset": 0}


@pytest.fixture
def foreign() -> Iterator[JsonServer]:
    with json_server(FOREIGN) as server:
        yield server


async def test_clients_raise_unavailable_on_a_body_that_is_not_the_api(
    foreign: JsonServer, caplog: pytest.LogCaptureFixture
) -> None:
    async with ContractsClient(foreign.url, retries=0) as contracts, TelemetryClient(foreign.url) as telemetry:
        with caplog.at_level(logging.WARNING, logger="houqin.clients"):
            with pytest.raises(ServiceUnavailableError) as page:
                await contracts.list_contracts()
            with pytest.raises(ServiceUnavailableError) as kpis:
                await telemetry.vehicle_kpi("2026H1")
            with pytest.raises(ServiceUnavailableError) as kpi:
                await telemetry.energy_kpi("V-1", "2026H1")
        assert page.value.status == 503 and page.value.service == "contracts-api"
        assert kpis.value.service == kpi.value.service == "telemetry-ingest"
        assert "not its API" in caplog.text and "/v1/contracts" in caplog.text
        foreign.body = "<html>a proxy's page</html>"  # JSON, but no object
        with pytest.raises(ServiceUnavailableError):
            await contracts.get_vendor("V-1")
        # positive control: the same server answering the API's shapes is read
        foreign.body = EMPTY_PAGE
        assert (await contracts.list_contracts()).total == 0
        assert await telemetry.vehicle_kpi("2026H1") == []


async def test_appraisal_answers_503_naming_the_service_in_the_readers_language(
    foreign: JsonServer, test_env: dict[str, str], make_token: Callable[..., str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("HOUQIN_LOCALE")  # the office's default: Chinese unless the request asks for English
    settings = Settings(
        database_url=test_env["HOUQIN_DATABASE_URL"],
        jwt_secret=TEST_SECRET,
        contracts_url=foreign.url,
        http_retries=0,
    )
    sup = auth(make_token(Role.supervisor))
    async with asgi_client(create_app(settings)) as client:
        zh = await client.post("/v1/assignments/sync", headers=sup)
        en = await client.post("/v1/assignments/sync", headers={**sup, "Accept-Language": "en"})
        for r in (zh, en):
            assert r.status_code == 503, r.text
            assert r.headers["content-type"].startswith("application/problem+json")
            assert "contracts-api" in r.json()["detail"]
        assert "not its API" in en.json()["detail"]
        assert "not its API" not in zh.json()["detail"]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh.json()["detail"])
        # positive control: the same URL answering a page of contracts syncs
        foreign.body = EMPTY_PAGE
        ok = await client.post("/v1/assignments/sync", headers=sup)
        assert ok.status_code == 200, ok.text
        assert ok.json()["contracts"] == 0
