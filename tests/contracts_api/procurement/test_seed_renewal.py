"""A demo renewal gets its route from the last appraisal year completed before the contract ends, read
from the REAL appraisal service (uvicorn) in one round-trip, on a fresh database holding both seeds."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from appraisal.seed import seed as seed_appraisal
from contracts_api.main import create_app
from contracts_api.procurement.routing import policy
from contracts_api.procurement.rules import recommend_route
from contracts_api.seed import _id as seed_id
from contracts_api.seed import seed as seed_contracts
from contracts_api.settings import Settings
from houqin_common.auth import Role
from houqin_common.clients import AppraisalClient
from houqin_common.demo import CONTRACTED, PROJECTS
from houqin_common.i18n import Text
from support import TEST_SECRET, LiveServices, asgi_client, auth

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_a_seeded_renewal_reads_the_last_completed_year(
    fresh_database_url: str, test_env: dict[str, str], make_token: Callable[..., str]
) -> None:
    await seed_contracts(fresh_database_url)
    await seed_appraisal(fresh_database_url)
    services = LiveServices({**test_env, "HOUQIN_DATABASE_URL": fresh_database_url})
    try:
        appraisal_url = services.start("appraisal")
        settings = Settings(
            database_url=fresh_database_url, jwt_secret=TEST_SECRET, appraisal_url=appraisal_url, http_retries=0
        )
        officer = auth(make_token(Role.procurement))
        async with asgi_client(create_app(settings)) as client:
            # the 2026 demo contracts end on 2026-12-31: seen from 1 December 2026
            r = await client.get(
                "/v1/renewals", params={"within_days": 60, "as_of": "2026-12-01", "limit": 100}, headers=officer
            )
            assert r.status_code == 200, r.text
            items = {i["contract"]["project_code"]: i for i in r.json()["items"]}
            assert set(items) == {p.code for p in CONTRACTED}
            catering = items["catering"]
            assert catering["recommended_route"] in ("single_source", "open_tender")
            assert any("period 2025" in why for why in catering["reasons"]), catering["reasons"]
            assert not any("unavailable" in why or "no appraisal" in why for why in catering["reasons"])
            # the same decision by hand, from appraisal's own 2025 score of the incumbent
            async with AppraisalClient(appraisal_url, token=make_token(Role.procurement)) as appraisal:
                score = await appraisal.vendor_score(catering["contract"]["vendor_id"], "2025")
            project = next(p for p in PROJECTS if p.code == "catering")
            expected = recommend_route(
                project_code="catering",
                value=Decimal(str(catering["contract"]["value"])),
                renewal=True,
                policy=policy(settings),
                score=score,
                period="2025",
                project_name=Text.named(project.name_zh, project.name),
            )
            assert catering["recommended_route"] == expected.route and catering["reasons"] == expected.shown()
            # a single route decision names the period it read
            route = await client.get(
                "/v1/procurements/route",
                params={
                    "project_code": "catering",
                    "value": str(catering["contract"]["value"]),
                    "renewal": "true",
                    "predecessor_contract_id": seed_id("contract", "catering", 2026),
                },
                headers=officer,
            )
            assert route.status_code == 200 and route.json()["appraisal_period"] == "2025"
            # negative control: with appraisal gone the same renewals are undecided, not guessed
            services.stop("appraisal")
            down = await client.get(
                "/v1/renewals", params={"within_days": 60, "as_of": "2026-12-01", "limit": 100}, headers=officer
            )
            undecided = {i["contract"]["project_code"]: i for i in down.json()["items"]}
            assert undecided["catering"]["recommended_route"] is None
    finally:
        services.stop_all()
