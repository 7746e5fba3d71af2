"""analytics: invalidation log written by every insert, hierarchical energy rollups, alert withdrawal

Revision ID: t0203
Revises: t1601
Create Date: 2026-12-01

Every statement that inserts readings or positions (MQTT batch, HTTP ingest, backfill, COPY, seed)
records the (meter, hour) and (vehicle, hour) ranges it touched in ``touched_range`` through a
statement-level trigger with a transition table: one INSERT ... SELECT DISTINCT per statement, so no
write path can forget it. A reading also touches the hour of the stored reading before it (a late
reading splits that interval). The analytics worker consumes the log and recomputes exactly those
ranges, of any age. The same statement triggers serve TimescaleDB hypertables: statement-level triggers
with transition tables fire on them (compressed chunks included) since TimescaleDB 2.x, measured on 2.28.
The watermark of the previous design goes: a rollup is now complete wherever no touched range is pending.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "t0203"
down_revision: str | Sequence[str] | None = "t1601"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "telemetry"

_FUNCTIONS = [
    # A new reading changes the intervals starting at its predecessor's hour and its own. Within the statement
    # the predecessor is at or after the previous new reading of the meter, so the hours from that one to this
    # one are touched; only the first new reading of each meter looks up its stored predecessor (one index
    # descent per meter and statement, not per row: a bulk load stays a bulk load).
    """CREATE OR REPLACE FUNCTION telemetry.touch_readings() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO telemetry.touched_range (kind, subject_id, hour)
    SELECT DISTINCT 'meter', t.meter_id, t.hour FROM (
        SELECT n.meter_id, h.hour FROM (
            SELECT meter_id, ts, lag(ts) OVER (PARTITION BY meter_id ORDER BY ts) AS prev_in FROM new_rows
        ) n CROSS JOIN LATERAL generate_series(date_trunc('hour', coalesce(n.prev_in, n.ts)),
                                               date_trunc('hour', n.ts), interval '1 hour') AS h(hour)
        UNION ALL
        SELECT f.meter_id, date_trunc('hour', p.ts) FROM (
            SELECT meter_id, min(ts) AS ts FROM new_rows GROUP BY meter_id
        ) f CROSS JOIN LATERAL (SELECT r.ts FROM telemetry.reading r WHERE r.meter_id = f.meter_id AND r.ts < f.ts
                                ORDER BY r.ts DESC LIMIT 1) p
    ) t;
    RETURN NULL;
END $$""",
    """CREATE OR REPLACE FUNCTION telemetry.touch_positions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO telemetry.touched_range (kind, subject_id, hour)
    SELECT DISTINCT 'vehicle', n.vehicle_id, date_trunc('hour', n.ts) FROM new_rows n;
    RETURN NULL;
END $$""",
]


def upgrade() -> None:
    op.create_table(
        "touched_range",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("logged_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        schema=S,
    )
    op.create_index("ix_touched_range_kind_hour", "touched_range", ["kind", "hour"], schema=S)
    op.create_table(
        "energy_daily",
        sa.Column("meter_id", sa.String(64), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("kwh", sa.Float, nullable=False),
        sa.Column("intervals", sa.Integer, nullable=False),
        schema=S,
    )
    op.create_table(
        "energy_monthly",
        sa.Column("meter_id", sa.String(64), primary_key=True),
        sa.Column("month", sa.Date, primary_key=True),
        sa.Column("kwh", sa.Float, nullable=False),
        sa.Column("intervals", sa.Integer, nullable=False),
        schema=S,
    )
    op.drop_table("rollup_watermark", schema=S)
    op.add_column("alert", sa.Column("withdrawn_at", sa.DateTime(timezone=True)), schema=S)
    op.add_column("alert", sa.Column("withdrawn_reason", sa.String(64)), schema=S)
    op.add_column("meter", sa.Column("operating_profile", sa.String(32)), schema=S)
    op.add_column("vehicle_day", sa.Column("segments", sa.Integer, nullable=False, server_default="0"), schema=S)
    for fn in _FUNCTIONS:
        op.execute(fn)
    for table, fn in (("reading", "touch_readings"), ("position", "touch_positions")):
        op.execute(
            f"CREATE TRIGGER touch_{table} AFTER INSERT ON {S}.{table} REFERENCING NEW TABLE AS new_rows"
            f" FOR EACH STATEMENT EXECUTE FUNCTION {S}.{fn}()"
        )
    # data written before the log existed: everything is pending once, the first worker pass rolls it up
    op.execute(
        f"INSERT INTO {S}.touched_range (kind, subject_id, hour)"
        f" SELECT DISTINCT 'meter', meter_id, date_trunc('hour', ts) FROM {S}.reading"
    )
    op.execute(
        f"INSERT INTO {S}.touched_range (kind, subject_id, hour)"
        f" SELECT DISTINCT 'vehicle', vehicle_id, date_trunc('hour', ts) FROM {S}.position"
    )
    op.execute(f"TRUNCATE {S}.energy_hourly")
    op.execute(f"TRUNCATE {S}.vehicle_day")


def downgrade() -> None:
    for table in ("reading", "position"):
        op.execute(f"DROP TRIGGER IF EXISTS touch_{table} ON {S}.{table}")
    for fn in ("touch_readings", "touch_positions"):
        op.execute(f"DROP FUNCTION IF EXISTS {S}.{fn}()")
    op.drop_column("vehicle_day", "segments", schema=S)
    op.drop_column("meter", "operating_profile", schema=S)
    op.drop_column("alert", "withdrawn_reason", schema=S)
    op.drop_column("alert", "withdrawn_at", schema=S)
    op.create_table(
        "rollup_watermark",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("rolled_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rolled_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        schema=S,
    )
    op.drop_table("energy_monthly", schema=S)
    op.drop_table("energy_daily", schema=S)
    op.drop_index("ix_touched_range_kind_hour", table_name="touched_range", schema=S)
    op.drop_table("touched_range", schema=S)
