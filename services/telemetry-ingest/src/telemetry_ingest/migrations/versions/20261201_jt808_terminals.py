"""jt808: terminal phone number of a vehicle, per-terminal connection state of the JT/T 808 gateway

Revision ID: t1501
Revises: t0202
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "t1501"
down_revision: str | Sequence[str] | None = "t0202"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "telemetry"


def upgrade() -> None:
    op.add_column("vehicle", sa.Column("terminal_phone", sa.String(20)), schema=S)
    op.create_unique_constraint("uq_vehicle_terminal_phone", "vehicle", ["terminal_phone"], schema=S)
    op.create_table(
        "terminal_connection",
        sa.Column(
            "vehicle_id",
            sa.String(64),
            sa.ForeignKey(f"{S}.vehicle.id", ondelete="CASCADE", name="fk_terminal_connection_vehicle_id_vehicle"),
            primary_key=True,
        ),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("protocol", sa.String(16), nullable=False),
        sa.Column("auth_code", sa.String(64)),
        sa.Column("connected", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("remote", sa.String(64)),
        sa.Column("registered_at", sa.DateTime(timezone=True)),
        sa.Column("connected_at", sa.DateTime(timezone=True)),
        sa.Column("last_seen_at", sa.DateTime(timezone=True)),
        schema=S,
    )


def downgrade() -> None:
    op.drop_table("terminal_connection", schema=S)
    op.drop_constraint("uq_vehicle_terminal_phone", "vehicle", schema=S)
    op.drop_column("vehicle", "terminal_phone", schema=S)
