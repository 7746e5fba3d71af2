"""One pass of the analytics worker fills the rollups and raises the day's alerts (own database)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg

from houqin_common.db import libpq_url
from oracles.energy_synthetic import register
from telemetry_ingest.analytics.config import AnalyticsSettings
from telemetry_ingest.fleet.synthetic import Track
from telemetry_ingest.kpis.worker import run_pass

TZ = ZoneInfo("Asia/Shanghai")


async def test_a_pass_rolls_up_evaluates_and_is_idempotent(fresh_database_url: str) -> None:
    now = datetime(2026, 9, 30, 15, 20, tzinfo=TZ)
    yesterday = datetime(2026, 9, 29, tzinfo=TZ)
    with psycopg.connect(libpq_url(fresh_database_url), autocommit=True) as conn:
        conn.execute("INSERT INTO telemetry.meter (id, name, building, energy_type) VALUES ('w1', 'w1', 'W', '01000')")
        with conn.cursor() as cur, cur.copy("COPY telemetry.reading (meter_id, ts, energy_kwh) FROM STDIN") as cp:
            for ts, v in register(yesterday - timedelta(days=2), now, timedelta(minutes=15), lambda _: 4.0):
                cp.write_row(("w1", ts, v))
        conn.execute("INSERT INTO telemetry.vehicle (id, plate) VALUES ('wv', 'W1')")
        t = Track(yesterday.replace(hour=22), 31.81, 119.97).stand(60, ignition=False).drive(600, 40)
        t.stand(600, ignition=False)
        with (
            conn.cursor() as cur,
            cur.copy("COPY telemetry.position (vehicle_id, ts, lat, lon, speed_kmh, ignition) FROM STDIN") as cp,
        ):
            for f in t.fixes:
                cp.write_row(("wv", f.ts, f.lat, f.lon, f.speed_kmh, f.ignition))
    settings = AnalyticsSettings()
    first = await run_pass(fresh_database_url, settings, now=now)
    assert first["rollup_rows"] > 0 and first["meter_days"] == 4 and first["trips"] == 1
    assert first["vehicle_alerts"] >= 3  # off hours, unrequested use, and the terminal silent since 22:22
    # a flat load is its own normal: judged against its own history, it is not waste
    assert first["waste_alerts"] == 0
    second = await run_pass(fresh_database_url, settings, now=now)
    assert second["vehicle_alerts"] == 0 and second["waste_alerts"] == 0
    assert second["meter_days"] == 0 and second["vehicle_days"] == 0  # nothing new was written
    with psycopg.connect(libpq_url(fresh_database_url)) as conn:
        km = conn.execute(
            "SELECT distance_km FROM telemetry.vehicle_day WHERE vehicle_id = 'wv' AND day = %s", (yesterday.date(),)
        ).fetchone()
        kinds = {r[0] for r in conn.execute("SELECT kind FROM telemetry.alert").fetchall()}
    assert km is not None and abs(km[0] - 600 * 40 / 3600) < 0.05
    assert {"off_hours", "unrequested_use", "device_offline"} <= kinds


def _vacuumed_log(url: str) -> bool:
    with psycopg.connect(libpq_url(url)) as conn:
        row = conn.execute(
            "SELECT last_vacuum IS NOT NULL FROM pg_stat_user_tables WHERE schemaname = 'telemetry'"
            " AND relname = 'touched_range'"
        ).fetchone()
    return bool(row and row[0])


async def test_a_pass_over_a_backfill_vacuums_the_invalidation_log(fresh_database_url: str) -> None:
    now = datetime(2026, 9, 30, 15, 20, tzinfo=TZ)
    with psycopg.connect(libpq_url(fresh_database_url), autocommit=True) as conn:
        conn.execute("INSERT INTO telemetry.meter (id, name, building, energy_type) VALUES ('v1', 'v1', 'V', '01000')")
        with conn.cursor() as cur, cur.copy("COPY telemetry.reading (meter_id, ts, energy_kwh) FROM STDIN") as cp:
            for ts, v in register(now - timedelta(days=3), now, timedelta(minutes=15), lambda _: 2.0):
                cp.write_row(("v1", ts, v))
    touched = 3 * 24  # about one (meter, hour) range per hour of the backfill
    # below the threshold: the log is left to autovacuum
    first = await run_pass(fresh_database_url, AnalyticsSettings(vacuum_after_touched=10 * touched), now=now)
    assert first["meter_days"] > 0 and first["vacuumed"] == 0
    assert not _vacuumed_log(fresh_database_url)
    # the same backfill again (a later day, so new hours are touched) with a threshold it reaches
    later = now + timedelta(days=3)
    with (
        psycopg.connect(libpq_url(fresh_database_url), autocommit=True) as conn,
        conn.cursor() as cur,
        cur.copy("COPY telemetry.reading (meter_id, ts, energy_kwh) FROM STDIN") as cp,
    ):
        for ts, v in register(now + timedelta(minutes=15), later, timedelta(minutes=15), lambda _: 2.0, initial=1e4):
            cp.write_row(("v1", ts, v))
    second = await run_pass(fresh_database_url, AnalyticsSettings(vacuum_after_touched=touched // 2), now=later)
    assert second["meter_days"] > 0 and second["vacuumed"] == 1
    assert _vacuumed_log(fresh_database_url)
