"""analytics: the daily cost rollup (yuan per meter, local day and price period)

Revision ID: i22bench01
Revises: t2602
Create Date: 2026-12-07

``energy_daily_cost`` holds what the tariffs make of each meter-day: quantity and yuan per price period
(``''`` is the quantity no tariff version prices), computed by the analytics worker with the raw pricing of
``tariffs.service.price`` whenever it rolls up a touched meter-day, and recomputed when a tariff version
changes. Cost queries over whole
local days sum these rows instead of pricing a year of quarter-hours per request. Its own kind ``cost`` in the
invalidation log: the energy refresh logs every meter-day it recomputes, a tariff change the meter-days it
reprices, and the worker prices them after the energy rollups.

Meter-days rolled up before this table existed are logged once here, so the first worker pass fills it; until
then every cost query answers them from the raw readings, as for any pending range.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i22bench01"
down_revision: str | Sequence[str] | None = "t2602"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "telemetry"


def upgrade() -> None:
    op.create_table(
        "energy_daily_cost",
        sa.Column("meter_id", sa.String(64), primary_key=True),
        sa.Column("day", sa.Date, primary_key=True),
        sa.Column("period", sa.String(16), primary_key=True),
        sa.Column("quantity", sa.Numeric, nullable=False),
        sa.Column("cost_cny", sa.Numeric, nullable=False),
        schema=S,
    )
    # noon UTC of a rolled-up day lies on that local date in every zone within 11 h of UTC (the worker maps
    # a touched hour to the local days of the configured zone)
    op.execute(
        f"INSERT INTO {S}.touched_range (kind, subject_id, hour)"
        f" SELECT 'cost', meter_id, CAST(day AS timestamp) AT TIME ZONE 'UTC' + interval '12 hours'"
        f" FROM {S}.energy_daily"
    )


def downgrade() -> None:
    op.drop_table("energy_daily_cost", schema=S)
