import asyncpg
import pytest

from contracts_api.seed import seed
from houqin_common.db import libpq_url

pytestmark = pytest.mark.asyncio(loop_scope="session")


async def test_seed_loads_the_demo_and_is_idempotent(fresh_database_url: str) -> None:
    await seed(fresh_database_url)
    await seed(fresh_database_url)
    conn = await asyncpg.connect(libpq_url(fresh_database_url))
    try:
        counts = {
            t: await conn.fetchval(f"SELECT count(*) FROM contracts.{t}")
            for t in ("vendor", "project", "procurement", "contract", "audit_entry")
        }
        periods = await conn.fetch(
            "SELECT extract(year FROM start_date)::int AS y, status, count(*) AS n "
            "FROM contracts.contract GROUP BY 1, 2"
        )
        renewals = await conn.fetchval(
            "SELECT count(*) FROM contracts.contract c JOIN contracts.contract p ON c.predecessor_id = p.id"
        )
        funding = dict(await conn.fetch("SELECT funding, count(*) FROM contracts.project GROUP BY 1"))
        names = dict(await conn.fetch("SELECT code, name_zh FROM contracts.project"))
        # every seeded awarded tender has its bids: the winner and two others
        tenders_without_three_bids = await conn.fetchval(
            "SELECT count(*) FROM contracts.procurement p WHERE p.route IN ('open_tender', 'designated_tender') "
            "AND (SELECT count(*) FROM contracts.bid b WHERE b.procurement_id = p.id) <> 3"
        )
        tenders = await conn.fetchval(
            "SELECT count(*) FROM contracts.procurement WHERE route IN ('open_tender', 'designated_tender')"
        )
    finally:
        await conn.close()
    # the source: 7 projects are purchased services (花钱买服务), 14 hosted concessions (筑巢请服务)
    assert funding == {"purchased": 7, "hosted": 14}
    assert names["clinic"] == "医疗门诊" and names["hairdresser"] == "美容美发"
    assert tenders > 0 and tenders_without_three_bids == 0
    # the invited advice days have no contract: 20 contracted projects
    assert counts == {"vendor": 23, "project": 21, "procurement": 40, "contract": 40, "audit_entry": 40}
    assert {(r["y"], r["status"], r["n"]) for r in periods} == {(2025, "completed", 20), (2026, "active", 20)}
    assert renewals == 20
