"""analytics: the hourly and daily energy rollups carry the seconds and the working-hours split of base load

Revision ID: i22bench02
Revises: i22bench01
Create Date: 2026-12-07

``seconds`` is the summed duration of the reading intervals of the row (base load is kWh over hours), and
``working_kwh``/``working_seconds`` the part of the intervals that start within the working hours of the energy
calendar (``HOUQIN_TELEMETRY_ENERGY_CALENDAR_ID``, else 07:30-18:30); the daily row names those hours
(``work_start``, ``work_end``), so a base-load query under other hours reads the raw readings. Every rolled-up
meter-day is logged once here: the next worker pass recomputes it (and reprices it).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "i22bench02"
down_revision: str | Sequence[str] | None = "i22bench01"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "telemetry"
COLUMNS = ("seconds", "working_kwh", "working_seconds")


def upgrade() -> None:
    for table in ("energy_hourly", "energy_daily"):
        for column in COLUMNS:
            op.add_column(table, sa.Column(column, sa.Float, nullable=False, server_default="0"), schema=S)
    op.add_column("energy_daily", sa.Column("work_start", sa.Time), schema=S)
    op.add_column("energy_daily", sa.Column("work_end", sa.Time), schema=S)
    # noon UTC of a rolled-up day lies on that local date in every zone within 11 h of UTC
    op.execute(
        f"INSERT INTO {S}.touched_range (kind, subject_id, hour)"
        f" SELECT 'meter', meter_id, CAST(day AS timestamp) AT TIME ZONE 'UTC' + interval '12 hours'"
        f" FROM {S}.energy_daily"
    )


def downgrade() -> None:
    op.drop_column("energy_daily", "work_end", schema=S)
    op.drop_column("energy_daily", "work_start", schema=S)
    for table in ("energy_hourly", "energy_daily"):
        for column in COLUMNS:
            op.drop_column(table, column, schema=S)
