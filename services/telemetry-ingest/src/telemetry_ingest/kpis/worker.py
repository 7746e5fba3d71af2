"""The `analytics` worker: keeps rollups, trips and alerts current so KPI queries stay fast.

Each pass (every ``scheduler_interval_s``): refresh the hourly energy rollup up to the last whole
hour; run the fleet evaluator over yesterday and today (yesterday's whole day feeds the daily distance
rollup; today's run raises live alerts, offline included); raise yesterday's energy waste alerts.
Every step is idempotent, so overlapping or repeated passes are harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from houqin_common import clock
from telemetry_ingest.energy import service as energy_service
from telemetry_ingest.energy.config import AnalyticsSettings, get_analytics_settings
from telemetry_ingest.energy.repository import MeterFilter
from telemetry_ingest.fleet import service as fleet_service

log = logging.getLogger("telemetry_ingest.analytics")


async def run_pass(database_url: str, settings: AnalyticsSettings, now: datetime | None = None) -> dict[str, int]:
    from houqin_common.db import create_engine, make_sessionmaker

    now = now or clock.now()
    today = energy_service.local_midnight(now.astimezone(ZoneInfo(settings.timezone)).date(), settings)
    yesterday = today - timedelta(days=1)
    engine = create_engine(database_url, pool_size=1)
    out: dict[str, int] = {}
    try:
        maker = make_sessionmaker(engine)
        async with maker() as session, session.begin():
            rollup = await energy_service.refresh_rollup(session, settings=settings, start=None, end=None, now=now)
            out["rollup_rows"] = rollup.rows
        async with maker() as session, session.begin():
            fleet = await fleet_service.evaluate(
                session, settings=settings, start=yesterday, end=now, vehicle_id=None, vendor_id=None, now=now
            )
            out["trips"], out["vehicle_alerts"] = fleet.trips, fleet.alerts_created
        async with maker() as session, session.begin():
            waste = await energy_service.evaluate_waste(
                session, settings=settings, flt=MeterFilter(), start=yesterday, end=today, calendar_id=None
            )
            out["waste_alerts"] = waste.alerts_created
    finally:
        await engine.dispose()
    return out


async def run(database_url: str, settings: AnalyticsSettings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    while not stop.is_set():
        try:
            log.info("analytics pass", extra={"result": await run_pass(database_url, settings)})
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
    asyncio.run(run(service_settings.database_url, get_analytics_settings()))


if __name__ == "__main__":
    main()
