"""initial: device registry, energy code tree, readings, positions, dead letters

Revision ID: t0001
Revises:
Create Date: 2026-11-27

Plain PostgreSQL tables with BRIN indexes on time; a later revision converts them to hypertables
when the TimescaleDB extension is available.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql as pg

revision: str = "t0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = "telemetry"

# (code, parent, level, name, name_zh) — the code tree of the national energy-monitoring guideline
ENERGY_CODES = [
    ("01000", None, 1, "electricity", "电"),
    ("02000", None, 1, "water", "水"),
    ("03000", None, 1, "gas", "燃气"),
    ("04000", None, 1, "district heat", "集中供热"),
    ("05000", None, 1, "district cooling", "集中供冷"),
    ("01A00", "01000", 2, "lighting and sockets", "照明插座用电"),
    ("01A10", "01A00", 3, "lighting and sockets in rooms", "照明与插座"),
    ("01A20", "01A00", 3, "corridor and emergency lighting", "走廊与应急照明"),
    ("01A30", "01A00", 3, "outdoor lighting", "室外景观照明"),
    ("01B00", "01000", 2, "HVAC", "空调用电"),
    ("01B10", "01B00", 3, "chiller plant", "冷热站"),
    ("01B20", "01B00", 3, "air handling terminals", "空调末端"),
    ("01C00", "01000", 2, "power", "动力用电"),
    ("01C10", "01C00", 3, "lifts", "电梯"),
    ("01C20", "01C00", 3, "pumps", "水泵"),
    ("01C30", "01C00", 3, "ventilation fans", "通风机"),
    ("01D00", "01000", 2, "special", "特殊用电"),
    ("01D10", "01D00", 3, "data center", "信息中心"),
    ("01D20", "01D00", 3, "kitchen", "厨房餐厅"),
]


def upgrade() -> None:
    code = op.create_table(
        "energy_code",
        sa.Column("code", sa.String(5), primary_key=True),
        sa.Column("parent_code", sa.String(5), sa.ForeignKey(f"{S}.energy_code.code")),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("name_zh", sa.String(100), nullable=False),
        schema=S,
    )
    op.bulk_insert(
        code,
        [dict(zip(("code", "parent_code", "level", "name", "name_zh"), row, strict=True)) for row in ENERGY_CODES],
    )
    op.create_table(
        "meter",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("building", sa.String(100), nullable=False),
        sa.Column("floor", sa.String(20)),
        sa.Column("zone", sa.String(100)),
        sa.Column("energy_type", sa.String(5), sa.ForeignKey(f"{S}.energy_code.code"), nullable=False),
        sa.Column("sub_item", sa.String(5), sa.ForeignKey(f"{S}.energy_code.code")),
        sa.Column("unit", sa.String(16), nullable=False, server_default="kWh"),
        sa.Column("multiplier", sa.Numeric(12, 4), nullable=False, server_default="1"),
        sa.Column("rollover", sa.Numeric(18, 3)),
        sa.Column("vendor_id", sa.String(64), index=True),
        sa.Column("contract_id", sa.String(64)),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        schema=S,
    )
    op.create_table(
        "geofence",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("geometry", pg.JSONB),
        sa.Column("center_lat", sa.Float),
        sa.Column("center_lon", sa.Float),
        sa.Column("radius_m", sa.Float),
        schema=S,
    )
    op.create_table(
        "calendar",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("work_start", sa.Time, nullable=False, server_default="07:30"),
        sa.Column("work_end", sa.Time, nullable=False, server_default="18:30"),
        sa.Column("working_weekdays", pg.ARRAY(sa.Integer), nullable=False, server_default="{1,2,3,4,5}"),
        sa.Column("holidays", pg.ARRAY(sa.Date), nullable=False, server_default="{}"),
        sa.Column("extra_workdays", pg.ARRAY(sa.Date), nullable=False, server_default="{}"),
        schema=S,
    )
    op.create_table(
        "vehicle",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("plate", sa.String(16), nullable=False, unique=True),
        sa.Column("department", sa.String(200)),
        sa.Column("vehicle_type", sa.String(50)),
        sa.Column("terminal_id", sa.String(64), unique=True),
        sa.Column("vendor_id", sa.String(64), index=True),
        sa.Column("parking_geofence_id", sa.String(64), sa.ForeignKey(f"{S}.geofence.id")),
        sa.Column("calendar_id", sa.String(64), sa.ForeignKey(f"{S}.calendar.id")),
        sa.Column("speed_limit_kmh", sa.Float),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        schema=S,
    )
    op.create_table(
        "reading",
        sa.Column("meter_id", sa.String(64), primary_key=True),
        sa.Column("ts", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("energy_kwh", sa.Float),
        sa.Column("power_kw", sa.Float),
        sa.Column("extra", pg.JSONB),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        schema=S,
    )
    op.create_index("ix_reading_ts_brin", "reading", ["ts"], schema=S, postgresql_using="brin")
    op.create_table(
        "position",
        sa.Column("vehicle_id", sa.String(64), primary_key=True),
        sa.Column("ts", sa.DateTime(timezone=True), primary_key=True),
        sa.Column("lat", sa.Float, nullable=False),
        sa.Column("lon", sa.Float, nullable=False),
        sa.Column("speed_kmh", sa.Float),
        sa.Column("heading", sa.Float),
        sa.Column("altitude", sa.Float),
        sa.Column("ignition", sa.Boolean),
        sa.Column("satellites", sa.Integer),
        sa.Column("odometer_km", sa.Float),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        schema=S,
    )
    op.create_index("ix_position_ts_brin", "position", ["ts"], schema=S, postgresql_using="brin")
    op.create_table(
        "dead_letter",
        sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("topic", sa.Text),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        schema=S,
    )
    op.create_index("ix_dead_letter_received_at", "dead_letter", ["received_at"], schema=S)


def downgrade() -> None:
    for table in ("dead_letter", "position", "reading", "vehicle", "calendar", "geofence", "meter", "energy_code"):
        op.drop_table(table, schema=S)
