"""The TimescaleDB storage path (revision t0101); runs only when TIMESCALE_URL names a TimescaleDB server."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from datetime import timedelta

import psycopg
import pytest

from houqin_common import clock
from houqin_common.db import libpq_url, run_migrations, with_database
from telemetry_ingest.ingest.writer import BatchWriter

pytestmark = pytest.mark.timescale

TIMESCALE_URL = os.environ.get("TIMESCALE_URL")


@pytest.fixture
def timescale_db() -> Iterator[str]:
    if not TIMESCALE_URL:
        pytest.skip("TIMESCALE_URL is not set")
    admin = libpq_url(TIMESCALE_URL)
    name = f"houqin_ts_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = with_database(admin, name)
    try:
        run_migrations("telemetry_ingest", url)
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_readings_and_positions_are_compressed_hypertables_with_retention(timescale_db: str) -> None:
    with psycopg.connect(timescale_db, autocommit=True) as conn:
        hypertables = {
            r[0]
            for r in conn.execute(
                "SELECT hypertable_name FROM timescaledb_information.hypertables WHERE hypertable_schema = 'telemetry'"
            )
        }
        assert hypertables >= {"reading", "position"}
        segmentby = dict(
            conn.execute(
                "SELECT hypertable_name, attname FROM timescaledb_information.compression_settings "
                "WHERE hypertable_schema = 'telemetry' AND segmentby_column_index = 1"
            ).fetchall()
        )
        assert segmentby == {"reading": "meter_id", "position": "vehicle_id"}
        jobs = {
            (r[0], r[1])
            for r in conn.execute(
                "SELECT hypertable_name, proc_name FROM timescaledb_information.jobs "
                "WHERE hypertable_schema = 'telemetry'"
            )
        }
        assert ("reading", "policy_compression") in jobs and ("position", "policy_retention") in jobs


def test_the_ingest_writer_is_idempotent_on_hypertables(timescale_db: str) -> None:
    now = clock.now()
    with psycopg.connect(timescale_db, autocommit=True) as conn:
        conn.execute("INSERT INTO telemetry.meter (id, name, building, energy_type) VALUES ('m1', 'm1', 'A', '01000')")
    readings = [("m1", now - timedelta(minutes=i), float(i), None, None, now) for i in range(100)]
    positions = [("v1", now, 31.81, 119.97, 10.0, None, None, True, 9, None, now)]

    async def write_twice() -> list[int]:
        writer = BatchWriter(timescale_db)
        try:
            first = await writer.commit(readings, positions, [])
            second = await writer.commit(readings + readings[:10], positions, [])
            return [first.inserted_readings, second.inserted_readings, first.inserted_positions]
        finally:
            await writer.close()

    assert asyncio.run(write_twice()) == [100, 0, 1]


def test_hypertables_log_touched_ranges_through_statement_triggers(timescale_db: str) -> None:
    """One trigger kind on every install (t0203 after t0101, t2501): statement triggers with transition tables."""
    with psycopg.connect(timescale_db, autocommit=True) as conn:
        triggers = conn.execute(
            "SELECT c.relname, t.tgtype & 1 = 1 AS per_row, p.proname FROM pg_trigger t"
            " JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid"
            " WHERE t.tgname LIKE 'touch_%' AND NOT t.tgisinternal ORDER BY c.relname"
        ).fetchall()
        assert triggers == [("position", False, "touch_positions"), ("reading", False, "touch_readings")]
        row_functions = conn.execute("SELECT proname FROM pg_proc WHERE proname LIKE 'touch_%_row'").fetchall()
        assert row_functions == []
        conn.execute("DELETE FROM telemetry.touched_range")
        conn.execute(
            "INSERT INTO telemetry.reading (meter_id, ts, energy_kwh) VALUES"
            " ('m-st', '2026-01-05 08:10+08', 1.0), ('m-st', '2026-01-05 10:20+08', 2.0)"
        )
        hours = conn.execute(
            "SELECT count(DISTINCT hour) FROM telemetry.touched_range WHERE kind = 'meter' AND subject_id = 'm-st'"
        ).scalar()
        assert hours == 3  # 08:00, 09:00 and 10:00 (the interval between the two readings)
