"""alarm panels, their zones and the alarm events they publish on houqin/v1/alarms/{panel_id}/events

Revision ID: t2601
Revises: t2501
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "t2601"
down_revision: str | Sequence[str] | None = "t2501"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "telemetry"


def upgrade() -> None:
    op.create_table(
        "alarm_panel",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("system", sa.String(16), nullable=False),
        sa.Column("building", sa.String(100), nullable=False),
        sa.Column("vendor_id", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        schema=S,
    )
    op.create_table(
        "alarm_zone",
        sa.Column(
            "panel_id", sa.String(64), sa.ForeignKey(f"{S}.alarm_panel.id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("zone", sa.String(64), primary_key=True),
        sa.Column("building", sa.String(100), nullable=False),
        sa.Column("floor", sa.String(20), nullable=True),
        sa.Column("room", sa.String(50), nullable=True),
        sa.Column("label", sa.String(200), nullable=True),
        schema=S,
    )
    op.create_table(
        "alarm_event",
        sa.Column("panel_id", sa.String(64), primary_key=True),
        sa.Column("zone", sa.String(64), primary_key=True),
        sa.Column("ts", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("event", sa.String(16), primary_key=True),
        sa.Column("id", sa.Uuid(), server_default=sa.text("gen_random_uuid()"), nullable=False, unique=True),
        sa.Column("test", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("restores", sa.String(16), nullable=True),
        sa.Column("text", sa.String(200), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hazard_id", sa.String(64), nullable=True),
        sa.Column("hazard_reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("clear_reported_at", sa.DateTime(timezone=True), nullable=True),
        schema=S,
    )
    # the watcher's two scans: events still active (not cleared, not reported), restores to apply
    op.create_index(
        "ix_telemetry_alarm_event_active",
        "alarm_event",
        ["ts"],
        schema=S,
        postgresql_where=sa.text("cleared_at IS NULL AND hazard_reported_at IS NULL AND NOT test"),
    )
    op.create_index(
        "ix_telemetry_alarm_event_unreported_clear",
        "alarm_event",
        ["ts"],
        schema=S,
        postgresql_where=sa.text("hazard_id IS NOT NULL AND cleared_at IS NOT NULL AND clear_reported_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_table("alarm_event", schema=S)
    op.drop_table("alarm_zone", schema=S)
    op.drop_table("alarm_panel", schema=S)
