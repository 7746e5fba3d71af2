"""analytics rollups: hourly energy per meter, daily distance per vehicle

Revision ID: t0202
Revises: t0201
Create Date: 2026-11-27

Plain tables maintained by the analytics (``POST /v1/energy/rollup/refresh`` and the fleet evaluator)
with the same SQL as the raw queries, so answers are identical whichever path a query takes. TimescaleDB
continuous aggregates are not used for energy: the interval arithmetic needs ``lag()`` across bucket
boundaries (resets, rollovers), which a continuous aggregate cannot express.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "t0202"
down_revision: str | Sequence[str] | None = "t0201"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "telemetry"


def upgrade() -> None:
    op.create_table(
        "energy_hourly",
        sa.Column("meter_id", sa.String(64), primary_key=True),
        sa.Column("hour", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("kwh", sa.Float, nullable=False),
        sa.Column("intervals", sa.Integer, nullable=False),
        schema=S,
    )
    op.create_table(
        "rollup_watermark",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("rolled_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rolled_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("refreshed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        schema=S,
    )
    op.create_table(
        "vehicle_day",
        sa.Column("vehicle_id", sa.String(64), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("distance_km", sa.Float, nullable=False),
        sa.Column("fixes", sa.Integer, nullable=False),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        schema=S,
    )


def downgrade() -> None:
    for table in ("vehicle_day", "rollup_watermark", "energy_hourly"):
        op.drop_table(table, schema=S)
