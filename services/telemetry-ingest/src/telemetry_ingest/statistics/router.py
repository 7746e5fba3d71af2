"""HTTP routes of the energy statistics: the report and its XLSX, areas, headcounts, goals, investments."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Path, Query, Response, status

from houqin_common import clock
from houqin_common.auth import READ_ALL, Principal, Role, require_roles
from houqin_common.db import DbSession
from houqin_common.errors import COMMON_ERRORS, problem_responses
from houqin_common.routing import ServiceRouter
from telemetry_ingest.analytics.dependencies import Settings
from telemetry_ingest.statistics import service
from telemetry_ingest.statistics.dependencies import Coefficients
from telemetry_ingest.statistics.schemas import (
    AreaIn,
    AreaRead,
    GoalIn,
    GoalRead,
    HeadcountIn,
    HeadcountRead,
    InvestmentIn,
    InvestmentRead,
    PaybackRead,
    StatisticsRead,
)

router = ServiceRouter(prefix="/energy", tags=["energy statistics"], responses=COMMON_ERRORS)

WRITE = require_roles(Role.supervisor)
READ = require_roles(Role.supervisor, *READ_ALL)
Year = Annotated[int, Query(ge=2000, le=2100, description="statistics year (local calendar year)")]
YearPath = Annotated[int, Path(ge=2000, le=2100, description="statistics year")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/statistics", response_model=StatisticsRead)
async def get_statistics(
    session: DbSession, settings: Settings, cfg: Coefficients, year: Year, _: Principal = Depends(READ)
) -> StatisticsRead:
    """The public-institution energy statistics (公共机构能源资源消耗统计) of a year over every meter:
    comprehensive energy (kgce), per capita, per m² of floor area, water per capita, electricity, water, gas,
    heat, cost and carbon, each beside the previous year with the change and the goal verdict."""
    return await service.statistics(session, settings=settings, cfg=cfg, year=year)


@router.get("/statistics.xlsx", response_class=Response, responses={200: {"content": {XLSX: {}}}})
async def export_statistics(
    session: DbSession, settings: Settings, cfg: Coefficients, year: Year, _: Principal = Depends(READ)
) -> Response:
    """The statistics of a year as the yearly form workbook, in the reader's language (zh-CN: the statutory form)."""
    report = await service.statistics(session, settings=settings, cfg=cfg, year=year)
    return Response(
        service.workbook(report),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="energy-statistics-{year}.xlsx"'},
    )


@router.put("/buildings/{building}/areas/{valid_from}", response_model=AreaRead)
async def put_building_area(
    building: Annotated[str, Path(max_length=100, description="building, as on the meters")],
    valid_from: Annotated[date, Path(description="first day the area applies")],
    area_in: AreaIn,
    session: DbSession,
    _: Principal = Depends(WRITE),
) -> AreaRead:
    """Record a building's floor area from a day on (a later row is a change; earlier rows stay as history)."""
    return await service.put_area(session, building=building, valid_from=valid_from, area_in=area_in)


@router.get("/buildings/areas", response_model=list[AreaRead])
async def list_building_areas(
    session: DbSession,
    building: Annotated[str | None, Query(max_length=100, description="only this building")] = None,
    _: Principal = Depends(READ),
) -> list[AreaRead]:
    """Floor areas with their history, by building and date."""
    return await service.list_areas(session, building=building)


@router.put("/headcounts/{year}", response_model=HeadcountRead)
async def put_headcount(
    year: YearPath, headcount_in: HeadcountIn, session: DbSession, _: Principal = Depends(WRITE)
) -> HeadcountRead:
    """Record the energy-using headcount (用能人数) of a year."""
    return await service.put_headcount(session, year=year, headcount_in=headcount_in)


@router.get("/headcounts", response_model=list[HeadcountRead])
async def list_headcounts(session: DbSession, _: Principal = Depends(READ)) -> list[HeadcountRead]:
    """Headcount of every year entered."""
    return await service.list_headcounts(session)


@router.put("/goals/{indicator}/{year}", response_model=GoalRead, responses=problem_responses(404))
async def put_goal(
    indicator: Annotated[str, Path(max_length=40, description="indicator code")],
    year: YearPath,
    goal_in: GoalIn,
    session: DbSession,
    _: Principal = Depends(WRITE),
) -> GoalRead:
    """Set the goal of an indicator for a year: a ceiling, a least reduction against the previous year, or both
    (e.g. the five-year plan's yearly share of the reduction target)."""
    return await service.put_goal(session, indicator=indicator, year=year, goal_in=goal_in)


@router.get("/goals", response_model=list[GoalRead])
async def list_goals(
    session: DbSession,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="only this year")] = None,
    _: Principal = Depends(READ),
) -> list[GoalRead]:
    """Goals by year and indicator."""
    return await service.list_goals(session, year=year)


@router.post("/investments", status_code=status.HTTP_201_CREATED, response_model=InvestmentRead)
async def create_investment(
    investment_in: InvestmentIn, session: DbSession, _: Principal = Depends(WRITE)
) -> InvestmentRead:
    """Enter an energy investment (e.g. the monitoring system): its cost and the day it went into service."""
    return await service.create_investment(session, investment_in=investment_in)


@router.get("/investments", response_model=list[InvestmentRead])
async def list_investments(session: DbSession, _: Principal = Depends(READ)) -> list[InvestmentRead]:
    """Investments entered, by start date."""
    return await service.list_investments(session)


@router.get("/investments/{investment_id}/payback", response_model=PaybackRead, responses=problem_responses(404))
async def get_payback(
    investment_id: str,
    session: DbSession,
    settings: Settings,
    as_of: Annotated[date | None, Query(description="day after the last day counted; default today")] = None,
    _: Principal = Depends(READ),
) -> PaybackRead:
    """Yuan saved since the investment started against the 365 days before it, the payback time at the rate so
    far, and the yuan saved year on year."""
    return await service.payback(session, settings=settings, investment_id=investment_id, as_of=as_of or clock.today())
