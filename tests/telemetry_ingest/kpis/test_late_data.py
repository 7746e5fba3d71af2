"""Late data: readings 10 days late and positions 3 days late. After one worker pass every rollup-served
answer equals the raw answer, the trips of those days exist and the offline alert raised while the backlog
was in transit is withdrawn with its reason (own database: the invalidation log is global)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg

from houqin_common.db import create_engine, libpq_url, make_sessionmaker
from oracles.energy_synthetic import register
from telemetry_ingest.analytics.config import AnalyticsSettings
from telemetry_ingest.energy import service as energy_service
from telemetry_ingest.energy.repository import MeterFilter
from telemetry_ingest.energy.schemas import Granularity, GroupBy
from telemetry_ingest.fleet import service as fleet_service
from telemetry_ingest.fleet.synthetic import Track
from telemetry_ingest.kpis.worker import run_pass

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 9, 30, 15, 20, tzinfo=TZ)
LATE_DAY = datetime(2026, 9, 20, tzinfo=TZ)  # readings of this day arrive 10 days late
SILENT_FROM = datetime(2026, 9, 27, 8, 0, tzinfo=TZ)  # the terminal's backlog from here arrives 3 days late


def _copy_readings(conn: psycopg.Connection, meter: str, rows: list[tuple[datetime, float]]) -> None:
    with conn.cursor() as cur, cur.copy("COPY telemetry.reading (meter_id, ts, energy_kwh) FROM STDIN") as cp:
        for ts, v in rows:
            cp.write_row((meter, ts, v))


def _copy_fixes(conn: psycopg.Connection, vehicle: str, track: Track) -> None:
    with (
        conn.cursor() as cur,
        cur.copy("COPY telemetry.position (vehicle_id, ts, lat, lon, speed_kmh, ignition) FROM STDIN") as cp,
    ):
        for f in track.fixes:
            cp.write_row((vehicle, f.ts, f.lat, f.lon, f.speed_kmh, f.ignition))


async def _answers(url: str, settings: AnalyticsSettings) -> list[object]:
    start, end = datetime(2026, 9, 1, tzinfo=TZ), datetime(2026, 10, 1, tzinfo=TZ)
    engine = create_engine(url, pool_size=1)
    out: list[object] = []
    try:
        async with make_sessionmaker(engine)() as session:
            for gran in (Granularity.hour, Granularity.day, Granularity.month):
                for group in (GroupBy.meter, GroupBy.total):
                    read = await energy_service.consumption(
                        session,
                        settings=settings,
                        flt=MeterFilter(),
                        start=start,
                        end=end,
                        granularity=gran,
                        group_by=group,
                    )
                    out.append([(r["group"], r["bucket"], round(r["kwh"], 6), r["intervals"]) for r in read.rows])
            for unit in ("day", "month"):
                rows = await fleet_service.distance(
                    session, settings=settings, start=start, end=end, unit=unit, vehicle_id=None, vendor_id=None
                )
                out.append([(r.vehicle_id, r.bucket, round(r.km, 6)) for r in rows])
            how = await energy_service.plan(
                session, settings=settings, flt=MeterFilter(), start=start, end=end, granularity="day"
            )
            out.append(bool(how.rolled) and how.raw_start == end)
    finally:
        await engine.dispose()
    return out


async def test_one_pass_makes_late_data_count_everywhere(fresh_database_url: str) -> None:
    url = fresh_database_url
    readings = list(register(datetime(2026, 8, 25, tzinfo=TZ), NOW, timedelta(minutes=15), lambda t: 3 + t.hour % 4))
    on_time = [r for r in readings if not LATE_DAY <= r[0] < LATE_DAY + timedelta(days=1)]
    late = [r for r in readings if LATE_DAY <= r[0] < LATE_DAY + timedelta(days=1)]
    before = Track(SILENT_FROM - timedelta(hours=1), 31.81, 119.97).stand(3000, ignition=False)
    backlog = Track(SILENT_FROM + timedelta(minutes=5), 31.81, 119.97).stand(60, ignition=False)
    backlog.drive(900, 40).stand(900, ignition=False)  # a trip at 08:06, inside working hours, no request
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("INSERT INTO telemetry.meter (id, name, building, energy_type) VALUES ('m1', 'm1', 'L', '01000')")
        conn.execute("INSERT INTO telemetry.vehicle (id, plate) VALUES ('v1', 'L1')")
        _copy_readings(conn, "m1", on_time)
        _copy_fixes(conn, "v1", before)
    settings, raw = AnalyticsSettings(), AnalyticsSettings(use_rollup=False)
    first = await run_pass(url, settings, now=NOW)
    assert first["meter_days"] > 0 and first["vehicle_days"] == 1
    with psycopg.connect(libpq_url(url)) as conn:
        offline = conn.execute(
            "SELECT id, started_at FROM telemetry.alert WHERE kind = 'device_offline' AND withdrawn_at IS NULL"
        ).fetchall()
    assert len(offline) == 1 and offline[0][1] < SILENT_FROM  # raised while the backlog was in transit

    # the backlog lands: a day of readings 10 days late, positions 3 days late
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        _copy_readings(conn, "m1", late)
        _copy_fixes(conn, "v1", backlog)
    pending = await _answers(url, settings)
    assert pending[-1] is False  # the late hours are pending: the rollups answer only up to them ...
    assert pending[:-1] == (await _answers(url, raw))[:-1]  # ... so the answer is right even before the pass

    second = await run_pass(url, settings, now=NOW + timedelta(minutes=5))
    assert second["alerts_withdrawn"] == 1
    served = await _answers(url, settings)
    assert served[-1] is True  # the whole month now comes from the rollups
    assert served[:-1] == (await _answers(url, raw))[:-1]
    with psycopg.connect(libpq_url(url)) as conn:
        trips = conn.execute(
            "SELECT start_at FROM telemetry.trip WHERE vehicle_id = 'v1' AND start_at >= %s", (SILENT_FROM,)
        ).fetchall()
        withdrawn = conn.execute(
            "SELECT withdrawn_reason, details->>'late_fix_at' FROM telemetry.alert WHERE id = %s", (offline[0][0],)
        ).fetchone()
        day_km = conn.execute(
            "SELECT distance_km FROM telemetry.vehicle_day WHERE vehicle_id = 'v1' AND day = %s", (SILENT_FROM.date(),)
        ).fetchone()
    assert len(trips) == 1
    assert withdrawn is not None and withdrawn[0] == "late_data" and withdrawn[1] is not None
    assert day_km is not None and abs(day_km[0] - 900 * 40 / 3600) < 0.05
