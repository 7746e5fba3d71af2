"""appraisal domain: service items, templates, campaigns, anonymous responses, inspections,
findings and rectification orders, complaints, awards

Revision ID: a0002
Revises: a0001
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "a0002"
down_revision: str | Sequence[str] | None = "a0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assignment",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("vendor_id", sa.String(length=64), nullable=False),
        sa.Column("project_code", sa.String(length=64), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment")),
        sa.UniqueConstraint(
            "vendor_id", "project_code", "start_date", name=op.f("uq_assignment_vendor_id_project_code_start_date")
        ),
        schema="appraisal",
    )
    op.create_index(
        op.f("ix_appraisal_assignment_project_code"), "assignment", ["project_code"], unique=False, schema="appraisal"
    )
    op.create_index(
        op.f("ix_appraisal_assignment_vendor_id"), "assignment", ["vendor_id"], unique=False, schema="appraisal"
    )
    op.create_table(
        "award_decision",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.String(length=64), nullable=False),
        sa.Column("award", sa.String(length=32), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("total", sa.Double(), nullable=True),
        sa.Column("provisional", sa.Boolean(), nullable=False),
        sa.Column("reasons", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("head_count", sa.Integer(), nullable=True),
        sa.Column("base_bonus", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("uplift", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("detail", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_award_decision")),
        sa.UniqueConstraint("year", "vendor_id", name=op.f("uq_award_decision_year_vendor_id")),
        schema="appraisal",
    )
    op.create_index(
        op.f("ix_appraisal_award_decision_year"), "award_decision", ["year"], unique=False, schema="appraisal"
    )
    op.create_table(
        "checklist_template",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("project_code", sa.String(length=64), nullable=True),
        sa.Column("frequency", sa.String(length=16), nullable=False),
        sa.Column("items", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checklist_template")),
        schema="appraisal",
    )
    op.create_table(
        "complaint",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("vendor_id", sa.String(length=64), nullable=True),
        sa.Column("project_code", sa.String(length=64), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("filed_by", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_response_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("substantiated", sa.Boolean(), nullable=True),
        sa.Column("resolution", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaint")),
        schema="appraisal",
    )
    op.create_index(
        op.f("ix_appraisal_complaint_category"), "complaint", ["category"], unique=False, schema="appraisal"
    )
    op.create_index(
        op.f("ix_appraisal_complaint_filed_at"), "complaint", ["filed_at"], unique=False, schema="appraisal"
    )
    op.create_index(op.f("ix_appraisal_complaint_status"), "complaint", ["status"], unique=False, schema="appraisal")
    op.create_index(
        op.f("ix_appraisal_complaint_vendor_id"), "complaint", ["vendor_id"], unique=False, schema="appraisal"
    )
    op.create_table(
        "finding",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("vendor_id", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("source_ref", sa.String(length=64), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("found_on", sa.Date(), nullable=False),
        sa.Column("reported_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_finding")),
        schema="appraisal",
    )
    op.create_index(op.f("ix_appraisal_finding_vendor_id"), "finding", ["vendor_id"], unique=False, schema="appraisal")
    op.create_table(
        "food_safety_inspection",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("vendor_id", sa.String(length=64), nullable=False),
        sa.Column("agency", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("announced", sa.Boolean(), nullable=False),
        sa.Column("inspected_on", sa.Date(), nullable=False),
        sa.Column("inspector", sa.String(length=200), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("violations", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("worst_severity", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_food_safety_inspection")),
        schema="appraisal",
    )
    op.create_index(
        op.f("ix_appraisal_food_safety_inspection_inspected_on"),
        "food_safety_inspection",
        ["inspected_on"],
        unique=False,
        schema="appraisal",
    )
    op.create_index(
        op.f("ix_appraisal_food_safety_inspection_vendor_id"),
        "food_safety_inspection",
        ["vendor_id"],
        unique=False,
        schema="appraisal",
    )
    op.create_table(
        "routine_inspection",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("vendor_id", sa.String(length=64), nullable=False),
        sa.Column("template_id", sa.String(length=36), nullable=False),
        sa.Column("frequency", sa.String(length=16), nullable=False),
        sa.Column("inspected_on", sa.Date(), nullable=False),
        sa.Column("inspector", sa.String(length=200), nullable=False),
        sa.Column("results", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_routine_inspection")),
        schema="appraisal",
    )
    op.create_index(
        op.f("ix_appraisal_routine_inspection_inspected_on"),
        "routine_inspection",
        ["inspected_on"],
        unique=False,
        schema="appraisal",
    )
    op.create_index(
        op.f("ix_appraisal_routine_inspection_vendor_id"),
        "routine_inspection",
        ["vendor_id"],
        unique=False,
        schema="appraisal",
    )
    op.create_table(
        "service_item",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("project_code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_item")),
        sa.UniqueConstraint("code", name=op.f("uq_service_item_code")),
        schema="appraisal",
    )
    op.create_index(
        op.f("ix_appraisal_service_item_project_code"),
        "service_item",
        ["project_code"],
        unique=False,
        schema="appraisal",
    )
    op.create_table(
        "service_star",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.String(length=64), nullable=False),
        sa.Column("person_name", sa.String(length=120), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("nominated_by", sa.String(length=200), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_star")),
        schema="appraisal",
    )
    op.create_index(
        op.f("ix_appraisal_service_star_vendor_id"), "service_star", ["vendor_id"], unique=False, schema="appraisal"
    )
    op.create_index(op.f("ix_appraisal_service_star_year"), "service_star", ["year"], unique=False, schema="appraisal")
    op.create_table(
        "survey_template",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_template")),
        sa.UniqueConstraint("name", "version", name=op.f("uq_survey_template_name_version")),
        schema="appraisal",
    )
    op.create_table(
        "campaign",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("template_id", sa.String(), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expected_staff", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["template_id"], ["appraisal.survey_template.id"], name=op.f("fk_campaign_template_id_survey_template")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign")),
        schema="appraisal",
    )
    op.create_index(op.f("ix_appraisal_campaign_period"), "campaign", ["period"], unique=False, schema="appraisal")
    op.create_table(
        "rectification_order",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("finding_id", sa.String(), nullable=False),
        sa.Column("vendor_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=True),
        sa.Column("verified_on", sa.Date(), nullable=True),
        sa.Column("history", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["finding_id"],
            ["appraisal.finding.id"],
            name=op.f("fk_rectification_order_finding_id_finding"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification_order")),
        sa.UniqueConstraint("finding_id", name=op.f("uq_rectification_order_finding_id")),
        schema="appraisal",
    )
    op.create_index(
        op.f("ix_appraisal_rectification_order_deadline"),
        "rectification_order",
        ["deadline"],
        unique=False,
        schema="appraisal",
    )
    op.create_index(
        op.f("ix_appraisal_rectification_order_status"),
        "rectification_order",
        ["status"],
        unique=False,
        schema="appraisal",
    )
    op.create_index(
        op.f("ix_appraisal_rectification_order_vendor_id"),
        "rectification_order",
        ["vendor_id"],
        unique=False,
        schema="appraisal",
    )
    op.create_table(
        "template_item",
        sa.Column("template_id", sa.String(), nullable=False),
        sa.Column("item_id", sa.String(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["appraisal.service_item.id"], name=op.f("fk_template_item_item_id_service_item")
        ),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["appraisal.survey_template.id"],
            name=op.f("fk_template_item_template_id_survey_template"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("template_id", "item_id", name=op.f("pk_template_item")),
        schema="appraisal",
    )
    op.create_table(
        "consumed_token",
        sa.Column("campaign_id", sa.String(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["appraisal.campaign.id"],
            name=op.f("fk_consumed_token_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("campaign_id", "token_hash", name=op.f("pk_consumed_token")),
        schema="appraisal",
    )
    op.create_table(
        "evidence",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("order_id", sa.String(), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=120), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["appraisal.rectification_order.id"],
            name=op.f("fk_evidence_order_id_rectification_order"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence")),
        schema="appraisal",
    )
    op.create_index(op.f("ix_appraisal_evidence_order_id"), "evidence", ["order_id"], unique=False, schema="appraisal")
    op.create_table(
        "invitation",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("campaign_id", sa.String(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("department", sa.String(length=120), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["appraisal.campaign.id"],
            name=op.f("fk_invitation_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitation_token_hash")),
        schema="appraisal",
    )
    op.create_index(
        op.f("ix_appraisal_invitation_campaign_id"), "invitation", ["campaign_id"], unique=False, schema="appraisal"
    )
    op.create_table(
        "response",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("campaign_id", sa.String(), nullable=False),
        sa.Column("department", sa.String(length=120), nullable=True),
        sa.Column("overall_opinion", sa.Text(), nullable=True),
        sa.Column("suggestions", sa.Text(), nullable=True),
        sa.Column("extra", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["appraisal.campaign.id"],
            name=op.f("fk_response_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response")),
        schema="appraisal",
    )
    op.create_index(
        op.f("ix_appraisal_response_campaign_id"), "response", ["campaign_id"], unique=False, schema="appraisal"
    )
    op.create_table(
        "answer",
        sa.Column("response_id", sa.String(), nullable=False),
        sa.Column("item_id", sa.String(), nullable=False),
        sa.Column("grade", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["appraisal.service_item.id"], name=op.f("fk_answer_item_id_service_item")
        ),
        sa.ForeignKeyConstraint(
            ["response_id"], ["appraisal.response.id"], name=op.f("fk_answer_response_id_response"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("response_id", "item_id", name=op.f("pk_answer")),
        schema="appraisal",
    )


def downgrade() -> None:
    op.drop_table("answer", schema="appraisal")
    op.drop_index(op.f("ix_appraisal_response_campaign_id"), table_name="response", schema="appraisal")
    op.drop_table("response", schema="appraisal")
    op.drop_index(op.f("ix_appraisal_invitation_campaign_id"), table_name="invitation", schema="appraisal")
    op.drop_table("invitation", schema="appraisal")
    op.drop_index(op.f("ix_appraisal_evidence_order_id"), table_name="evidence", schema="appraisal")
    op.drop_table("evidence", schema="appraisal")
    op.drop_table("consumed_token", schema="appraisal")
    op.drop_table("template_item", schema="appraisal")
    op.drop_index(
        op.f("ix_appraisal_rectification_order_vendor_id"), table_name="rectification_order", schema="appraisal"
    )
    op.drop_index(op.f("ix_appraisal_rectification_order_status"), table_name="rectification_order", schema="appraisal")
    op.drop_index(
        op.f("ix_appraisal_rectification_order_deadline"), table_name="rectification_order", schema="appraisal"
    )
    op.drop_table("rectification_order", schema="appraisal")
    op.drop_index(op.f("ix_appraisal_campaign_period"), table_name="campaign", schema="appraisal")
    op.drop_table("campaign", schema="appraisal")
    op.drop_table("survey_template", schema="appraisal")
    op.drop_index(op.f("ix_appraisal_service_star_year"), table_name="service_star", schema="appraisal")
    op.drop_index(op.f("ix_appraisal_service_star_vendor_id"), table_name="service_star", schema="appraisal")
    op.drop_table("service_star", schema="appraisal")
    op.drop_index(op.f("ix_appraisal_service_item_project_code"), table_name="service_item", schema="appraisal")
    op.drop_table("service_item", schema="appraisal")
    op.drop_index(
        op.f("ix_appraisal_routine_inspection_vendor_id"), table_name="routine_inspection", schema="appraisal"
    )
    op.drop_index(
        op.f("ix_appraisal_routine_inspection_inspected_on"), table_name="routine_inspection", schema="appraisal"
    )
    op.drop_table("routine_inspection", schema="appraisal")
    op.drop_index(
        op.f("ix_appraisal_food_safety_inspection_vendor_id"), table_name="food_safety_inspection", schema="appraisal"
    )
    op.drop_index(
        op.f("ix_appraisal_food_safety_inspection_inspected_on"),
        table_name="food_safety_inspection",
        schema="appraisal",
    )
    op.drop_table("food_safety_inspection", schema="appraisal")
    op.drop_index(op.f("ix_appraisal_finding_vendor_id"), table_name="finding", schema="appraisal")
    op.drop_table("finding", schema="appraisal")
    op.drop_index(op.f("ix_appraisal_complaint_vendor_id"), table_name="complaint", schema="appraisal")
    op.drop_index(op.f("ix_appraisal_complaint_status"), table_name="complaint", schema="appraisal")
    op.drop_index(op.f("ix_appraisal_complaint_filed_at"), table_name="complaint", schema="appraisal")
    op.drop_index(op.f("ix_appraisal_complaint_category"), table_name="complaint", schema="appraisal")
    op.drop_table("complaint", schema="appraisal")
    op.drop_table("checklist_template", schema="appraisal")
    op.drop_index(op.f("ix_appraisal_award_decision_year"), table_name="award_decision", schema="appraisal")
    op.drop_table("award_decision", schema="appraisal")
    op.drop_index(op.f("ix_appraisal_assignment_vendor_id"), table_name="assignment", schema="appraisal")
    op.drop_index(op.f("ix_appraisal_assignment_project_code"), table_name="assignment", schema="appraisal")
    op.drop_table("assignment", schema="appraisal")
