"""The contracts migrations are reversible: upgrade, downgrade to base, upgrade again."""

from __future__ import annotations

import asyncio

import asyncpg
from alembic import command
from alembic.config import Config

from houqin_common.db import async_url, libpq_url, migrations_location
from support import create_test_database, drop_test_database


def _config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", migrations_location("contracts_api"))
    cfg.set_main_option("sqlalchemy.url", async_url(url).replace("%", "%%"))
    return cfg


async def _tables(url: str) -> set[str]:
    conn = await asyncpg.connect(libpq_url(url))
    try:
        rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'contracts'")
    finally:
        await conn.close()
    return {r["tablename"] for r in rows}


def test_upgrade_downgrade_upgrade(pg_admin_url: str) -> None:
    url = create_test_database(pg_admin_url, migrate=False)
    try:
        cfg = _config(url)
        command.upgrade(cfg, "heads")
        created = asyncio.run(_tables(url))
        assert {"vendor", "veto", "contract", "audit_entry", "document", "procurement"} <= created
        command.downgrade(cfg, "base")
        assert asyncio.run(_tables(url)) == {"alembic_version"}
        command.upgrade(cfg, "heads")
        assert asyncio.run(_tables(url)) == created
    finally:
        drop_test_database(pg_admin_url, url)
