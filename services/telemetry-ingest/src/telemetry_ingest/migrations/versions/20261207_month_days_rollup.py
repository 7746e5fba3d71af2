"""analytics: each meter-month's daily rows in one row, for base load

Revision ID: h22w02
Revises: h22w01
Create Date: 2026-12-07

``energy_month_days`` holds, per meter and local month, the ``energy_daily`` rows of its days as 4 big-endian
float8 a day (kwh, seconds, working_kwh, working_seconds; zeros where a day has no row), a bit mask of the days
that have a row, and the working hours the rows were split at (NULL when they differ). Base load over a year of
400 meters reads 4 800 rows instead of 146 000 and sorts the days into holidays, weekends and working days
under the calendar of the request in numpy (the day kinds are not stored: a calendar change needs no refresh).

The worker rebuilds a month's row whenever it sums the month again from its days. The meter-days rolled up
before this table existed are logged once here under the kind ``derive`` (as h22w01 does): the next worker
pass builds their months from the daily rollup; until then base load reads those days as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "h22w02"
down_revision: str | Sequence[str] | None = "h22w01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "telemetry"


def upgrade() -> None:
    op.create_table(
        "energy_month_days",
        sa.Column("meter_id", sa.String(64), primary_key=True),
        sa.Column("month", sa.Date, primary_key=True),
        sa.Column("days", sa.Integer, nullable=False),
        sa.Column("daily", sa.LargeBinary, nullable=False),
        sa.Column("work_start", sa.Time),
        sa.Column("work_end", sa.Time),
        schema=S,
    )
    # noon UTC of a rolled-up day lies on that local date in every zone within 11 h of UTC
    op.execute(
        f"INSERT INTO {S}.touched_range (kind, subject_id, hour)"
        f" SELECT 'derive', meter_id, CAST(day AS timestamp) AT TIME ZONE 'UTC' + interval '12 hours'"
        f" FROM {S}.energy_daily"
    )


def downgrade() -> None:
    op.drop_table("energy_month_days", schema=S)
