"""contracts: a contract activated before its start date records why (early start)

Revision ID: c2201
Revises: c1801
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c2201"
down_revision: str | Sequence[str] | None = "c1801"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "contracts"


def upgrade() -> None:
    op.add_column("contract", sa.Column("early_start_justification", sa.Text(), nullable=True), schema=S)


def downgrade() -> None:
    op.drop_column("contract", "early_start_justification", schema=S)
