"""Each service's ORM metadata and its migrations describe the same schema: Alembic's ``compare_metadata``
finds no difference on a freshly migrated database, and each history has one head. A table or index added on
one side only is reported (positive control). A telemetry database stamped with the two heads of the old
history (``t0101`` and the analytics branch) upgrades onto the linear one."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Iterator
from typing import Any

import asyncpg
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Index, Integer, MetaData, Table
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from houqin_common.db import async_url, libpq_url, migrations_location
from support import create_test_database, drop_test_database

SERVICES = {"contracts_api": "contracts", "telemetry_ingest": "telemetry", "appraisal": "appraisal"}


@pytest.fixture(scope="module")
def migrated_url(pg_admin_url: str) -> Iterator[str]:
    url = create_test_database(pg_admin_url)
    yield url
    drop_test_database(pg_admin_url, url)


def _metadata(package: str) -> MetaData:
    metadata: MetaData = importlib.import_module(f"{package}.models").Base.metadata
    return metadata


def _differences(url: str, metadata: MetaData, schema: str) -> list[Any]:
    def compare(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "include_schemas": True,
                "version_table_schema": schema,
                "include_name": lambda name, kind, _parents: kind != "schema" or name == schema,
            },
        )
        return list(compare_metadata(context, metadata))

    async def run() -> list[Any]:
        engine = create_async_engine(async_url(url))
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(compare)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def _config(package: str, url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", migrations_location(package))
    config.set_main_option("sqlalchemy.url", async_url(url).replace("%", "%%"))
    return config


@pytest.mark.parametrize("package", sorted(SERVICES))
def test_the_models_and_the_migrated_schema_agree(migrated_url: str, package: str) -> None:
    assert _differences(migrated_url, _metadata(package), SERVICES[package]) == []


def test_a_table_or_an_index_on_one_side_only_is_a_difference(migrated_url: str) -> None:
    metadata = MetaData(schema="telemetry")
    for table in _metadata("telemetry_ingest").sorted_tables:
        table.to_metadata(metadata)
    Table("not_migrated", metadata, Column("id", Integer, primary_key=True))
    Index("ix_not_migrated_reading_power", metadata.tables["telemetry.reading"].c.power_kw)
    metadata.remove(metadata.tables["telemetry.temperature"])

    kinds = sorted(str(diff[0]) for diff in _differences(migrated_url, metadata, "telemetry"))

    assert kinds == ["add_index", "add_table", "remove_table"]


@pytest.mark.parametrize("package", sorted(SERVICES))
def test_each_history_has_one_head(package: str) -> None:
    script = ScriptDirectory.from_config(_config(package, "postgresql://unused/db"))
    assert len(script.get_heads()) == 1, script.get_heads()


def test_a_database_stamped_with_the_two_old_telemetry_heads_upgrades_to_the_one_head(pg_admin_url: str) -> None:
    url = create_test_database(pg_admin_url, migrate=False)

    async def stamped(statement: str | None = None) -> set[str]:
        conn = await asyncpg.connect(libpq_url(url))
        try:
            if statement:
                await conn.execute(statement)
            return {r["version_num"] for r in await conn.fetch("SELECT version_num FROM telemetry.alembic_version")}
        finally:
            await conn.close()

    try:
        config = _config("telemetry_ingest", url)
        command.upgrade(config, "t1801dl")
        # the old history's state after `upgrade heads`: t0101 and the analytics head, both stamped
        assert asyncio.run(stamped("INSERT INTO telemetry.alembic_version VALUES ('t0101')")) == {"t0101", "t1801dl"}
        command.upgrade(config, "heads")
        head = ScriptDirectory.from_config(config).get_current_head()
        assert asyncio.run(stamped()) == {head}
        assert _differences(url, _metadata("telemetry_ingest"), "telemetry") == []
    finally:
        drop_test_database(pg_admin_url, url)


ROW_FALLBACK = """
CREATE FUNCTION telemetry.touch_reading_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO telemetry.touched_range (kind, subject_id, hour) VALUES ('meter', NEW.meter_id, NEW.ts);
    RETURN NULL;
END $$;
CREATE FUNCTION telemetry.touch_position_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO telemetry.touched_range (kind, subject_id, hour) VALUES ('vehicle', NEW.vehicle_id, NEW.ts);
    RETURN NULL;
END $$;
DROP TRIGGER touch_reading ON telemetry.reading;
CREATE TRIGGER touch_reading AFTER INSERT ON telemetry.reading FOR EACH ROW
    EXECUTE FUNCTION telemetry.touch_reading_row();
"""

TRIGGERS = (
    "SELECT c.relname, t.tgtype & 1 = 1 AS per_row, p.proname FROM pg_trigger t"
    " JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid"
    " WHERE t.tgname LIKE 'touch_%' AND NOT t.tgisinternal ORDER BY c.relname"
)


def test_the_per_row_fallback_of_the_old_history_is_replaced_by_statement_triggers(pg_admin_url: str) -> None:
    url = create_test_database(pg_admin_url, migrate=False)

    async def query(statement: str, *fetch: str) -> list[tuple[Any, ...]]:
        conn = await asyncpg.connect(libpq_url(url))
        try:
            await conn.execute(statement)
            return [tuple(r) for q in fetch for r in await conn.fetch(q)]
        finally:
            await conn.close()

    functions = "SELECT proname FROM pg_proc WHERE proname LIKE 'touch_%_row' ORDER BY proname"
    try:
        config = _config("telemetry_ingest", url)
        command.upgrade(config, "t1801dl")
        # what t0203 left on a database whose tables were hypertables already (the old per-row fallback)
        before = asyncio.run(query(ROW_FALLBACK, TRIGGERS, functions))
        assert before == [
            ("position", False, "touch_positions"),
            ("reading", True, "touch_reading_row"),
            ("touch_position_row",),
            ("touch_reading_row",),
        ]
        command.upgrade(config, "heads")
        after = asyncio.run(query("SELECT 1", TRIGGERS, functions))
        assert after == [("position", False, "touch_positions"), ("reading", False, "touch_readings")]
    finally:
        drop_test_database(pg_admin_url, url)
