"""Endpoints of the savings ledger (/v1/savings): project and platform lines, the yearly statement."""

from __future__ import annotations

from enum import StrEnum

from fastapi import Depends, Path, Query
from fastapi.responses import Response

from appraisal.dependencies import AppSettings, Directory, Telemetry, Today
from appraisal.savings import service
from appraisal.savings.rules import Platform
from appraisal.savings.schemas import PlatformLine, PlatformSavingIn, ProjectLine, ProjectSavingIn, SavingsStatement
from appraisal.savings.statement import savings_xlsx
from houqin_common.auth import READ_ALL, Principal, Role, require_roles
from houqin_common.db import DbSession
from houqin_common.errors import COMMON_ERRORS, problem_responses
from houqin_common.routing import ServiceRouter

router = ServiceRouter(prefix="/savings", tags=["savings"], responses=COMMON_ERRORS)

WRITERS = (Role.office, Role.supervisor)
READERS = (Role.office, Role.supervisor, Role.procurement, *READ_ALL)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YearPath = Path(ge=2000, le=2100, description="year")


class StatementFormat(StrEnum):
    json = "json"
    xlsx = "xlsx"


@router.put("/projects/{project_code}/{year}", response_model=ProjectLine, responses=problem_responses(422))
async def put_project_saving(
    project_code: str,
    line_in: ProjectSavingIn,
    session: DbSession,
    year: int = YearPath,
    principal: Principal = Depends(require_roles(*WRITERS)),
) -> ProjectLine:
    """Record a project's year: the cost before outsourcing (staff posts × wage, or the office's own figure
    with its source) and the contract cost now. Replaces the line when it exists."""
    row = await service.put_project(
        session, project_code=project_code, year=year, line_in=line_in, recorder=principal.subject
    )
    return service.project_line(row, None)


@router.put("/platforms/{platform}/{year}", response_model=PlatformLine)
async def put_platform_saving(
    platform: Platform,
    line_in: PlatformSavingIn,
    session: DbSession,
    year: int = YearPath,
    principal: Principal = Depends(require_roles(*WRITERS)),
) -> PlatformLine:
    """Record a shared platform's avoided cost in a year with its source (the conference centre against
    hotel-hall rental, the vehicle platform's figures as the office enters them)."""
    row = await service.put_platform(session, platform=platform, year=year, line_in=line_in, recorder=principal.subject)
    return PlatformLine(
        platform=platform, platform_zh=platform.label_zh, avoided_cost=row.avoided_cost, source=row.source
    )


@router.get(
    "/statements/{year}",
    response_model=SavingsStatement,
    responses={200: {"content": {XLSX: {}}, "description": "JSON, or the XLSX statement with `format=xlsx`"}},
)
async def get_statement(
    session: DbSession,
    settings: AppSettings,
    telemetry: Telemetry,
    directory: Directory,
    today: Today,
    year: int = YearPath,
    fmt: StatementFormat = Query(StatementFormat.json, alias="format", description="json or xlsx"),
    _: Principal = Depends(require_roles(*READERS)),
) -> SavingsStatement | Response:
    """The year's savings statement (节约经费): each project's saving with its inputs, the shared platforms,
    their total, and beside it the energy savings telemetry-ingest computes (stated as missing when it
    cannot be reached; the grand total is then null)."""
    statement = await service.statement(
        session, year=year, settings=settings, telemetry=telemetry, directory=directory, today=today
    )
    if fmt is StatementFormat.xlsx:
        return Response(
            savings_xlsx(statement),
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="savings-{year}.xlsx"'},
        )
    return statement
