"""Tables the analytics read and write with SQL only: the rollups, outdoor temperatures, the invalidation log.

Declared here (as Core tables, no ORM classes) so the metadata describes the whole schema and Alembic's
``compare_metadata`` can hold the migrations to it; the queries live in the domains' repositories.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    DateTime,
    Float,
    Identity,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Table,
    Time,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY

from telemetry_ingest.models import Base

energy_hourly = Table(
    "energy_hourly",
    Base.metadata,
    Column("meter_id", String(64), primary_key=True),
    Column("hour", DateTime(timezone=True), primary_key=True),
    Column("kwh", Float, nullable=False),
    Column("intervals", Integer, nullable=False),
    Column("seconds", Float, nullable=False, server_default="0"),
    Column("working_kwh", Float, nullable=False, server_default="0"),
    Column("working_seconds", Float, nullable=False, server_default="0"),
)

energy_daily = Table(
    "energy_daily",
    Base.metadata,
    Column("meter_id", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("kwh", Float, nullable=False),
    Column("intervals", Integer, nullable=False),
    Column("seconds", Float, nullable=False, server_default="0"),
    Column("working_kwh", Float, nullable=False, server_default="0"),
    Column("working_seconds", Float, nullable=False, server_default="0"),
    Column("work_start", Time),
    Column("work_end", Time),
    # one window of every meter of a scope (the like-for-like comparisons): the key begins with the meter
    Index("ix_energy_daily_day", "day"),
)

energy_week_hours = Table(
    "energy_week_hours",
    Base.metadata,
    Column("meter_id", String(64), primary_key=True),
    Column("week", Date, primary_key=True),  # the Monday of the local ISO week
    # the kWh of each local hour of the week: 7 x 24 float8 (big-endian, float8send), Monday 00:00 first,
    # NaN where the hour has no reading interval
    Column("kwh", LargeBinary, nullable=False),
    # per day of the week an int4 (big-endian) whose bit i is set when local hour i has intervals
    Column("hours", LargeBinary, nullable=False),
)

energy_month_days = Table(
    "energy_month_days",
    Base.metadata,
    Column("meter_id", String(64), primary_key=True),
    Column("month", Date, primary_key=True),
    # bit d set: day d + 1 of the month has an ``energy_daily`` row
    Column("days", Integer, nullable=False),
    # per day of the month its daily row's kwh, seconds, working_kwh, working_seconds (4 big-endian float8,
    # zeros where the day has no row)
    Column("daily", LargeBinary, nullable=False),
    # the working hours of every daily row of the month (NULL when they differ)
    Column("work_start", Time),
    Column("work_end", Time),
)

energy_monthly = Table(
    "energy_monthly",
    Base.metadata,
    Column("meter_id", String(64), primary_key=True),
    Column("month", Date, primary_key=True),
    Column("kwh", Float, nullable=False),
    Column("intervals", Integer, nullable=False),
)

energy_daily_cost = Table(
    "energy_daily_cost",
    Base.metadata,
    Column("meter_id", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("period", String(16), primary_key=True),
    Column("quantity", Numeric, nullable=False),
    Column("cost_cny", Numeric, nullable=False),
    Index("ix_energy_daily_cost_day", "day"),
)

energy_monthly_cost = Table(
    "energy_monthly_cost",
    Base.metadata,
    Column("meter_id", String(64), primary_key=True),
    Column("month", Date, primary_key=True),
    Column("period", String(16), primary_key=True),
    Column("quantity", Numeric, nullable=False),
    Column("cost_cny", Numeric, nullable=False),
    # meter-days of the month with a daily cost row (the same on every period row of the meter-month)
    Column("days", Integer, nullable=False, server_default="0"),
)

# per meter and month, the daily cost rollup summed over the periods of each day: element i is day i + 1 of the
# month (NULL: no reading interval that day)
energy_month_day_cost = Table(
    "energy_month_day_cost",
    Base.metadata,
    Column("meter_id", String(64), primary_key=True),
    Column("month", Date, primary_key=True),
    Column("quantity", ARRAY(Numeric), nullable=False),
    Column("cost_cny", ARRAY(Numeric), nullable=False),
)

vehicle_day = Table(
    "vehicle_day",
    Base.metadata,
    Column("vehicle_id", String(64), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("distance_km", Float, nullable=False),
    Column("fixes", Integer, nullable=False),
    Column("evaluated_at", DateTime(timezone=True), server_default=func.now(), nullable=False),
    Column("segments", Integer, nullable=False, server_default="0"),
)

temperature = Table(
    "temperature",
    Base.metadata,
    Column("station", String(64), primary_key=True),
    Column("ts", DateTime(timezone=True), primary_key=True),
    Column("temp_c", Float, nullable=False),
)

touched_range = Table(
    "touched_range",
    Base.metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("kind", String(8), nullable=False),
    Column("subject_id", String(64), nullable=False),
    Column("hour", DateTime(timezone=True), nullable=False),
    Column("logged_at", DateTime(timezone=True), server_default=func.now(), nullable=False),
    Index("ix_touched_range_kind_hour", "kind", "hour"),
)
