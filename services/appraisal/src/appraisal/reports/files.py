"""Writes the report files of a year (and of its campaigns) to a directory: used by the CLI."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy import select

from appraisal.models import Campaign
from appraisal.names import NameDirectory
from appraisal.reports import service
from appraisal.reports.service import ReportFormat
from appraisal.scoring.service import campaign_periods
from appraisal.settings import Settings
from houqin_common import clock
from houqin_common.clients import contracts_client, telemetry_client
from houqin_common.db import create_engine, make_sessionmaker


async def write_year(
    year: int | str,
    out: Path,
    settings: Settings,
    *,
    today: date | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """The ranking of a year or half-year (CSV, XLSX, PNG, SVG) and each of its campaigns (CSV, XLSX, PNG);
    ``progress`` is told of each file as it is written."""
    period = str(year)
    # file writes run in a worker thread: the event loop also drives the database and telemetry calls
    await asyncio.to_thread(out.mkdir, parents=True, exist_ok=True)
    today = today or clock.today()
    written: list[Path] = []
    engine = create_engine(settings.database_url, pool_size=2)
    try:
        async with (
            telemetry_client(settings, caller="appraisal") as kpis,
            contracts_client(settings, caller="appraisal") as contracts,
            make_sessionmaker(engine)() as session,
        ):
            directory = NameDirectory(contracts, ttl_s=settings.names_ttl_s, retry_s=settings.names_retry_s)
            for fmt in ReportFormat:
                data = await service.period_report(
                    session, period=period, fmt=fmt, settings=settings, kpis=kpis, today=today, directory=directory
                )
                path = out / f"appraisal-{period}.{fmt.value}"
                await asyncio.to_thread(path.write_bytes, data)
                written.append(path)
                if progress is not None:
                    progress(str(path))
            campaigns = (
                await session.execute(
                    select(Campaign)
                    .where(Campaign.period.startswith(period[:4]))
                    .order_by(Campaign.opens_at, Campaign.id)
                )
            ).scalars()
            wanted = set(campaign_periods(period))
            for campaign in (c for c in campaigns if c.period in wanted):
                for fmt in (ReportFormat.csv, ReportFormat.xlsx, ReportFormat.png):
                    data = await service.campaign_report(
                        session, campaign=campaign, fmt=fmt, settings=settings, directory=directory
                    )
                    path = out / f"survey-{campaign.period}-{campaign.id[:8]}.{fmt.value}"
                    await asyncio.to_thread(path.write_bytes, data)
                    written.append(path)
                    if progress is not None:
                        progress(str(path))
    finally:
        await engine.dispose()
    return written
