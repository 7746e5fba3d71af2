"""appraisal issue 27: canteen purchases, covers and versioned settlements; regulations, guidance plans and
visits, trainings and attendance; invited-service calendar, sessions and ratings; the savings ledger

Revision ID: a2701
Revises: a2601
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "a2701"
down_revision: str | Sequence[str] | None = "a2601"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "regulation",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("effective_date", sa.Date(), nullable=True),
        sa.Column("archive_document_id", sa.String(length=64), nullable=True),
        sa.Column("projects", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_regulation")),
        sa.UniqueConstraint("number", "version", name=op.f("uq_regulation_number_version")),
        schema="appraisal",
    )
    op.create_index(op.f("ix_appraisal_regulation_number"), "regulation", ["number"], unique=False, schema="appraisal")
    op.create_table(
        "canteen_purchase",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("canteen", sa.String(length=64), nullable=False),
        sa.Column("supplier", sa.String(length=200), nullable=False),
        sa.Column("item", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=14, scale=3), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("amount", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("purchased_on", sa.Date(), nullable=False),
        sa.Column("accepted", sa.Boolean(), nullable=False),
        sa.Column("checks", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("rejection_reason", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canteen_purchase")),
        schema="appraisal",
    )
    op.create_index(
        op.f("ix_appraisal_canteen_purchase_canteen"), "canteen_purchase", ["canteen"], unique=False, schema="appraisal"
    )
    op.create_index(
        op.f("ix_appraisal_canteen_purchase_item"), "canteen_purchase", ["item"], unique=False, schema="appraisal"
    )
    op.create_index(
        op.f("ix_appraisal_canteen_purchase_purchased_on"),
        "canteen_purchase",
        ["purchased_on"],
        unique=False,
        schema="appraisal",
    )
    op.create_table(
        "canteen_covers",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("canteen", sa.String(length=64), nullable=False),
        sa.Column("served_on", sa.Date(), nullable=False),
        sa.Column("meal", sa.String(length=16), nullable=False),
        sa.Column("tier", sa.String(length=32), nullable=False),
        sa.Column("covers", sa.Integer(), nullable=False),
        sa.Column("takings", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canteen_covers")),
        sa.UniqueConstraint(
            "canteen", "served_on", "meal", "tier", name=op.f("uq_canteen_covers_canteen_served_on_meal_tier")
        ),
        schema="appraisal",
    )
    op.create_index(
        op.f("ix_appraisal_canteen_covers_canteen"), "canteen_covers", ["canteen"], unique=False, schema="appraisal"
    )
    op.create_index(
        op.f("ix_appraisal_canteen_covers_served_on"), "canteen_covers", ["served_on"], unique=False, schema="appraisal"
    )
    op.create_table(
        "canteen_settlement",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("canteen", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("catering_vendor_id", sa.String(length=64), nullable=True),
        sa.Column("catering_fee", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("fee_source", sa.Text(), nullable=False),
        sa.Column("ingredient_cost", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("takings", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("covers", sa.Integer(), nullable=False),
        sa.Column("surplus", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("figures", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("corrects_version", sa.Integer(), nullable=True),
        sa.Column("correction_reason", sa.Text(), nullable=True),
        sa.Column("prepared_by", sa.String(length=200), nullable=False),
        sa.Column("signed_off_by", sa.String(length=200), nullable=True),
        sa.Column("signed_off_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canteen_settlement")),
        sa.UniqueConstraint("canteen", "month", "version", name=op.f("uq_canteen_settlement_canteen_month_version")),
        schema="appraisal",
    )
    op.create_index(
        op.f("ix_appraisal_canteen_settlement_canteen"),
        "canteen_settlement",
        ["canteen"],
        unique=False,
        schema="appraisal",
    )
    op.create_index(
        op.f("ix_appraisal_canteen_settlement_catering_vendor_id"),
        "canteen_settlement",
        ["catering_vendor_id"],
        unique=False,
        schema="appraisal",
    )
    op.create_index(
        op.f("ix_appraisal_canteen_settlement_month"), "canteen_settlement", ["month"], unique=False, schema="appraisal"
    )
    op.create_table(
        "guidance_plan",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("project_code", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.String(length=64), nullable=False),
        sa.Column("planned_visits", sa.Integer(), nullable=False),
        sa.Column("focus", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guidance_plan")),
        sa.UniqueConstraint("project_code", "year", name=op.f("uq_guidance_plan_project_code_year")),
        schema="appraisal",
    )
    op.create_index(
        op.f("ix_appraisal_guidance_plan_project_code"),
        "guidance_plan",
        ["project_code"],
        unique=False,
        schema="appraisal",
    )
    op.create_index(
        op.f("ix_appraisal_guidance_plan_vendor_id"), "guidance_plan", ["vendor_id"], unique=False, schema="appraisal"
    )
    op.create_index(
        op.f("ix_appraisal_guidance_plan_year"), "guidance_plan", ["year"], unique=False, schema="appraisal"
    )
    op.create_table(
        "guidance_visit",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("plan_id", sa.String(), nullable=False),
        sa.Column("vendor_id", sa.String(length=64), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("participants", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("finding_ids", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["appraisal.guidance_plan.id"],
            name=op.f("fk_guidance_visit_plan_id_guidance_plan"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guidance_visit")),
        schema="appraisal",
    )
    op.create_index(
        op.f("ix_appraisal_guidance_visit_plan_id"), "guidance_visit", ["plan_id"], unique=False, schema="appraisal"
    )
    op.create_index(
        op.f("ix_appraisal_guidance_visit_vendor_id"), "guidance_visit", ["vendor_id"], unique=False, schema="appraisal"
    )
    op.create_table(
        "training",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("topic", sa.String(length=300), nullable=False),
        sa.Column("regulation_id", sa.String(), nullable=True),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["regulation_id"],
            ["appraisal.regulation.id"],
            name=op.f("fk_training_regulation_id_regulation"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training")),
        schema="appraisal",
    )
    op.create_index(op.f("ix_appraisal_training_held_on"), "training", ["held_on"], unique=False, schema="appraisal")
    op.create_index(
        op.f("ix_appraisal_training_regulation_id"), "training", ["regulation_id"], unique=False, schema="appraisal"
    )
    op.create_table(
        "training_attendance",
        sa.Column("training_id", sa.String(), nullable=False),
        sa.Column("vendor_id", sa.String(length=64), nullable=False),
        sa.Column("attended", sa.Boolean(), nullable=True),
        sa.Column("attendees", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["training_id"],
            ["appraisal.training.id"],
            name=op.f("fk_training_attendance_training_id_training"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("training_id", "vendor_id", name=op.f("pk_training_attendance")),
        schema="appraisal",
    )
    op.create_index(
        op.f("ix_appraisal_training_attendance_vendor_id"),
        "training_attendance",
        ["vendor_id"],
        unique=False,
        schema="appraisal",
    )
    op.create_table(
        "invited_provider",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("vendor_id", sa.String(length=64), nullable=True),
        sa.Column("contact", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invited_provider")),
        sa.UniqueConstraint("name", name=op.f("uq_invited_provider_name")),
        schema="appraisal",
    )
    op.create_table(
        "invited_schedule",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("provider_id", sa.String(), nullable=False),
        sa.Column("service", sa.String(length=200), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("recurrence", sa.String(length=16), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=True),
        sa.Column("day_of_month", sa.Integer(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("start_time", sa.Time(), nullable=False),
        sa.Column("end_time", sa.Time(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["appraisal.invited_provider.id"],
            name=op.f("fk_invited_schedule_provider_id_invited_provider"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invited_schedule")),
        schema="appraisal",
    )
    op.create_index(
        op.f("ix_appraisal_invited_schedule_provider_id"),
        "invited_schedule",
        ["provider_id"],
        unique=False,
        schema="appraisal",
    )
    op.create_table(
        "invited_session",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("schedule_id", sa.String(), nullable=False),
        sa.Column("provider_id", sa.String(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["provider_id"],
            ["appraisal.invited_provider.id"],
            name=op.f("fk_invited_session_provider_id_invited_provider"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["schedule_id"],
            ["appraisal.invited_schedule.id"],
            name=op.f("fk_invited_session_schedule_id_invited_schedule"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invited_session")),
        sa.UniqueConstraint("schedule_id", "held_on", name=op.f("uq_invited_session_schedule_id_held_on")),
        schema="appraisal",
    )
    op.create_index(
        op.f("ix_appraisal_invited_session_held_on"), "invited_session", ["held_on"], unique=False, schema="appraisal"
    )
    op.create_index(
        op.f("ix_appraisal_invited_session_provider_id"),
        "invited_session",
        ["provider_id"],
        unique=False,
        schema="appraisal",
    )
    op.create_index(
        op.f("ix_appraisal_invited_session_schedule_id"),
        "invited_session",
        ["schedule_id"],
        unique=False,
        schema="appraisal",
    )
    op.create_table(
        "invited_rating",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("session_id", sa.String(), nullable=False),
        sa.Column("rater", sa.String(length=200), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["appraisal.invited_session.id"],
            name=op.f("fk_invited_rating_session_id_invited_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invited_rating")),
        sa.UniqueConstraint("session_id", "rater", name=op.f("uq_invited_rating_session_id_rater")),
        schema="appraisal",
    )
    op.create_index(
        op.f("ix_appraisal_invited_rating_session_id"),
        "invited_rating",
        ["session_id"],
        unique=False,
        schema="appraisal",
    )
    op.create_table(
        "project_saving",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("project_code", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("posts", sa.Integer(), nullable=True),
        sa.Column("wage_per_post", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("office_figure", sa.Numeric(precision=16, scale=2), nullable=True),
        sa.Column("office_figure_source", sa.Text(), nullable=True),
        sa.Column("contract_cost", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("contract_cost_source", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_saving")),
        sa.UniqueConstraint("project_code", "year", name=op.f("uq_project_saving_project_code_year")),
        schema="appraisal",
    )
    op.create_index(
        op.f("ix_appraisal_project_saving_project_code"),
        "project_saving",
        ["project_code"],
        unique=False,
        schema="appraisal",
    )
    op.create_index(
        op.f("ix_appraisal_project_saving_year"), "project_saving", ["year"], unique=False, schema="appraisal"
    )
    op.create_table(
        "platform_saving",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("avoided_cost", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_platform_saving")),
        sa.UniqueConstraint("platform", "year", name=op.f("uq_platform_saving_platform_year")),
        schema="appraisal",
    )
    op.create_index(
        op.f("ix_appraisal_platform_saving_year"), "platform_saving", ["year"], unique=False, schema="appraisal"
    )
    # A signed-off settlement is the month's account: a correction is a new version, never an edit.
    op.execute(
        """
        CREATE FUNCTION appraisal.canteen_settlement_locked() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF OLD.status = 'signed_off' THEN
                RAISE EXCEPTION '% of a signed-off settlement is not allowed', TG_OP;
            END IF;
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            RETURN NEW;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER canteen_settlement_locked BEFORE UPDATE OR DELETE ON appraisal.canteen_settlement "
        "FOR EACH ROW EXECUTE FUNCTION appraisal.canteen_settlement_locked()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS canteen_settlement_locked ON appraisal.canteen_settlement")
    op.execute("DROP FUNCTION IF EXISTS appraisal.canteen_settlement_locked()")
    op.drop_table("platform_saving", schema="appraisal")
    op.drop_table("project_saving", schema="appraisal")
    op.drop_table("invited_rating", schema="appraisal")
    op.drop_table("invited_session", schema="appraisal")
    op.drop_table("invited_schedule", schema="appraisal")
    op.drop_table("invited_provider", schema="appraisal")
    op.drop_table("training_attendance", schema="appraisal")
    op.drop_table("training", schema="appraisal")
    op.drop_table("guidance_visit", schema="appraisal")
    op.drop_table("guidance_plan", schema="appraisal")
    op.drop_table("canteen_settlement", schema="appraisal")
    op.drop_table("canteen_covers", schema="appraisal")
    op.drop_table("canteen_purchase", schema="appraisal")
    op.drop_table("regulation", schema="appraisal")
