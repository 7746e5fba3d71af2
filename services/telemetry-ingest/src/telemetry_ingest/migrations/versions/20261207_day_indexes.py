"""analytics: an index on the day of the daily energy and cost rollups

Revision ID: h26i01
Revises: h22w02
Create Date: 2026-12-07

The like-for-like comparisons (year-on-year, the energy KPI, their yuan) read one window of every meter of a
scope from ``energy_daily`` and ``energy_daily_cost``, whose keys begin with the meter: without an index on the
day, a month of 400 meters scanned the whole year (146 000 rows to keep 12 000; 18 ms against 10.5 ms with the
index, measured on the bench database).
"""

from collections.abc import Sequence

from alembic import op

revision: str = "h26i01"
down_revision: str | Sequence[str] | None = "h22w02"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "telemetry"


def upgrade() -> None:
    op.create_index("ix_energy_daily_day", "energy_daily", ["day"], schema=S)
    op.create_index("ix_energy_daily_cost_day", "energy_daily_cost", ["day"], schema=S)


def downgrade() -> None:
    op.drop_index("ix_energy_daily_cost_day", table_name="energy_daily_cost", schema=S)
    op.drop_index("ix_energy_daily_day", table_name="energy_daily", schema=S)
