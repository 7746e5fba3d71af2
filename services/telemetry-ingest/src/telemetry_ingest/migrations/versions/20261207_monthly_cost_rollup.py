"""analytics: the monthly cost rollup (the daily cost rollup summed per meter, month and price period)

Revision ID: i22bench03
Revises: i22bench02
Create Date: 2026-12-07

A year of 400 meters is 146 000 meter-days of ``energy_daily_cost`` (about 440 000 rows with the periods); a
cost query over whole months sums ``energy_monthly_cost`` instead (12 rows per meter and period), kept by the
worker from the daily rows it has just priced. Filled here from the daily rows already priced.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i22bench03"
down_revision: str | Sequence[str] | None = "i22bench02"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "telemetry"


def upgrade() -> None:
    op.create_table(
        "energy_monthly_cost",
        sa.Column("meter_id", sa.String(64), primary_key=True),
        sa.Column("month", sa.Date, primary_key=True),
        sa.Column("period", sa.String(16), primary_key=True),
        sa.Column("quantity", sa.Numeric, nullable=False),
        sa.Column("cost_cny", sa.Numeric, nullable=False),
        schema=S,
    )
    op.execute(
        f"INSERT INTO {S}.energy_monthly_cost (meter_id, month, period, quantity, cost_cny)"
        f" SELECT meter_id, CAST(date_trunc('month', day) AS date), period, sum(quantity), sum(cost_cny)"
        f" FROM {S}.energy_daily_cost GROUP BY 1, 2, 3"
    )


def downgrade() -> None:
    op.drop_table("energy_monthly_cost", schema=S)
