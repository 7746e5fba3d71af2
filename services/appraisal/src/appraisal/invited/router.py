"""Endpoints of invited services (/v1/invited): providers, schedules, the calendar, sessions, ratings, flags."""

from __future__ import annotations

from datetime import date

from fastapi import Depends, Query, status

from appraisal.dependencies import AppSettings
from appraisal.invited import service
from appraisal.invited.schemas import (
    CalendarEntry,
    ProviderCreate,
    ProviderFlag,
    ProviderRead,
    RatingCreate,
    RatingRead,
    ScheduleCreate,
    ScheduleRead,
    SessionCreate,
    SessionRead,
)
from houqin_common.auth import READ_ALL, Principal, Role, require_roles
from houqin_common.db import DbSession
from houqin_common.errors import COMMON_ERRORS, problem_responses
from houqin_common.routing import ServiceRouter

router = ServiceRouter(prefix="/invited", tags=["invited"], responses=COMMON_ERRORS)

ORGANISERS = (Role.office, Role.supervisor)
#: the calendar is for the staff of the agencies as much as for the office
CALENDAR_READERS = (Role.office, Role.supervisor, Role.staff, Role.inspector, *READ_ALL)


@router.post(
    "/providers", status_code=status.HTTP_201_CREATED, response_model=ProviderRead, responses=problem_responses(409)
)
async def create_provider(
    provider_in: ProviderCreate, session: DbSession, _: Principal = Depends(require_roles(*ORGANISERS))
) -> ProviderRead:
    """Register a provider invited to the centre, or of a public-interest consultation (公益咨询: driving
    licence renewal, phone cards, buying a car or a home, financial advice)."""
    return ProviderRead.model_validate(await service.create_provider(session, provider_in=provider_in))


@router.get("/providers", response_model=list[ProviderRead])
async def list_providers(
    session: DbSession, _: Principal = Depends(require_roles(*CALENDAR_READERS))
) -> list[ProviderRead]:
    """Every invited provider."""
    return [ProviderRead.model_validate(p) for p in await service.list_providers(session)]


@router.post(
    "/schedules", status_code=status.HTTP_201_CREATED, response_model=ScheduleRead, responses=problem_responses(422)
)
async def create_schedule(
    schedule_in: ScheduleCreate, session: DbSession, _: Principal = Depends(require_roles(*ORGANISERS))
) -> ScheduleRead:
    """Put a provider on the calendar: 定期、定时、定点 — weekly on a weekday, monthly on a day, or once."""
    return ScheduleRead.model_validate(await service.create_schedule(session, schedule_in=schedule_in))


@router.get("/calendar", response_model=list[CalendarEntry], responses=problem_responses(422))
async def get_calendar(
    session: DbSession,
    start: date = Query(description="first day", examples=["2026-03-01"]),
    end: date = Query(description="day after the last (at most 400 days later)", examples=["2026-04-01"]),
    _: Principal = Depends(require_roles(*CALENDAR_READERS)),
) -> list[CalendarEntry]:
    """The calendar of invited services and consultations, with each session's outcome and rating."""
    return await service.calendar(session, start=start, end=end)


@router.post(
    "/sessions",
    status_code=status.HTTP_201_CREATED,
    response_model=SessionRead,
    responses=problem_responses(404, 409, 422),
)
async def record_session(
    session_in: SessionCreate, session: DbSession, principal: Principal = Depends(require_roles(*ORGANISERS))
) -> SessionRead:
    """Record whether a scheduled session was held, missed (no-show) or cancelled by the office."""
    return SessionRead.model_validate(
        await service.record_session(session, session_in=session_in, recorder=principal.subject)
    )


@router.post(
    "/sessions/{session_id}/ratings",
    status_code=status.HTTP_201_CREATED,
    response_model=RatingRead,
    responses=problem_responses(404, 409),
)
async def rate_session(
    session_id: str,
    rating_in: RatingCreate,
    session: DbSession,
    principal: Principal = Depends(require_roles(Role.staff)),
) -> RatingRead:
    """A staff member rates a session held (1-5, once)."""
    return RatingRead.model_validate(
        await service.rate(session, session_id=session_id, rating_in=rating_in, rater=principal.subject)
    )


@router.get("/flags", response_model=list[ProviderFlag], responses=problem_responses(422))
async def list_flags(
    session: DbSession,
    settings: AppSettings,
    start: date = Query(description="first day", examples=["2026-01-01"]),
    end: date = Query(description="day after the last", examples=["2027-01-01"]),
    _: Principal = Depends(require_roles(*ORGANISERS, *READ_ALL)),
) -> list[ProviderFlag]:
    """Providers with their no-shows and ratings in the range; those with repeated no-shows or a poor
    average (thresholds in the settings) are flagged for the next selection, flagged first."""
    return await service.flags(session, start=start, end=end, settings=settings)
