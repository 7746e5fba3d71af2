"""the history of each vendor's legal-person status, kept by a trigger

Revision ID: c1801
Revises: c1301
Create Date: 2026-12-02

Eligibility on a past day (``as_of``: a decision about a past period) must judge the legal status the
vendor had then, not today's. Every insert of a vendor and every change of its ``legal_status`` (API,
import, due diligence, seed) appends a row here through a trigger, so no write path can forget it. Vendors
that exist before this revision get their current status as of their creation: the history before this
revision was not kept.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c1801"
down_revision: str | Sequence[str] | None = "c1301"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "contracts"


def upgrade() -> None:
    op.create_table(
        "vendor_legal_status",
        sa.Column("id", sa.BigInteger(), sa.Identity(), primary_key=True),
        sa.Column("vendor_id", sa.String(36), sa.ForeignKey(f"{S}.vendor.id", ondelete="CASCADE"), nullable=False),
        sa.Column("legal_status", sa.String(32), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        schema=S,
    )
    op.create_index(
        "ix_vendor_legal_status_vendor_recorded", "vendor_legal_status", ["vendor_id", "recorded_at"], schema=S
    )
    op.execute(
        f"""
        CREATE FUNCTION {S}.record_legal_status() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' OR NEW.legal_status IS DISTINCT FROM OLD.legal_status THEN
                INSERT INTO {S}.vendor_legal_status (vendor_id, legal_status) VALUES (NEW.id, NEW.legal_status);
            END IF;
            RETURN NULL;
        END $$
        """
    )
    op.execute(
        f"CREATE TRIGGER vendor_legal_status_history AFTER INSERT OR UPDATE OF legal_status ON {S}.vendor "
        f"FOR EACH ROW EXECUTE FUNCTION {S}.record_legal_status()"
    )
    op.execute(
        f"INSERT INTO {S}.vendor_legal_status (vendor_id, legal_status, recorded_at) "
        f"SELECT id, legal_status, created_at FROM {S}.vendor"
    )
    op.execute(
        f"CREATE TRIGGER vendor_legal_status_append_only BEFORE UPDATE OR DELETE ON {S}.vendor_legal_status "
        f"FOR EACH ROW WHEN (pg_trigger_depth() = 0) EXECUTE FUNCTION {S}.refuse_change()"
    )


def downgrade() -> None:
    op.execute(f"DROP TRIGGER vendor_legal_status_history ON {S}.vendor")
    op.execute(f"DROP FUNCTION {S}.record_legal_status()")
    op.drop_table("vendor_legal_status", schema=S)
