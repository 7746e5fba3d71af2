"""energy accounting: tariffs, building floor areas, headcount, goals, investments

Revision ID: t1601
Revises: t0202
Create Date: 2026-12-01

Tables of the cost, standard-coal and public-institution statistics (issue 16). Plain tables; amounts
are NUMERIC (money and areas are never floats).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision: str = "t1601"
down_revision: str | Sequence[str] | None = "t0202"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "telemetry"


def upgrade() -> None:
    op.create_table(
        "tariff",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("energy_type", sa.String(5), sa.ForeignKey(f"{S}.energy_code.code"), nullable=False),
        sa.Column("scope", sa.String(16), nullable=False, server_default="all"),
        sa.Column("scope_id", sa.String(100), nullable=False, server_default=""),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("prices", pg.JSONB, nullable=False),
        sa.Column("windows", pg.JSONB, nullable=False, server_default="[]"),
        sa.Column("example", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("note", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("scope IN ('all', 'building', 'meter')", name="scope"),
        sa.CheckConstraint("(scope = 'all') = (scope_id = '')", name="scope_id"),
        sa.UniqueConstraint("energy_type", "scope", "scope_id", "effective_from"),
        schema=S,
    )
    op.create_table(
        "building_area",
        sa.Column("building", sa.String(100), primary_key=True),
        sa.Column("valid_from", sa.Date, primary_key=True),
        sa.Column("floor_area_m2", sa.Numeric(14, 2), nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("floor_area_m2 > 0", name="positive"),
        schema=S,
    )
    op.create_table(
        "headcount",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("headcount", sa.Integer, nullable=False),
        sa.Column("note", sa.Text),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("headcount > 0", name="positive"),
        schema=S,
    )
    op.create_table(
        "energy_goal",
        sa.Column("indicator", sa.String(40), primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("max_value", sa.Numeric(18, 6)),
        sa.Column("min_reduction", sa.Numeric(8, 6)),
        sa.Column("note", sa.Text),
        sa.CheckConstraint("max_value IS NOT NULL OR min_reduction IS NOT NULL", name="some_target"),
        schema=S,
    )
    op.create_table(
        "investment",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("cost_cny", sa.Numeric(14, 2), nullable=False),
        sa.Column("start_date", sa.Date, nullable=False),
        sa.Column("building", sa.String(100)),
        sa.Column("note", sa.Text),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("cost_cny >= 0", name="cost"),
        schema=S,
    )


def downgrade() -> None:
    for table in ("investment", "energy_goal", "headcount", "building_area", "tariff"):
        op.drop_table(table, schema=S)
