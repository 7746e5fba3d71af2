"""The seeded demo shows yuan saved year on year and the payback of the monitoring system."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import psycopg
import pytest
import time_machine

from houqin_common import clock
from houqin_common.auth import Role
from houqin_common.db import create_engine, libpq_url, make_sessionmaker
from houqin_common.demo import vendor_for_project
from support import TEST_SECRET, asgi_client, auth
from telemetry_ingest.seed import load, seed


@asynccontextmanager
async def app_on(url: str) -> AsyncIterator[httpx.AsyncClient]:
    from telemetry_ingest.main import create_app
    from telemetry_ingest.settings import Settings

    async with asgi_client(create_app(Settings(database_url=url, jwt_secret=TEST_SECRET))) as client:
        yield client


def counts(url: str) -> tuple[int, ...]:
    with psycopg.connect(libpq_url(url)) as conn:
        return tuple(
            conn.execute(f"SELECT count(*) FROM telemetry.{t}").fetchone()[0]  # type: ignore[index]
            for t in ("meter", "reading", "tariff", "building_area", "headcount", "energy_goal", "investment")
        )


@pytest.mark.timeout(1200)  # the whole demo history, twice: minutes on a loaded shared box
async def test_seed_is_idempotent_and_shows_yuan_saved_and_payback(fresh_database_url: str, make_token: Any) -> None:
    # The simulator's history runs up to "now" (a later seed tops it up): both runs at the same instant.
    with time_machine.travel(datetime.now(UTC), tick=False):
        await seed(fresh_database_url)
        first = counts(fresh_database_url)
        await seed(fresh_database_url)
        assert counts(fresh_database_url) == first
    assert first[1] > 20_000  # three years of hourly electricity readings
    headers = auth(make_token(Role.supervisor))
    async with app_on(fresh_database_url) as client:
        r = await client.get(
            "/v1/energy/investments/monitoring-system/payback", params={"as_of": "2026-12-01"}, headers=headers
        )
        assert r.status_code == 200, r.text
        payback = r.json()
        print(f"\npayback {payback['payback_years']} years, saved {payback['saved_cny']}, years {payback['years']}")
        assert Decimal(payback["saved_cny"]) > Decimal(500_000)
        # the boundary holds every meter that reported in 2024 (the simulator's buildings too): well within 3 years
        assert Decimal("0") < Decimal(payback["payback_years"]) < Decimal("3")
        assert [y["year"] for y in payback["years"]] == [2025, 2026]
        assert Decimal(payback["years"][0]["saved_cny"]) > 0
        tariffs = (await client.get("/v1/energy/tariffs", headers=headers)).json()
        assert tariffs and all(t["example"] for t in tariffs)
        # both energy vendors score last year like for like: the office's ~12 %, the new building left out
        year = str(clock.today().year - 1)
        for project in ("maintenance", "smart_building"):
            params = {"vendor_id": vendor_for_project(project).id, "period": year}
            kpi = (await client.get("/v1/kpis/energy", params=params, headers=headers)).json()
            print(f"\n{project} {year}: saving {kpi['saving_ratio']}, scope {kpi['scope']}")
            assert kpi["not_scored"] is None and 0.10 < kpi["saving_ratio"] < 0.14, kpi
            assert kpi["scope"]["meters_compared"] < kpi["scope"]["meters"]  # building F opened during the year


async def test_accounting_demo_shows_the_year_on_year_statistics(fresh_database_url: str, make_token: Any) -> None:
    """The accounting demo's own two buildings, 2025 against 2024. (`houqin seed` also loads the simulator's
    meters from 13 months back: site totals then include their first two months, which had no 2024.)"""
    engine = create_engine(fresh_database_url, pool_size=1)
    try:
        async with make_sessionmaker(engine)() as session, session.begin():
            await load(session)
    finally:
        await engine.dispose()
    headers = auth(make_token(Role.supervisor))
    async with app_on(fresh_database_url) as client:
        r = await client.get("/v1/energy/statistics", params={"year": 2025}, headers=headers)
        stats = {i["code"]: i for i in r.json()["indicators"]}
        assert Decimal(stats["cost_cny"]["change"]) < 0
        assert Decimal(stats["comprehensive_energy_kgce"]["change_ratio"]) < Decimal("-0.12")
        assert stats["energy_per_capita_kgce"]["goal_met"] is True
