"""The `analytics` worker: keeps rollups, trips and alerts equal to the raw data, of any age.

Each pass (every ``scheduler_interval_s``): recompute the energy rollups (hour, day, month) of every
meter-day the writes touched since the last pass, however old; recompute the daily distance and
re-evaluate trips and alerts of every touched vehicle-day (withdrawing alerts the late data contradicts);
after a pass over a bulk backfill, vacuum the invalidation log and the rollups;
evaluate today live (offline terminals); raise the energy waste alerts of yesterday and of any touched
earlier day. Every step is idempotent, so overlapping or repeated passes are harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from houqin_common import clock
from houqin_common.settings import ServiceSettings
from telemetry_ingest.alarms import watcher as alarm_watcher
from telemetry_ingest.alarms.watcher import HazardSink
from telemetry_ingest.analytics.config import AnalyticsSettings, get_analytics_settings
from telemetry_ingest.energy import service as energy_service
from telemetry_ingest.energy import waste_evaluation
from telemetry_ingest.fleet import service as fleet_service
from telemetry_ingest.rollups import service as rollups_service
from telemetry_ingest.tariffs import service as tariff_service

log = logging.getLogger("telemetry_ingest.analytics")


async def run_pass(
    database_url: str, settings: AnalyticsSettings, now: datetime | None = None, hazards: HazardSink | None = None
) -> dict[str, int]:
    from houqin_common.db import create_engine, make_sessionmaker

    now = now or clock.now()
    tz = ZoneInfo(settings.timezone)
    today = now.astimezone(tz).date()
    engine = create_engine(database_url, pool_size=1)
    out: dict[str, int] = {}
    try:
        maker = make_sessionmaker(engine)
        async with maker() as session, session.begin():
            energy = await rollups_service.refresh_energy(session, settings=settings)
            out["meter_days"], out["rollup_rows"] = energy.subject_days, energy.rows
        async with maker() as session, session.begin():
            # the yuan of the meter-days just rolled up (and of those a tariff change repriced)
            costs = await tariff_service.refresh_daily_costs(session, settings=settings)
            out["cost_days"] = costs.subject_days
        async with maker() as session, session.begin():
            days = await rollups_service.refresh_vehicle_days(session, settings=settings)
            fleet = await fleet_service.evaluate_touched(session, settings=settings, ranges=days.ranges)
            out["vehicle_days"] = days.subject_days
            out["trips"], out["vehicle_alerts"] = fleet.trips, fleet.alerts_created
            out["alerts_withdrawn"] = fleet.alerts_withdrawn
        out["vacuumed"] = int(energy.touched + costs.touched + days.touched >= settings.vacuum_after_touched)
        if out["vacuumed"]:
            async with engine.connect() as conn:
                await rollups_service.vacuum(await conn.execution_options(isolation_level="AUTOCOMMIT"))
        async with maker() as session, session.begin():
            live = await fleet_service.evaluate(
                session,
                settings=settings,
                start=energy_service.local_midnight(today, settings),
                end=now,
                vehicle_id=None,
                vendor_id=None,
                now=now,
            )
            out["vehicle_alerts"] += live.alerts_created
            out["alerts_withdrawn"] += live.alerts_withdrawn
        waste_days = {today - timedelta(days=1)} | {
            first + timedelta(days=i)
            for _, first, after in energy.ranges
            for i in range((after - first).days)
            if first + timedelta(days=i) < today
        }
        async with maker() as session, session.begin():
            waste = await waste_evaluation.evaluate_waste_days(session, settings=settings, days=sorted(waste_days))
            out["waste_alerts"] = waste.alerts_created
        # issue 26: alarm events -> hazards in appraisal (restores applied even without appraisal)
        async with maker() as session, session.begin():
            alarms = await alarm_watcher.watch(session, sink=hazards, settings=settings, now=now)
            out["alarms_cleared"], out["hazards_opened"] = alarms.cleared, alarms.hazards_opened
            out["hazards_joined"], out["alarm_report_failures"] = alarms.hazards_joined, alarms.failed
    finally:
        await engine.dispose()
    return out


async def run(database_url: str, settings: AnalyticsSettings, hazards: HazardSink | None = None) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    while not stop.is_set():
        try:
            result = await run_pass(database_url, settings, hazards=hazards)
            log.info("analytics pass", extra={"result": result})
        except Exception:  # a failed pass is retried at the next interval, never fatal
            log.exception("analytics pass failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=settings.scheduler_interval_s)


def main() -> None:
    """Blocking entry point of the `analytics` worker."""
    from houqin_common.observability import configure_logging
    from telemetry_ingest.settings import get_settings

    service_settings = get_settings()
    configure_logging("telemetry-ingest.analytics", service_settings.log_level, service_settings.log_json)
    asyncio.run(_run_with_appraisal(service_settings))


async def _run_with_appraisal(service_settings: ServiceSettings) -> None:
    from houqin_common.clients import appraisal_client

    async with appraisal_client(service_settings, caller="telemetry-ingest") as appraisal:
        await run(service_settings.database_url, get_analytics_settings(), hazards=appraisal)


if __name__ == "__main__":
    main()
