"""hazard register (隐患台账) and conference centre (会议中心): hazards, their alarms, rooms and bookings

Revision ID: a2601
Revises: a2201
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "a2601"
down_revision: str | Sequence[str] | None = "a2201"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "appraisal"


def _ts(name: str, nullable: bool = True) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    # the exclusion constraint compares room ids (text) with = inside a GiST index
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    op.create_table(
        "hazard",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("category", sa.String(16), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("building", sa.String(100), nullable=False),
        sa.Column("floor", sa.String(20), nullable=True),
        sa.Column("room", sa.String(50), nullable=True),
        sa.Column("vendor_id", sa.String(64), nullable=False),
        sa.Column("project_code", sa.String(64), nullable=True),
        sa.Column("contract_id", sa.String(64), nullable=True),
        sa.Column("panel_id", sa.String(64), nullable=True),
        sa.Column("zone", sa.String(64), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        _ts("found_at", False),
        _ts("response_due_at", False),
        _ts("removal_due_at", False),
        _ts("assigned_at"),
        _ts("rectifying_at"),
        _ts("removed_at"),
        _ts("verified_at"),
        sa.Column("reported_by", sa.String(200), nullable=False),
        sa.Column("attachments", postgresql.JSONB(), nullable=False, server_default="[]"),
        sa.Column("history", postgresql.JSONB(), nullable=False, server_default="[]"),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        schema=S,
    )
    for col in ("category", "vendor_id", "panel_id", "status", "found_at", "removal_due_at"):
        op.create_index(f"ix_appraisal_hazard_{col}", "hazard", [col], schema=S)
    op.create_table(
        "hazard_alarm",
        sa.Column("alarm_id", sa.String(64), primary_key=True),
        sa.Column(
            "hazard_id", sa.String(), sa.ForeignKey(f"{S}.hazard.id", ondelete="CASCADE"), nullable=False, index=True
        ),
        sa.Column("panel_id", sa.String(64), nullable=False),
        sa.Column("zone", sa.String(64), nullable=False),
        sa.Column("event_type", sa.String(20), nullable=False),
        _ts("occurred_at", False),
        _ts("cleared_at"),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        schema=S,
    )
    op.create_table(
        "conference_room",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("building", sa.String(100), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("equipment", postgresql.JSONB(), nullable=False, server_default="[]"),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        schema=S,
    )
    op.create_table(
        "booking",
        sa.Column("id", sa.String(), primary_key=True),
        sa.Column(
            "room_id",
            sa.String(),
            sa.ForeignKey(f"{S}.conference_room.id", ondelete="RESTRICT"),
            nullable=False,
            index=True,
        ),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("department", sa.String(100), nullable=False, index=True),
        sa.Column("organiser", sa.String(200), nullable=False),
        _ts("starts_at", False),
        _ts("ends_at", False),
        sa.Column("during", postgresql.TSTZRANGE(), sa.Computed("tstzrange(starts_at, ends_at, '[)')", persisted=True)),
        sa.Column("attendees", sa.Integer(), nullable=False),
        sa.Column("services", postgresql.JSONB(), nullable=False, server_default="[]"),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        _ts("cancelled_at"),
        sa.Column("service_record", postgresql.JSONB(), nullable=True),
        sa.Column("service_vendor_id", sa.String(64), nullable=True, index=True),
        sa.Column("feedback_grade", sa.String(16), nullable=True),
        sa.Column("feedback_comment", sa.Text(), nullable=True),
        _ts("feedback_at"),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint("ends_at > starts_at", name="booking_ends_after_start"),
        postgresql.ExcludeConstraint(
            (sa.column("room_id"), "="),
            (sa.column("during"), "&&"),
            name="booking_no_overlap",
            using="gist",
            where=sa.text("status <> 'cancelled'"),
        ),
        schema=S,
    )
    op.create_index("ix_appraisal_booking_starts_at", "booking", ["starts_at"], schema=S)


def downgrade() -> None:
    op.drop_table("booking", schema=S)
    op.drop_table("conference_room", schema=S)
    op.drop_table("hazard_alarm", schema=S)
    op.drop_table("hazard", schema=S)
