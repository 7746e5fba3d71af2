"""timescale: hypertables, compression and retention for readings and positions when TimescaleDB is there

Revision ID: t0101
Revises: t0001
Create Date: 2026-11-27

Runs only when the ``timescaledb`` extension is installed in the database or preloaded by the server
(``shared_preload_libraries``); on plain PostgreSQL it does nothing and the BRIN-indexed tables of
t0001 stay. ``telemetry.reading`` and ``telemetry.position`` keep their names and primary keys
``(device, ts)`` (the ingest's ON CONFLICT needs them; TimescaleDB needs ``ts`` in every unique key).
Compression segments by device and orders by time; the compression age and the retention come from
``HOUQIN_TELEMETRY_TIMESCALE_COMPRESS_AFTER`` / ``HOUQIN_TELEMETRY_TIMESCALE_RETENTION`` at migration time.
Continuous aggregates belong to the analytics revisions (they reference these hypertables by name).
"""

import os
import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "t0101"
down_revision: str | Sequence[str] | None = "t0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "telemetry"
TABLES = {"reading": "meter_id", "position": "vehicle_id"}
CHUNK = "7 days"
INTERVAL = re.compile(r"^\d+ (second|minute|hour|day|week|month|year)s?$")


def _interval(env: str, default: str) -> str:
    value = os.environ.get(env, default).strip()
    if not INTERVAL.match(value):
        raise ValueError(f"{env}={value!r} is not an interval such as '7 days'")
    return value


def timescale_usable(bind: sa.engine.Connection) -> bool:
    installed = bind.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'")).scalar()
    if installed:
        return True
    available = bind.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'")).scalar()
    preload = bind.execute(sa.text("SELECT current_setting('shared_preload_libraries')")).scalar() or ""
    return bool(available) and "timescaledb" in str(preload)


def upgrade() -> None:
    bind = op.get_bind()
    if not timescale_usable(bind):
        return
    compress_after = _interval("HOUQIN_TELEMETRY_TIMESCALE_COMPRESS_AFTER", "7 days")
    retention = _interval("HOUQIN_TELEMETRY_TIMESCALE_RETENTION", "5 years")
    op.execute("CREATE EXTENSION IF NOT EXISTS timescaledb")
    for table, device in TABLES.items():
        op.execute(
            f"SELECT create_hypertable('{S}.{table}', 'ts', chunk_time_interval => INTERVAL '{CHUNK}', "
            "migrate_data => true, if_not_exists => true)"
        )
        op.execute(
            f"ALTER TABLE {S}.{table} SET (timescaledb.compress, "
            f"timescaledb.compress_segmentby = '{device}', timescaledb.compress_orderby = 'ts DESC')"
        )
        op.execute(f"SELECT add_compression_policy('{S}.{table}', INTERVAL '{compress_after}', if_not_exists => true)")
        op.execute(f"SELECT add_retention_policy('{S}.{table}', INTERVAL '{retention}', if_not_exists => true)")


def downgrade() -> None:
    bind = op.get_bind()
    if not bind.execute(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'")).scalar():
        return
    for table in TABLES:
        exists = bind.execute(
            sa.text(
                "SELECT 1 FROM timescaledb_information.hypertables "
                "WHERE hypertable_schema = :s AND hypertable_name = :t"
            ),
            {"s": S, "t": table},
        ).scalar()
        if not exists:
            continue
        op.execute(f"SELECT remove_retention_policy('{S}.{table}', if_exists => true)")
        op.execute(f"SELECT remove_compression_policy('{S}.{table}', if_exists => true)")
        # A hypertable cannot be turned back into a table: copy the rows into a plain one.
        op.execute(f"CREATE TABLE {S}.{table}_plain (LIKE {S}.{table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        op.execute(f"INSERT INTO {S}.{table}_plain SELECT * FROM {S}.{table}")
        op.execute(f"DROP TABLE {S}.{table}")
        op.execute(f"ALTER TABLE {S}.{table}_plain RENAME TO {table}")
        device = TABLES[table]
        op.execute(f"ALTER TABLE {S}.{table} ADD CONSTRAINT pk_{table} PRIMARY KEY ({device}, ts)")
        op.execute(f"CREATE INDEX ix_{table}_ts_brin ON {S}.{table} USING brin (ts)")
