"""public feedback: an optional contact on complaints (visitors and companies may leave one)

Revision ID: a1201fb
Revises: a0002
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a1201fb"
down_revision: str | Sequence[str] | None = "a0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("complaint", sa.Column("contact", sa.String(200), nullable=True), schema="appraisal")
    op.create_index(
        "ix_appraisal_complaint_filed_by_filed_at", "complaint", ["filed_by", "filed_at"], schema="appraisal"
    )


def downgrade() -> None:
    op.drop_index("ix_appraisal_complaint_filed_by_filed_at", table_name="complaint", schema="appraisal")
    op.drop_column("complaint", "contact", schema="appraisal")
