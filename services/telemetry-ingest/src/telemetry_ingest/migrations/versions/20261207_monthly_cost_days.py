"""analytics: the monthly cost rollup counts the meter-days of each meter-month

Revision ID: h22s01
Revises: i22bench03
Create Date: 2026-12-07

``days`` is the number of local days of the month with a row in ``energy_daily_cost`` (a meter-day with at least
one reading interval), the same on every period row of the meter-month. The yearly statistics pair each
meter-day with the same day a year earlier (like for like): a month that reported on every day in both years
is compared whole from the monthly rows, and only the partly reported months are paired day by day. Filled here
from the daily rows already priced; the worker keeps it with the monthly sums.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "h22s01"
down_revision: str | Sequence[str] | None = "i22bench03"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "telemetry"


def upgrade() -> None:
    op.add_column("energy_monthly_cost", sa.Column("days", sa.Integer, nullable=False, server_default="0"), schema=S)
    op.execute(
        f"UPDATE {S}.energy_monthly_cost e SET days = n.days"
        f" FROM (SELECT meter_id, CAST(date_trunc('month', day) AS date) AS month, count(DISTINCT day) AS days"
        f"       FROM {S}.energy_daily_cost GROUP BY 1, 2) n"
        " WHERE e.meter_id = n.meter_id AND e.month = n.month"
    )


def downgrade() -> None:
    op.drop_column("energy_monthly_cost", "days", schema=S)
