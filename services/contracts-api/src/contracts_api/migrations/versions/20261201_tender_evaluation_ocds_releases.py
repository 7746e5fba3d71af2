"""tender evaluation (综合评分法 / 最低评标价法, per-expert score sheets) and the append-only OCDS release store

Revision ID: c1301
Revises: c0001
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c1301"
down_revision: str | Sequence[str] | None = "c0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "procurement", sa.Column("evaluation_method", sa.String(length=32), nullable=True), schema="contracts"
    )
    op.add_column(
        "procurement",
        sa.Column("category", sa.String(length=16), server_default="services", nullable=False),
        schema="contracts",
    )
    op.add_column(
        "procurement",
        sa.Column("scoring_scheme", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        schema="contracts",
    )
    op.alter_column("bid_score", "score", existing_type=sa.Float(), nullable=True, schema="contracts")
    op.add_column(
        "bid_score", sa.Column("components", postgresql.JSONB(astext_type=sa.Text()), nullable=True), schema="contracts"
    )
    op.add_column(
        "bid_score",
        sa.Column("compliant", sa.Boolean(), server_default=sa.text("true"), nullable=False),
        schema="contracts",
    )
    op.create_table(
        "ocds_release",
        sa.Column("seq", sa.BigInteger(), autoincrement=True, nullable=False),
        sa.Column("id", sa.String(length=120), nullable=False),
        sa.Column("ocid", sa.String(length=120), nullable=False),
        sa.Column("event", sa.String(length=64), nullable=False),
        sa.Column("date", sa.DateTime(timezone=True), nullable=False),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_ocds_release")),
        sa.UniqueConstraint("id", name=op.f("uq_ocds_release_id")),
        schema="contracts",
    )
    op.create_index(op.f("ix_contracts_ocds_release_ocid"), "ocds_release", ["ocid"], unique=False, schema="contracts")
    # Published releases are permanent (OCDS: a release is never changed once published).
    op.execute(
        "CREATE TRIGGER ocds_release_append_only BEFORE UPDATE OR DELETE ON contracts.ocds_release "
        "FOR EACH ROW EXECUTE FUNCTION contracts.refuse_change()"
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS ocds_release_append_only ON contracts.ocds_release")
    op.drop_index(op.f("ix_contracts_ocds_release_ocid"), table_name="ocds_release", schema="contracts")
    op.drop_table("ocds_release", schema="contracts")
    op.drop_column("bid_score", "compliant", schema="contracts")
    op.drop_column("bid_score", "components", schema="contracts")
    op.alter_column("bid_score", "score", existing_type=sa.Float(), nullable=False, schema="contracts")
    op.drop_column("procurement", "scoring_scheme", schema="contracts")
    op.drop_column("procurement", "category", schema="contracts")
    op.drop_column("procurement", "evaluation_method", schema="contracts")
