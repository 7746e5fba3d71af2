"""dead letters keep a machine-readable code and their reason as msgids + parameters

Revision ID: t1801dl
Revises: t0203
Create Date: 2026-12-02

The consumer that writes a dead letter has no reader, so the stored English ``reason`` read in English
for everybody. ``reason_parts`` keeps the reason as msgids and parameters, rendered in the reader's
language when listed; ``code`` is the rejection kind (the metric label), for filtering. Older rows keep
their English text and the code ``NULL``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "t1801dl"
down_revision: str | Sequence[str] | None = "t0203"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "telemetry"


def upgrade() -> None:
    op.add_column("dead_letter", sa.Column("code", sa.String(32), nullable=True), schema=S)
    op.add_column("dead_letter", sa.Column("reason_parts", JSONB(), nullable=True), schema=S)
    op.create_index("ix_dead_letter_code", "dead_letter", ["code"], schema=S)


def downgrade() -> None:
    op.drop_index("ix_dead_letter_code", "dead_letter", schema=S)
    op.drop_column("dead_letter", "reason_parts", schema=S)
    op.drop_column("dead_letter", "code", schema=S)
