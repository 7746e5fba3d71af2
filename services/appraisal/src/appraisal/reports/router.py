"""HTTP routes that download the yearly and the per-campaign report files."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, Path, Query
from fastapi.responses import Response

from appraisal.dependencies import AppSettings, Directory, Telemetry, Today
from appraisal.reports import service
from appraisal.reports.service import MEDIA_TYPES, ReportFormat
from appraisal.surveys.dependencies import CampaignDep
from houqin_common.auth import READ_ALL, Principal, Role, require_roles
from houqin_common.db import DbSession
from houqin_common.errors import COMMON_ERRORS, problem_responses
from houqin_common.routing import ServiceRouter
from houqin_common.schemas import Period

router = ServiceRouter(prefix="/reports", tags=["reports"], responses=COMMON_ERRORS)

FILE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {m: {} for m in MEDIA_TYPES.values()}, "description": "the report file"}
}


def _file(data: bytes, fmt: ReportFormat, name: str) -> Response:
    return Response(
        data, media_type=MEDIA_TYPES[fmt], headers={"Content-Disposition": f'attachment; filename="{name}.{fmt.value}"'}
    )


@router.get("/years/{year}", response_class=Response, responses=FILE_RESPONSES)
async def download_year_report(
    session: DbSession,
    settings: AppSettings,
    telemetry: Telemetry,
    directory: Directory,
    today: Today,
    year: int = Path(ge=2000, le=2100, description="appraisal year"),
    fmt: ReportFormat = Query(ReportFormat.xlsx, alias="format", description="csv, xlsx, png or svg"),
    _: Principal = Depends(require_roles(Role.supervisor, *READ_ALL)),
) -> Response:
    """The year's appraisal: ranking with the breakdown (CSV/XLSX) or a chart of vendor scores and
    satisfaction grade distributions (PNG/SVG). Unpublished, it is marked provisional (暂定) in every format."""
    data = await service.year_report(
        session, year=year, fmt=fmt, settings=settings, kpis=telemetry, today=today, directory=directory
    )
    return _file(data, fmt, f"appraisal-{year}")


@router.get("/periods/{period}", response_class=Response, responses={**FILE_RESPONSES, **problem_responses(422)})
async def download_period_report(
    session: DbSession,
    settings: AppSettings,
    telemetry: Telemetry,
    directory: Directory,
    today: Today,
    period: Period = Path(description="`2026` (annual), `2026H1` or `2026H2` (half-year)", examples=["2026H2"]),
    fmt: ReportFormat = Query(ReportFormat.xlsx, alias="format", description="csv, xlsx, png or svg"),
    _: Principal = Depends(require_roles(Role.supervisor, *READ_ALL)),
) -> Response:
    """The appraisal of a year or a half-year (appraisal runs by half-year), in the same formats as the
    yearly report. A period not yet published is computed now and marked provisional (暂定) in every
    format: a CSV status column and first line, the XLSX title, the chart's title, watermark and metadata."""
    data = await service.period_report(
        session, period=period, fmt=fmt, settings=settings, kpis=telemetry, today=today, directory=directory
    )
    return _file(data, fmt, f"appraisal-{period}")


@router.get(
    "/campaigns/{campaign_id}",
    response_class=Response,
    responses={**FILE_RESPONSES, **problem_responses(404)},
    dependencies=[Depends(require_roles(Role.supervisor, *READ_ALL))],
)
async def download_campaign_report(
    campaign: CampaignDep,
    session: DbSession,
    settings: AppSettings,
    directory: Directory,
    fmt: ReportFormat = Query(ReportFormat.xlsx, alias="format", description="csv, xlsx, png or svg"),
) -> Response:
    """A satisfaction campaign: grade distributions per vendor and per item (CSV/XLSX/PNG/SVG)."""
    data = await service.campaign_report(session, campaign=campaign, fmt=fmt, settings=settings, directory=directory)
    return _file(data, fmt, f"survey-{campaign.period}-{campaign.id[:8]}")
