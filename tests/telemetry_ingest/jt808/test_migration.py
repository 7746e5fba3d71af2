"""Migration t1501 (terminal phone, terminal state) is reversible and matches the ORM models."""

from __future__ import annotations

from typing import Any

import psycopg
from alembic import command
from alembic.config import Config

from houqin_common.db import async_url, libpq_url, migrations_location
from support import create_test_database, drop_test_database


def _columns(url: str) -> dict[str, set[str]]:
    with psycopg.connect(libpq_url(url)) as conn:
        rows = conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'telemetry' "
            "AND table_name IN ('vehicle', 'terminal_connection')"
        ).fetchall()
    out: dict[str, set[str]] = {}
    for table, column in rows:
        out.setdefault(table, set()).add(column)
    return out


def test_terminal_migration_down_and_up_again(pg_admin_url: str) -> None:
    from telemetry_ingest.models import TerminalConnection, Vehicle

    url = create_test_database(pg_admin_url, migrate=False)
    try:
        cfg = Config()
        cfg.set_main_option("script_location", migrations_location("telemetry_ingest"))
        cfg.set_main_option("sqlalchemy.url", async_url(url).replace("%", "%%"))
        command.upgrade(cfg, "heads")
        created: dict[str, Any] = _columns(url)
        assert created["terminal_connection"] == {c.name for c in TerminalConnection.__table__.columns}
        assert created["vehicle"] == {c.name for c in Vehicle.__table__.columns}
        command.downgrade(cfg, "t1501-1")
        after = _columns(url)
        assert "terminal_connection" not in after and "terminal_phone" not in after["vehicle"]
        command.upgrade(cfg, "heads")
        assert _columns(url) == created
    finally:
        drop_test_database(pg_admin_url, url)
