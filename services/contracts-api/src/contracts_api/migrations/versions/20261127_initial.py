"""initial: vendors, veto, projects, procurement, contracts, archive, audit log

Revision ID: c0001
Revises:
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("entity_type", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("contract_id", sa.String(length=36), nullable=True),
        sa.Column("from_status", sa.String(length=32), nullable=True),
        sa.Column("to_status", sa.String(length=32), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
        schema="contracts",
    )
    op.create_index(
        op.f("ix_contracts_audit_entry_contract_id"), "audit_entry", ["contract_id"], unique=False, schema="contracts"
    )
    op.create_index(
        op.f("ix_contracts_audit_entry_entity_id"), "audit_entry", ["entity_id"], unique=False, schema="contracts"
    )
    op.create_index(
        op.f("ix_contracts_audit_entry_entity_type"), "audit_entry", ["entity_type"], unique=False, schema="contracts"
    )
    op.create_table(
        "project",
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("funding", sa.String(length=32), nullable=False),
        sa.Column("operation", sa.String(length=32), nullable=False),
        sa.Column("service_type", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("annual_value", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_project")),
        schema="contracts",
    )
    op.create_table(
        "vendor",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("credit_code", sa.String(length=18), nullable=False),
        sa.Column("legal_status", sa.String(length=32), server_default="registered", nullable=False),
        sa.Column("legal_representative", sa.String(length=100), nullable=True),
        sa.Column("contact_name", sa.String(length=100), nullable=True),
        sa.Column("contact_phone", sa.String(length=40), nullable=True),
        sa.Column("contact_email", sa.String(length=200), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vendor")),
        sa.UniqueConstraint("credit_code", name=op.f("uq_vendor_credit_code")),
        schema="contracts",
    )
    op.create_table(
        "credit_record",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("vendor_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("occurred_date", sa.Date(), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["contracts.vendor.id"], name=op.f("fk_credit_record_vendor_id_vendor"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_record")),
        schema="contracts",
    )
    op.create_index(
        op.f("ix_contracts_credit_record_vendor_id"), "credit_record", ["vendor_id"], unique=False, schema="contracts"
    )
    op.create_table(
        "due_diligence",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("vendor_id", sa.String(length=36), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("legal_status", sa.String(length=32), nullable=False),
        sa.Column("capacity", sa.String(length=32), nullable=False),
        sa.Column("credit", sa.String(length=32), nullable=False),
        sa.Column("service_quality", sa.String(length=32), nullable=False),
        sa.Column("price", sa.String(length=32), nullable=False),
        sa.Column("verdict", sa.String(length=32), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("reviewer", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["contracts.vendor.id"], name=op.f("fk_due_diligence_vendor_id_vendor"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_due_diligence")),
        schema="contracts",
    )
    op.create_index(
        op.f("ix_contracts_due_diligence_vendor_id"), "due_diligence", ["vendor_id"], unique=False, schema="contracts"
    )
    op.create_table(
        "procurement",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("project_code", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("estimated_value", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("is_renewal", sa.Boolean(), nullable=False),
        sa.Column("predecessor_contract_id", sa.String(length=36), nullable=True),
        sa.Column("incumbent_vendor_id", sa.String(length=36), nullable=True),
        sa.Column("route", sa.String(length=32), nullable=False),
        sa.Column("reasons", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("appraisal", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("awarded_vendor_id", sa.String(length=36), nullable=True),
        sa.Column("awarded_value", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("awarded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["awarded_vendor_id"], ["contracts.vendor.id"], name=op.f("fk_procurement_awarded_vendor_id_vendor")
        ),
        sa.ForeignKeyConstraint(
            ["incumbent_vendor_id"], ["contracts.vendor.id"], name=op.f("fk_procurement_incumbent_vendor_id_vendor")
        ),
        sa.ForeignKeyConstraint(
            ["project_code"], ["contracts.project.code"], name=op.f("fk_procurement_project_code_project")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procurement")),
        schema="contracts",
    )
    op.create_index(
        op.f("ix_contracts_procurement_project_code"), "procurement", ["project_code"], unique=False, schema="contracts"
    )
    op.create_table(
        "qualification",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("vendor_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=100), nullable=False),
        sa.Column("number", sa.String(length=100), nullable=False),
        sa.Column("issuer", sa.String(length=200), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("mandatory", sa.Boolean(), server_default="true", nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["vendor_id"], ["contracts.vendor.id"], name=op.f("fk_qualification_vendor_id_vendor"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qualification")),
        schema="contracts",
    )
    op.create_index(
        op.f("ix_contracts_qualification_valid_to"), "qualification", ["valid_to"], unique=False, schema="contracts"
    )
    op.create_index(
        op.f("ix_contracts_qualification_vendor_id"), "qualification", ["vendor_id"], unique=False, schema="contracts"
    )
    op.create_table(
        "veto",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("vendor_id", sa.String(length=36), nullable=False),
        sa.Column("ground", sa.String(length=32), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("lifted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lifted_by", sa.String(length=200), nullable=True),
        sa.Column("lift_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["vendor_id"], ["contracts.vendor.id"], name=op.f("fk_veto_vendor_id_vendor")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_veto")),
        schema="contracts",
    )
    op.create_index(op.f("ix_contracts_veto_vendor_id"), "veto", ["vendor_id"], unique=False, schema="contracts")
    op.create_table(
        "bid",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("procurement_id", sa.String(length=36), nullable=False),
        sa.Column("vendor_id", sa.String(length=36), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("technical_proposal", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["procurement_id"],
            ["contracts.procurement.id"],
            name=op.f("fk_bid_procurement_id_procurement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["vendor_id"], ["contracts.vendor.id"], name=op.f("fk_bid_vendor_id_vendor")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bid")),
        sa.UniqueConstraint("procurement_id", "vendor_id", name=op.f("uq_bid_procurement_id_vendor_id")),
        schema="contracts",
    )
    op.create_index(
        op.f("ix_contracts_bid_procurement_id"), "bid", ["procurement_id"], unique=False, schema="contracts"
    )
    op.create_table(
        "contract",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("procurement_id", sa.String(length=36), nullable=True),
        sa.Column("project_code", sa.String(length=64), nullable=False),
        sa.Column("vendor_id", sa.String(length=36), nullable=False),
        sa.Column("predecessor_id", sa.String(length=36), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("value", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("route", sa.String(length=32), nullable=True),
        sa.Column("expert_review_required", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["predecessor_id"], ["contracts.contract.id"], name=op.f("fk_contract_predecessor_id_contract")
        ),
        sa.ForeignKeyConstraint(
            ["procurement_id"], ["contracts.procurement.id"], name=op.f("fk_contract_procurement_id_procurement")
        ),
        sa.ForeignKeyConstraint(
            ["project_code"], ["contracts.project.code"], name=op.f("fk_contract_project_code_project")
        ),
        sa.ForeignKeyConstraint(["vendor_id"], ["contracts.vendor.id"], name=op.f("fk_contract_vendor_id_vendor")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contract")),
        schema="contracts",
    )
    op.create_index(op.f("ix_contracts_contract_end_date"), "contract", ["end_date"], unique=False, schema="contracts")
    op.create_index(
        op.f("ix_contracts_contract_predecessor_id"), "contract", ["predecessor_id"], unique=False, schema="contracts"
    )
    op.create_index(
        op.f("ix_contracts_contract_procurement_id"), "contract", ["procurement_id"], unique=False, schema="contracts"
    )
    op.create_index(
        op.f("ix_contracts_contract_project_code"), "contract", ["project_code"], unique=False, schema="contracts"
    )
    op.create_index(op.f("ix_contracts_contract_status"), "contract", ["status"], unique=False, schema="contracts")
    op.create_index(
        op.f("ix_contracts_contract_vendor_id"), "contract", ["vendor_id"], unique=False, schema="contracts"
    )
    op.create_table(
        "quote",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("procurement_id", sa.String(length=36), nullable=False),
        sa.Column("vendor_id", sa.String(length=36), nullable=False),
        sa.Column("amount", sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["procurement_id"],
            ["contracts.procurement.id"],
            name=op.f("fk_quote_procurement_id_procurement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["vendor_id"], ["contracts.vendor.id"], name=op.f("fk_quote_vendor_id_vendor")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quote")),
        sa.UniqueConstraint("procurement_id", "vendor_id", name=op.f("uq_quote_procurement_id_vendor_id")),
        schema="contracts",
    )
    op.create_index(
        op.f("ix_contracts_quote_procurement_id"), "quote", ["procurement_id"], unique=False, schema="contracts"
    )
    op.create_table(
        "bid_score",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("bid_id", sa.String(length=36), nullable=False),
        sa.Column("reviewer", sa.String(length=200), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["bid_id"], ["contracts.bid.id"], name=op.f("fk_bid_score_bid_id_bid"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bid_score")),
        sa.UniqueConstraint("bid_id", "reviewer", name=op.f("uq_bid_score_bid_id_reviewer")),
        schema="contracts",
    )
    op.create_index(op.f("ix_contracts_bid_score_bid_id"), "bid_score", ["bid_id"], unique=False, schema="contracts")
    op.create_table(
        "document",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("contract_id", sa.String(length=36), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=200), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=500), nullable=False),
        sa.Column("uploaded_by", sa.String(length=200), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.contract.id"], name=op.f("fk_document_contract_id_contract")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document")),
        schema="contracts",
    )
    op.create_index(
        op.f("ix_contracts_document_contract_id"), "document", ["contract_id"], unique=False, schema="contracts"
    )
    op.create_table(
        "review",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("contract_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("verdict", sa.String(length=32), nullable=False),
        sa.Column("reviewer", sa.String(length=200), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["contract_id"], ["contracts.contract.id"], name=op.f("fk_review_contract_id_contract")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review")),
        schema="contracts",
    )
    op.create_index(
        op.f("ix_contracts_review_contract_id"), "review", ["contract_id"], unique=False, schema="contracts"
    )

    # The audit log is append-only and a veto is lifted, never deleted (DOMAIN.md, one-vote veto).
    op.execute(
        """
        CREATE FUNCTION contracts.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% on %.% is not allowed', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON contracts.audit_entry "
        "FOR EACH ROW EXECUTE FUNCTION contracts.refuse_change()"
    )
    op.execute(
        "CREATE TRIGGER veto_never_deleted BEFORE DELETE ON contracts.veto "
        "FOR EACH ROW EXECUTE FUNCTION contracts.refuse_change()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS veto_never_deleted ON contracts.veto")
    op.execute("DROP TRIGGER IF EXISTS audit_entry_append_only ON contracts.audit_entry")
    op.execute("DROP FUNCTION IF EXISTS contracts.refuse_change()")
    op.drop_index(op.f("ix_contracts_review_contract_id"), table_name="review", schema="contracts")
    op.drop_table("review", schema="contracts")
    op.drop_index(op.f("ix_contracts_document_contract_id"), table_name="document", schema="contracts")
    op.drop_table("document", schema="contracts")
    op.drop_index(op.f("ix_contracts_bid_score_bid_id"), table_name="bid_score", schema="contracts")
    op.drop_table("bid_score", schema="contracts")
    op.drop_index(op.f("ix_contracts_quote_procurement_id"), table_name="quote", schema="contracts")
    op.drop_table("quote", schema="contracts")
    op.drop_index(op.f("ix_contracts_contract_vendor_id"), table_name="contract", schema="contracts")
    op.drop_index(op.f("ix_contracts_contract_status"), table_name="contract", schema="contracts")
    op.drop_index(op.f("ix_contracts_contract_project_code"), table_name="contract", schema="contracts")
    op.drop_index(op.f("ix_contracts_contract_procurement_id"), table_name="contract", schema="contracts")
    op.drop_index(op.f("ix_contracts_contract_predecessor_id"), table_name="contract", schema="contracts")
    op.drop_index(op.f("ix_contracts_contract_end_date"), table_name="contract", schema="contracts")
    op.drop_table("contract", schema="contracts")
    op.drop_index(op.f("ix_contracts_bid_procurement_id"), table_name="bid", schema="contracts")
    op.drop_table("bid", schema="contracts")
    op.drop_index(op.f("ix_contracts_veto_vendor_id"), table_name="veto", schema="contracts")
    op.drop_table("veto", schema="contracts")
    op.drop_index(op.f("ix_contracts_qualification_vendor_id"), table_name="qualification", schema="contracts")
    op.drop_index(op.f("ix_contracts_qualification_valid_to"), table_name="qualification", schema="contracts")
    op.drop_table("qualification", schema="contracts")
    op.drop_index(op.f("ix_contracts_procurement_project_code"), table_name="procurement", schema="contracts")
    op.drop_table("procurement", schema="contracts")
    op.drop_index(op.f("ix_contracts_due_diligence_vendor_id"), table_name="due_diligence", schema="contracts")
    op.drop_table("due_diligence", schema="contracts")
    op.drop_index(op.f("ix_contracts_credit_record_vendor_id"), table_name="credit_record", schema="contracts")
    op.drop_table("credit_record", schema="contracts")
    op.drop_table("vendor", schema="contracts")
    op.drop_table("project", schema="contracts")
    op.drop_index(op.f("ix_contracts_audit_entry_entity_type"), table_name="audit_entry", schema="contracts")
    op.drop_index(op.f("ix_contracts_audit_entry_entity_id"), table_name="audit_entry", schema="contracts")
    op.drop_index(op.f("ix_contracts_audit_entry_contract_id"), table_name="audit_entry", schema="contracts")
    op.drop_table("audit_entry", schema="contracts")
