"""analytics: the daily cost totals of each meter-month as arrays (one row per meter and month)

Revision ID: h22s02
Revises: h22s01
Create Date: 2026-12-07

``energy_month_day_cost`` holds, per meter and month, the daily cost rollup summed over the price periods of
each local day: ``quantity[i]`` and ``cost_cny[i]`` of day ``i`` of the month (NULL: no reading interval that
day). A cost query of every meter by day reads one row per meter and month (a month of 400 meters: 400 rows
instead of 36 000 period rows to sum), kept by the worker with the monthly cost rollup from the daily rows it
has just priced. Filled here from the daily rows already priced.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "h22s02"
down_revision: str | Sequence[str] | None = "h22s01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "telemetry"

#: the meter-months of ``t(m, month)`` with at least one daily cost row, as arrays over the days of the month
FILL = """
INSERT INTO {s}.energy_month_day_cost (meter_id, month, quantity, cost_cny)
SELECT t.m, t.month, array_agg(d.q ORDER BY g.i), array_agg(d.c ORDER BY g.i)
FROM t CROSS JOIN LATERAL generate_series(0, CAST(t.month + interval '1 month' AS date) - t.month - 1) AS g(i)
LEFT JOIN (SELECT c.meter_id, c.day, sum(c.quantity) AS q, sum(c.cost_cny) AS c
           FROM {s}.energy_daily_cost c JOIN t ON c.meter_id = t.m AND c.day >= t.month
            AND c.day < CAST(t.month + interval '1 month' AS date)
           GROUP BY 1, 2) d ON d.meter_id = t.m AND d.day = t.month + g.i
GROUP BY t.m, t.month
HAVING count(d.day) > 0
"""


def upgrade() -> None:
    op.create_table(
        "energy_month_day_cost",
        sa.Column("meter_id", sa.String(64), primary_key=True),
        sa.Column("month", sa.Date, primary_key=True),
        sa.Column("quantity", postgresql.ARRAY(sa.Numeric), nullable=False),
        sa.Column("cost_cny", postgresql.ARRAY(sa.Numeric), nullable=False),
        schema=S,
    )
    op.execute(
        f"WITH t AS (SELECT DISTINCT meter_id AS m, CAST(date_trunc('month', day) AS date) AS month"
        f" FROM {S}.energy_daily_cost) {FILL.format(s=S)}"
    )


def downgrade() -> None:
    op.drop_table("energy_month_day_cost", schema=S)
