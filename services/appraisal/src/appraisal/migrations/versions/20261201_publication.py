"""appraisal publication: immutable, versioned snapshots of a period's ranking, scores and input fingerprints

Revision ID: a1301
Revises: a1201fb
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "a1301"
down_revision: str | Sequence[str] | None = "a1201fb"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "publication",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("published_by", sa.String(length=200), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("inputs_fingerprint", sa.String(length=64), nullable=False),
        sa.Column("ranking", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("fingerprints", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("facts", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("differences", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publication")),
        sa.UniqueConstraint("period", "version", name=op.f("uq_publication_period_version")),
        schema="appraisal",
    )
    op.create_index(
        op.f("ix_appraisal_publication_period"), "publication", ["period"], unique=False, schema="appraisal"
    )
    # A published result is permanent: a correction is a new version, never an edit.
    op.execute(
        """
        CREATE FUNCTION appraisal.publication_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% on %.% is not allowed', TG_OP, TG_TABLE_SCHEMA, TG_TABLE_NAME;
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER publication_immutable BEFORE UPDATE OR DELETE ON appraisal.publication "
        "FOR EACH ROW EXECUTE FUNCTION appraisal.publication_immutable()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS publication_immutable ON appraisal.publication")
    op.execute("DROP FUNCTION IF EXISTS appraisal.publication_immutable()")
    op.drop_index(op.f("ix_appraisal_publication_period"), table_name="publication", schema="appraisal")
    op.drop_table("publication", schema="appraisal")
