"""analytics: temperatures, trip requests, trips, alerts; indexes for the analytics queries

Revision ID: t0201
Revises: t0101
Create Date: 2026-11-27

Follows the storage migration t0101, so every analytics revision sees ``reading`` and ``position`` as they
will stay (hypertables where TimescaleDB is there). This was once a branch of its own off t0001; a database
stamped with both old heads (``t0101`` and the analytics head) loses the redundant ``t0101`` row before the
upgrade (:func:`houqin_common.db.drop_overlapping_stamps`).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision: str = "t0201"
down_revision: str | Sequence[str] | None = "t0101"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "telemetry"


def upgrade() -> None:
    op.create_table(
        "temperature",
        sa.Column("station", sa.String(64), primary_key=True),
        sa.Column("ts", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("temp_c", sa.Float, nullable=False),
        schema=S,
    )
    op.create_table(
        "trip_request",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("requester", sa.String(200), nullable=False),
        sa.Column("department", sa.String(200)),
        sa.Column("vehicle_id", sa.String(64)),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("origin", sa.String(300), nullable=False),
        sa.Column("destination", sa.String(300), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("decided_by", sa.String(200)),
        sa.Column("decided_at", sa.DateTime(timezone=True)),
        sa.Column("decision_note", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("window_end > window_start", name="window"),
        schema=S,
    )
    op.create_index("ix_trip_request_vehicle_id", "trip_request", ["vehicle_id"], schema=S)
    op.create_table(
        "trip",
        sa.Column("vehicle_id", sa.String(64), primary_key=True),
        sa.Column("start_at", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("end_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("distance_km", sa.Float, nullable=False),
        sa.Column("max_speed_kmh", sa.Float),
        sa.Column("start_lat", sa.Float, nullable=False),
        sa.Column("start_lon", sa.Float, nullable=False),
        sa.Column("end_lat", sa.Float, nullable=False),
        sa.Column("end_lon", sa.Float, nullable=False),
        sa.Column("request_id", sa.String(36)),
        sa.Column("violations", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        schema=S,
    )
    op.create_table(
        "alert",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("subject_type", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("vendor_id", sa.String(64)),
        sa.Column("department", sa.String(200)),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("details", pg.JSONB, nullable=False, server_default="{}"),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.UniqueConstraint("kind", "subject_id", "started_at", name="uq_alert_kind_subject_started"),
        schema=S,
    )
    op.create_index("ix_alert_started_at", "alert", ["started_at"], schema=S)
    op.create_index("ix_alert_vendor_id", "alert", ["vendor_id"], schema=S)
    op.create_index("ix_meter_building_zone", "meter", ["building", "zone"], schema=S)


def downgrade() -> None:
    op.drop_index("ix_meter_building_zone", table_name="meter", schema=S)
    for table in ("alert", "trip", "trip_request", "temperature"):
        op.drop_table(table, schema=S)
