"""the invalidation triggers run without JIT

The statement triggers that fill ``touched_range`` are planned generically: PostgreSQL estimates 1,000
rows for each ``generate_series`` of hours, so a batch of a few hundred readings costs ~200,000 and passes
``jit_above_cost`` (100,000; above 500,000 also inlining and optimisation). JIT compilation then took
30-800 ms per batch for a query that runs in 2 ms, every batch of the ingest paying it (the pipeline's live
publish-to-commit p50 was 0.6-1.2 s against 0.16 s for a writer inserting row by row, whose one-row
statements stay under the threshold). ``SET jit = off`` on the functions scopes it to these triggers.

Revision ID: t2602
Revises: t2601
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "t2602"
down_revision: str | Sequence[str] | None = "t2601"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FUNCTIONS = ("telemetry.touch_readings()", "telemetry.touch_positions()")


def upgrade() -> None:
    for fn in FUNCTIONS:
        op.execute(f"ALTER FUNCTION {fn} SET jit = off")


def downgrade() -> None:
    for fn in FUNCTIONS:
        op.execute(f"ALTER FUNCTION {fn} RESET jit")
