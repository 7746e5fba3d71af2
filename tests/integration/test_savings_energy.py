"""The savings statement's energy line read from telemetry-ingest through the typed client (issue 27)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import httpx

from appraisal.savings import service as savings_service
from appraisal.settings import Settings
from houqin_common.auth import Role
from houqin_common.clients import TelemetryClient
from support import TEST_SECRET
from telemetry_ingest.main import create_app as telemetry_app


async def test_energy_savings_come_from_telemetry_ingest(
    test_env: dict[str, str], make_token: Callable[..., str]
) -> None:
    app = telemetry_app()
    settings = Settings(database_url=test_env["HOUQIN_DATABASE_URL"], jwt_secret=TEST_SECRET)
    async with (
        app.router.lifespan_context(app),
        TelemetryClient(
            "http://telemetry-ingest",
            token=make_token(Role.service),
            transport=httpx.ASGITransport(app=app),
            retries=0,
        ) as client,
    ):
        got = await client.energy_cost_savings(
            baseline_start=date(2043, 1, 1), baseline_end=date(2044, 1, 1), start=date(2044, 1, 1), end=date(2045, 1, 1)
        )
        line = await savings_service.energy_line(client, 2044, settings)
        off = await savings_service.energy_line(
            client, 2044, settings.model_copy(update={"savings_energy_from_telemetry": False})
        )
    assert (got.start, got.end) == (date(2044, 1, 1), date(2045, 1, 1))
    assert line.available and line.saved_cny == got.saved_cny and line.actual_cny == got.actual_cny
    assert "2044 against 2043" in line.source
    assert not off.available and off.saved_cny is None
