"""initial: the appraisal schema (created by env.py) and its version table

Revision ID: a0001
Revises:
Create Date: 2026-11-27
"""

from collections.abc import Sequence

revision: str = "a0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
