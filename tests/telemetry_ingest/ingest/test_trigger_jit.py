"""The invalidation triggers never JIT-compile (migration t2602): a batch write paid 30-800 ms of LLVM
compilation for a 2 ms query whose generic plan is over-estimated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import psycopg
from tests.telemetry_ingest.conftest import register_devices, unique

from houqin_common.db import libpq_url


def test_a_batch_insert_runs_the_invalidation_trigger_without_jit(database_url: str) -> None:
    meter = unique("jit-meter")
    register_devices(database_url, meters=[meter])
    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    rows = [(meter, t0 + timedelta(minutes=15 * i), float(i)) for i in range(400)]
    plans: list[str] = []
    with psycopg.connect(libpq_url(database_url)) as conn:
        conn.add_notice_handler(lambda d: plans.append(d.message_primary or ""))
        # every statement of this session is JIT-compiled unless its function says otherwise; auto_explain
        # hands each plan (nested ones too) to the client as a notice
        for setting in (
            "LOAD 'auto_explain'",
            "SET jit = on",
            "SET jit_above_cost = 0",
            "SET auto_explain.log_min_duration = 0",
            "SET auto_explain.log_nested_statements = on",
            "SET auto_explain.log_level = notice",
            "SET client_min_messages = notice",
        ):
            conn.execute(setting)
        with conn.cursor() as cur:
            cur.execute("CREATE TEMP TABLE stage (meter_id text, ts timestamptz, energy_kwh float8)")
            cur.executemany("INSERT INTO stage VALUES (%s, %s, %s)", rows)
            plans.clear()
            cur.execute(
                "INSERT INTO telemetry.reading (meter_id, ts, energy_kwh) SELECT meter_id, ts, energy_kwh FROM stage"
            )
        conn.commit()
    trigger = [p for p in plans if "touched_range" in p]
    outer = [p for p in plans if "Insert on reading" in p]
    assert trigger, plans  # the trigger ran and its plan was seen
    assert outer and "JIT:" in outer[0], outer  # positive control: this session does JIT-compile
    assert all("JIT:" not in p for p in trigger), trigger[0]
    touched = psycopg.connect(libpq_url(database_url)).execute(
        "SELECT count(*) FROM telemetry.touched_range WHERE subject_id = %s", (meter,)
    )
    assert touched.fetchone() == (100,)  # 400 quarter-hours = 100 hours, one row each
