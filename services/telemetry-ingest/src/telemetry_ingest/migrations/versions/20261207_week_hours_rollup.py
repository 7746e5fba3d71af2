"""analytics: each meter-week's hourly kWh in one row, for the waste evaluation

Revision ID: h22w01
Revises: h22s02
Create Date: 2026-12-07

``energy_week_hours`` holds, per meter and local ISO week (``week`` is its Monday), the kWh of each local hour
of the week as 7 x 24 big-endian float8 (NaN where the hour has no reading interval) and per day an int4 mask
of the hours that have intervals: the hourly rollup of that week in one row. The waste evaluation judges a
month of every meter against four weeks of its own history (400 meters: ~560 000 meter-hours, ~23 000
meter-days); read as ~3 600 rows of bytes it is sorted into hour categories under the calendar of the
request in numpy (the categories are not stored: a calendar change needs no refresh). A row a week, not a
day: the rows are read, not the values, and a week of hours (1.3 kB) still fits in the row (no TOAST); a
month would rewrite 6 kB of TOAST per meter at every worker pass.

The worker builds a week's row from the hourly rollup whenever it recomputes a day of it. The meter-days rolled
up before this table existed are logged once here under the kind ``derive``: the next worker pass builds
their weeks from the hourly rollup (no recomputation of the other rollups); until then the waste evaluation
reads those days from the raw readings, as for any pending range.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "h22w01"
down_revision: str | Sequence[str] | None = "h22s02"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "telemetry"


def upgrade() -> None:
    op.create_table(
        "energy_week_hours",
        sa.Column("meter_id", sa.String(64), primary_key=True),
        sa.Column("week", sa.Date, primary_key=True),
        sa.Column("kwh", sa.LargeBinary, nullable=False),
        sa.Column("hours", sa.LargeBinary, nullable=False),
        schema=S,
    )
    # noon UTC of a rolled-up day lies on that local date in every zone within 11 h of UTC (the worker maps
    # a touched hour to the local days of the configured zone)
    op.execute(
        f"INSERT INTO {S}.touched_range (kind, subject_id, hour)"
        f" SELECT 'derive', meter_id, CAST(day AS timestamp) AT TIME ZONE 'UTC' + interval '12 hours'"
        f" FROM {S}.energy_daily"
    )


def downgrade() -> None:
    op.execute(f"DELETE FROM {S}.touched_range WHERE kind = 'derive'")
    op.drop_table("energy_week_hours", schema=S)
