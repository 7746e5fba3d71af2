"""HTTP API of the conference centre: /v1/conference."""

from __future__ import annotations

from datetime import datetime

from fastapi import Depends, Path, Query, status

from appraisal.conference import service
from appraisal.conference.schemas import (
    AttendanceIn,
    BookingCreate,
    BookingRead,
    ConferenceFigures,
    FeedbackIn,
    RoomCreate,
    RoomRead,
    ServiceRecordIn,
)
from appraisal.dependencies import AppSettings, Contracts
from houqin_common.auth import READ_ALL, Principal, Role, require_roles
from houqin_common.db import DbSession
from houqin_common.errors import COMMON_ERRORS, problem_responses
from houqin_common.pagination import PageParams, page_window, to_page
from houqin_common.routing import ServiceRouter
from houqin_common.schemas import Page

router = ServiceRouter(prefix="/conference", tags=["conference"], responses=COMMON_ERRORS)

BookingId = Path(max_length=36, description="booking id")
READERS = (Role.supervisor, Role.staff, Role.vendor, *READ_ALL)


@router.post("/rooms", status_code=status.HTTP_201_CREATED, response_model=RoomRead, responses=problem_responses(409))
async def create_room(
    room_in: RoomCreate, session: DbSession, _: Principal = Depends(require_roles(Role.supervisor))
) -> RoomRead:
    """Add a room of the conference centre (capacity, equipment)."""
    return RoomRead.model_validate(await service.create_room(session, room_in=room_in))


@router.get("/rooms", response_model=list[RoomRead])
async def list_rooms(session: DbSession, _: Principal = Depends(require_roles(*READERS))) -> list[RoomRead]:
    """The rooms."""
    return [RoomRead.model_validate(r) for r in await service.list_rooms(session)]


@router.post(
    "/bookings",
    status_code=status.HTTP_201_CREATED,
    response_model=BookingRead,
    responses=problem_responses(404, 409, 422),
)
async def create_booking(
    booking_in: BookingCreate,
    session: DbSession,
    settings: AppSettings,
    contracts: Contracts,
    principal: Principal = Depends(require_roles(Role.staff, Role.supervisor)),
) -> BookingRead:
    """Book a room for a meeting (预订). A staff token books for its department. A booking overlapping
    another live booking of the same room is refused with 409 naming it (`conflicting_booking_id`); the
    database's exclusion constraint decides, so of concurrent requests for one slot exactly one succeeds."""
    booking = await service.book(
        session, booking_in=booking_in, principal=principal, settings=settings, contracts=contracts
    )
    return await service.read(session, booking)


@router.get("/bookings", response_model=Page[BookingRead])
async def list_bookings(
    session: DbSession,
    room_id: str | None = Query(None, max_length=36, description="only this room"),
    starts_from: datetime | None = Query(None, description="starting at or after"),
    starts_to: datetime | None = Query(None, description="starting before"),
    page: PageParams = Depends(page_window),
    principal: Principal = Depends(require_roles(*READERS)),
) -> Page[BookingRead]:
    """Bookings by start; a department sees its own, the conference vendor those it serves."""
    rows, total = await service.list_bookings(
        session,
        principal=principal,
        room_id=room_id,
        starts_from=starts_from,
        starts_to=starts_to,
        limit=page.limit,
        offset=page.offset,
    )
    return to_page(BookingRead, rows, total, page)


@router.get("/bookings/{booking_id}", response_model=BookingRead, responses=problem_responses(404))
async def get_booking(
    session: DbSession, booking_id: str = BookingId, principal: Principal = Depends(require_roles(*READERS))
) -> BookingRead:
    """One booking (a department its own, the vendor those it serves: 404 otherwise)."""
    booking = await service.get_visible(session, booking_id=booking_id, principal=principal)
    return await service.read(session, booking)


@router.post("/bookings/{booking_id}/cancel", response_model=BookingRead, responses=problem_responses(404, 409))
async def cancel_booking(
    session: DbSession,
    booking_id: str = BookingId,
    principal: Principal = Depends(require_roles(Role.staff, Role.supervisor)),
) -> BookingRead:
    """Cancel a booking (its department or the office); the slot is free again."""
    booking = await service.cancel(session, booking_id=booking_id, principal=principal)
    return await service.read(session, booking)


@router.post("/bookings/{booking_id}/attendance", response_model=BookingRead, responses=problem_responses(404, 409))
async def record_attendance(
    attendance_in: AttendanceIn,
    session: DbSession,
    booking_id: str = BookingId,
    principal: Principal = Depends(require_roles(Role.supervisor, Role.vendor)),
) -> BookingRead:
    """After the start: the meeting was held (with the attendees counted) or not used (no-show)."""
    booking = await service.attendance(session, booking_id=booking_id, attendance_in=attendance_in, principal=principal)
    return await service.read(session, booking)


@router.put(
    "/bookings/{booking_id}/service-record", response_model=BookingRead, responses=problem_responses(404, 409, 422)
)
async def put_service_record(
    record_in: ServiceRecordIn,
    session: DbSession,
    booking_id: str = BookingId,
    principal: Principal = Depends(require_roles(Role.vendor, Role.supervisor)),
) -> BookingRead:
    """The conference vendor's service record of the meeting: services delivered, issues, remarks."""
    booking = await service.service_record(session, booking_id=booking_id, record_in=record_in, principal=principal)
    return await service.read(session, booking)


@router.put("/bookings/{booking_id}/feedback", response_model=BookingRead, responses=problem_responses(404, 409))
async def put_feedback(
    feedback_in: FeedbackIn,
    session: DbSession,
    booking_id: str = BookingId,
    principal: Principal = Depends(require_roles(Role.staff)),
) -> BookingRead:
    """The organiser's grade of a meeting held (优/较好/一般/差), by the booking department only."""
    booking = await service.feedback(session, booking_id=booking_id, feedback_in=feedback_in, principal=principal)
    return await service.read(session, booking)


@router.get("/figures/{year}", response_model=ConferenceFigures)
async def conference_figures(
    session: DbSession,
    settings: AppSettings,
    year: int = Path(ge=2000, le=2100, description="year"),
    _: Principal = Depends(require_roles(Role.supervisor, *READ_ALL)),
) -> ConferenceFigures:
    """The year's figures in Chinese: meetings held, of which 200+ attendees, cancellations, no-shows, room
    utilisation, the organisers' grades, and the estimated savings against renting hotel halls at the
    configured reference prices per size class (the inputs are listed)."""
    return await service.figures(session, year=year, settings=settings)
