"""appraisal publication: a publication that overrode its checks records the justification and the reasons

Revision ID: a2201
Revises: a1301
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "a2201"
down_revision: str | Sequence[str] | None = "a1301"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("publication", sa.Column("override_justification", sa.Text(), nullable=True), schema="appraisal")
    op.add_column(
        "publication",
        sa.Column("override_reasons", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        schema="appraisal",
    )


def downgrade() -> None:
    op.drop_column("publication", "override_reasons", schema="appraisal")
    op.drop_column("publication", "override_justification", schema="appraisal")
