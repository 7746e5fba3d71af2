"""`make seed` (issue 26): the demo year's hazard register and conference centre, loaded once."""

from __future__ import annotations

from collections.abc import Callable

from appraisal.main import create_app
from appraisal.seed import seed
from appraisal.settings import Settings
from houqin_common.auth import Role
from houqin_common.demo import vendor_for_project
from houqin_common.embedded import free_port
from support import TEST_SECRET, asgi_client, auth


async def test_seed_loads_about_thirty_hazards_and_two_hundred_meetings_once(
    fresh_database_url: str, make_token: Callable[..., str]
) -> None:
    await seed(fresh_database_url)
    await seed(fresh_database_url)
    settings = Settings(
        database_url=fresh_database_url,
        jwt_secret=TEST_SECRET,
        telemetry_url=f"http://127.0.0.1:{free_port()}",
        contracts_url=f"http://127.0.0.1:{free_port()}",
        http_retries=0,
    )
    sup = auth(make_token(Role.supervisor))
    async with asgi_client(create_app(settings)) as client:
        stats = (await client.get("/v1/hazards/stats/2025", headers=sup)).json()
        assert stats["found"] == 32 and stats["verified"] == 32 and 0 < stats["late"] < 10
        figures = (await client.get("/v1/conference/figures/2025", headers=sup)).json()
        assert 180 <= figures["meetings_held"] <= 210 and figures["large_meetings"] > 150
        assert figures["cancelled"] > 0 and figures["no_shows"] > 0 and figures["rooms"] == 4
        assert float(figures["savings_cny"]) > 1_000_000
        conference = vendor_for_project("conference").id
        score = (await client.get(f"/v1/scores/{conference}", params={"period": "2025"}, headers=sup)).json()
        part = next(c for c in score["components"] if c["code"] == "conference")
        assert part["score"] is not None and part["score"] > 80 and "meetings held" in part["note"]
        security = vendor_for_project("security").id
        score = (await client.get(f"/v1/scores/{security}", params={"period": "2025"}, headers=sup)).json()
        hazards = next(c for c in score["components"] if c["code"] == "hazards")
        assert hazards["score"] is not None and "hazards due for removal" in hazards["note"]
