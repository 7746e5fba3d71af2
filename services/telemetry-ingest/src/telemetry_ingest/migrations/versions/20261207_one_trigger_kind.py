"""one trigger kind: the invalidation log is written by statement triggers on every install

Revision ID: t2501
Revises: t1801dl
Create Date: 2026-12-07

The history is linear now (t0101 before the analytics revisions), so t0203 sees hypertables and creates the
statement triggers with transition tables on them too. A database upgraded along the old two-headed history
may carry the per-row fallback instead (``touch_reading_row`` / ``touch_position_row`` on hypertables):
its triggers are replaced by the statement triggers and the per-row functions dropped.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "t2501"
down_revision: str | Sequence[str] | None = "t1801dl"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "telemetry"
TRIGGERS = {"reading": "touch_readings", "position": "touch_positions"}


def upgrade() -> None:
    bind = op.get_bind()
    for table, fn in TRIGGERS.items():
        per_row = bind.execute(
            sa.text(
                "SELECT 1 FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid"
                " WHERE t.tgrelid = to_regclass(:table) AND t.tgname = :name AND p.proname = :row_fn"
            ),
            {"table": f"{S}.{table}", "name": f"touch_{table}", "row_fn": f"touch_{table}_row"},
        ).first()
        if per_row is not None:
            op.execute(f"DROP TRIGGER touch_{table} ON {S}.{table}")
            op.execute(
                f"CREATE TRIGGER touch_{table} AFTER INSERT ON {S}.{table} REFERENCING NEW TABLE AS new_rows"
                f" FOR EACH STATEMENT EXECUTE FUNCTION {S}.{fn}()"
            )
    for table in TRIGGERS:
        op.execute(f"DROP FUNCTION IF EXISTS {S}.touch_{table}_row()")


def downgrade() -> None:
    """Nothing to restore: the per-row functions were a fallback the statement triggers replace."""
