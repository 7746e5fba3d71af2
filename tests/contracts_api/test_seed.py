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
    finally:
        await conn.close()
    assert counts == {"vendor": 23, "project": 20, "procurement": 40, "contract": 40, "audit_entry": 40}
    assert {(r["y"], r["status"], r["n"]) for r in periods} == {(2025, "completed", 20), (2026, "active", 20)}
    assert renewals == 20
