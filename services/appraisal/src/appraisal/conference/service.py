"""Conference centre: rooms, bookings refused when they overlap (by the database), the vendor's service record,
the organiser's feedback, and the year's figures with the savings estimate."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.conference import repository, rules
from appraisal.conference.rules import BookingStatus
from appraisal.conference.schemas import (
    AttendanceIn,
    BookingCreate,
    BookingRead,
    ConferenceFigures,
    FeedbackIn,
    RoomCreate,
    SavingLine,
    ServiceRecordIn,
)
from appraisal.models import Booking, ConferenceRoom
from appraisal.scoring.rules import Grade
from appraisal.settings import Settings
from houqin_common import clock
from houqin_common.auth import Principal, Role
from houqin_common.clients import ApiError, ContractsClient
from houqin_common.errors import Conflict, Forbidden, NotFound, UnprocessableEntity
from houqin_common.i18n import N_, _

logger = logging.getLogger("appraisal.conference")
EXCLUSION_VIOLATION = "23P01"
#: the default size classes of `conference_size_classes`, as a person reads them (a class added in the
#: settings is shown by its code)
SIZE_LABELS = {"small": N_("small meetings"), "medium": N_("medium meetings"), "large": N_("large meetings")}


def department_of(principal: Principal) -> str:
    """The department a staff token speaks for: its `department` claim, else its subject."""
    department = principal.claims.get("department")
    return str(department) if department else principal.subject


def is_office(principal: Principal) -> bool:
    return principal.has(Role.supervisor, Role.admin) and not principal.is_vendor_only


def to_read(booking: Booking, room_name: str | None = None) -> BookingRead:
    status = BookingStatus(booking.status)
    grade = Grade(booking.feedback_grade) if booking.feedback_grade else None
    return BookingRead(
        id=booking.id,
        room_id=booking.room_id,
        room_name=room_name,
        title=booking.title,
        department=booking.department,
        organiser=booking.organiser,
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        attendees=booking.attendees,
        services=booking.services,
        status=status,
        status_zh=status.label_zh,
        cancelled_at=booking.cancelled_at,
        service_vendor_id=booking.service_vendor_id,
        service_record=booking.service_record,
        feedback_grade=grade,
        feedback_grade_zh=grade.label_zh if grade else None,
        feedback_comment=booking.feedback_comment,
    )


async def list_rooms(session: AsyncSession) -> list[ConferenceRoom]:
    return await repository.list_rooms(session)


async def read(session: AsyncSession, booking: Booking) -> BookingRead:
    return to_read(booking, (await repository.room_names(session)).get(booking.room_id))


async def list_bookings(
    session: AsyncSession,
    *,
    principal: Principal,
    room_id: str | None,
    starts_from: datetime | None,
    starts_to: datetime | None,
    limit: int,
    offset: int,
) -> tuple[list[BookingRead], int]:
    """The office sees every booking, a vendor those it serves (or unassigned), a department its own."""
    office = principal.has(Role.supervisor, Role.admin, Role.auditor, Role.service) and not principal.is_vendor_only
    vendor = principal.vendor_id if principal.is_vendor_only else None
    department = None if office or vendor else department_of(principal)
    rows, total = await repository.list_bookings(
        session,
        department=department,
        vendor_id=vendor,
        room_id=room_id,
        starts_from=starts_from,
        starts_to=starts_to,
        limit=limit,
        offset=offset,
    )
    names = await repository.room_names(session)
    return [to_read(b, names.get(b.room_id)) for b in rows], total


async def create_room(session: AsyncSession, *, room_in: RoomCreate) -> ConferenceRoom:
    """A new room; a name already taken is a 409 naming it (room names are unique), not a retry hint."""
    room = ConferenceRoom(**room_in.model_dump(), active=True)
    try:
        async with session.begin_nested():
            session.add(room)
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(_("a conference room named {name} already exists", name=room_in.name)) from exc
    return room


async def conference_vendor(contracts: ContractsClient | None, settings: Settings, day: date) -> str | None:
    """The vendor whose conference contract (contracts-api) is in force on ``day``; None if none is known."""
    if contracts is None:
        return None
    for project in settings.conference_projects:
        try:
            page = await contracts.list_contracts(project_code=project, year=day.year, limit=100)
        except ApiError as exc:
            logger.warning("conference contracts unavailable: %s", exc)
            return None
        for c in page.items:
            in_force = (c.start_date is None or c.start_date <= day) and (c.end_date is None or day <= c.end_date)
            if c.status in settings.hazard_contract_statuses and in_force:
                return c.vendor_id
    return None


def _when(booking: Booking) -> str:
    start = booking.starts_at.astimezone(clock.office_tz())
    end = booking.ends_at.astimezone(clock.office_tz())
    return f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}"


async def book(
    session: AsyncSession,
    *,
    booking_in: BookingCreate,
    principal: Principal,
    settings: Settings,
    contracts: ContractsClient | None,
) -> Booking:
    """Book a room; an overlapping live booking of the same room is refused by the database's exclusion
    constraint (so concurrent requests cannot both win) and answered 409 naming the other booking, which
    has committed: the room is locked for the insert (:func:`repository.lock_room`)."""
    if booking_in.starts_at.tzinfo is None or booking_in.ends_at.tzinfo is None:
        raise UnprocessableEntity(_("starts_at and ends_at need a time zone"))
    if booking_in.ends_at <= booking_in.starts_at:
        raise UnprocessableEntity(_("the meeting ends before it starts"))
    room = await repository.get_room(session, booking_in.room_id)
    if room is None or not room.active:
        raise NotFound(_("conference room {room_id} not found", room_id=booking_in.room_id))
    if booking_in.attendees > room.capacity:
        raise UnprocessableEntity(
            _(
                "{attendees} attendees do not fit in {room} ({capacity} seats)",
                attendees=booking_in.attendees,
                room=room.name,
                capacity=room.capacity,
            )
        )
    office_named = is_office(principal) and booking_in.department
    department = booking_in.department if office_named and booking_in.department else department_of(principal)
    vendor = await conference_vendor(contracts, settings, booking_in.starts_at.astimezone(clock.office_tz()).date())
    booking = Booking(
        room_id=room.id,
        title=booking_in.title,
        department=department,
        organiser=principal.subject,
        starts_at=booking_in.starts_at,
        ends_at=booking_in.ends_at,
        attendees=booking_in.attendees,
        services=[s.value for s in booking_in.services],
        status=BookingStatus.booked.value,
        service_vendor_id=vendor,
    )
    # after the vendor lookup over HTTP: the room is held only for the insert and the commit
    await repository.lock_room(session, room.id)
    try:
        async with session.begin_nested():
            session.add(booking)
            await session.flush()
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", None) != EXCLUSION_VIOLATION:
            raise
        other = await repository.overlapping(session, room.id, booking_in.starts_at, booking_in.ends_at)
        if other is None:  # the other was cancelled meanwhile: the client may retry
            raise Conflict(_("{room} was just booked for an overlapping time; retry", room=room.name)) from exc
        raise Conflict(
            _(
                "{room} is already booked {when} for “{title}” by {department} (booking {booking_id})",
                room=room.name,
                when=_when(other),
                title=other.title,
                department=other.department,
                booking_id=other.id,
            ),
            conflicting_booking_id=other.id,
        ) from exc
    return booking


async def get_visible(session: AsyncSession, *, booking_id: str, principal: Principal, lock: bool = False) -> Booking:
    """A department sees its own bookings, a vendor those it serves (or unassigned); 404 otherwise."""
    booking = await repository.get_booking(session, booking_id, lock=lock)
    visible = booking is not None and (
        (principal.has(Role.supervisor, Role.admin, Role.auditor, Role.service) and not principal.is_vendor_only)
        or (principal.is_vendor_only and booking.service_vendor_id in (None, principal.vendor_id))
        or (principal.has(Role.staff) and booking.department == department_of(principal))
    )
    if booking is None or not visible:
        raise NotFound(_("booking {booking_id} not found", booking_id=booking_id))
    return booking


async def cancel(session: AsyncSession, *, booking_id: str, principal: Principal) -> Booking:
    booking = await get_visible(session, booking_id=booking_id, principal=principal, lock=True)
    if principal.is_vendor_only:
        raise Forbidden(_("only the booking department or the office may cancel a booking"))
    if booking.status != BookingStatus.booked:
        raise Conflict(_("a booking {status} cannot be cancelled", status=BookingStatus(booking.status).label_zh))
    booking.status = BookingStatus.cancelled.value
    booking.cancelled_at = clock.now()
    await session.flush()
    return booking


async def attendance(
    session: AsyncSession, *, booking_id: str, attendance_in: AttendanceIn, principal: Principal
) -> Booking:
    booking = await get_visible(session, booking_id=booking_id, principal=principal, lock=True)
    if booking.status != BookingStatus.booked:
        raise Conflict(_("a booking {status} cannot be marked", status=BookingStatus(booking.status).label_zh))
    if booking.starts_at > clock.now():
        raise Conflict(_("the meeting has not started yet"))
    booking.status = attendance_in.outcome.value
    if attendance_in.attendees is not None and attendance_in.outcome == rules.Attendance.held:
        booking.attendees = attendance_in.attendees
    await session.flush()
    return booking


async def service_record(
    session: AsyncSession, *, booking_id: str, record_in: ServiceRecordIn, principal: Principal
) -> Booking:
    """The conference vendor's record of one meeting (its own meetings; a vendor takes an unassigned one)."""
    booking = await get_visible(session, booking_id=booking_id, principal=principal, lock=True)
    if booking.status == BookingStatus.cancelled:
        raise Conflict(_("the booking is cancelled"))
    if principal.is_vendor_only:
        booking.service_vendor_id = booking.service_vendor_id or principal.vendor_id
    elif booking.service_vendor_id is None:
        raise UnprocessableEntity(_("no conference vendor serves this booking: the vendor records its service"))
    booking.service_record = {
        "delivered": [s.value for s in record_in.delivered],
        "issues": record_in.issues,
        "note": record_in.note,
        "by": principal.subject,
        "at": clock.now().isoformat(),
    }
    await session.flush()
    return booking


async def feedback(session: AsyncSession, *, booking_id: str, feedback_in: FeedbackIn, principal: Principal) -> Booking:
    """The organiser's grade of a meeting held (its own department's only)."""
    booking = await get_visible(session, booking_id=booking_id, principal=principal, lock=True)
    if not principal.has(Role.staff) or booking.department != department_of(principal):
        raise Forbidden(_("only the booking department gives feedback on its meeting"))
    if booking.status != BookingStatus.held:
        raise Conflict(_("feedback is given on a meeting held"))
    if feedback_in.grade == Grade.not_applicable:
        raise UnprocessableEntity(_("grade one of 优/较好/一般/差"))
    booking.feedback_grade = feedback_in.grade.value
    booking.feedback_comment = feedback_in.comment
    booking.feedback_at = clock.now()
    await session.flush()
    return booking


async def figures(session: AsyncSession, *, year: int, settings: Settings) -> ConferenceFigures:
    """Meetings held, of which large, utilisation, feedback and the savings estimate of one year."""
    tz = clock.office_tz()
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    bookings = await repository.in_range(
        session, datetime.combine(start, time.min, tzinfo=tz), datetime.combine(end, time.min, tzinfo=tz)
    )
    held = [b for b in bookings if b.status == BookingStatus.held]
    rooms = await repository.room_count(session)
    hours = round(sum((b.ends_at - b.starts_at).total_seconds() for b in held) / 3600, 2)
    use = rules.utilisation(hours, rooms, rules.working_days(start, end), settings.conference_hours_per_day)
    by_class = Counter(rules.size_class(b.attendees, settings.conference_size_classes) for b in held)
    lines = rules.savings(by_class, settings.conference_hotel_prices, settings.conference_cost_per_meeting)
    total = sum((line.saving for line in lines), Decimal(0))
    grades = Counter(b.feedback_grade for b in held if b.feedback_grade)
    large = sum(1 for b in held if b.attendees >= settings.conference_large_meeting)
    inputs = "; ".join(
        _(
            "{size}: {meetings} × ({hotel} − {cost}) CNY",
            size=_(SIZE_LABELS[line.size_class]) if line.size_class in SIZE_LABELS else line.size_class,
            meetings=line.meetings,
            hotel=line.hotel_price,
            cost=line.centre_cost,
        )
        for line in lines
    )
    statement = _(
        "In {year} the conference centre held {held} meetings, {large} of them with {threshold} or more attendees; "
        "room utilisation {use}. Renting hotel halls instead would have cost about {saving} CNY more "
        "(an estimate at reference prices: {inputs}).",
        year=year,
        held=len(held),
        large=large,
        threshold=settings.conference_large_meeting,
        use="—" if use is None else f"{use:.1%}",
        saving=f"{total:,.0f}",
        inputs=inputs,
    )
    return ConferenceFigures(
        year=year,
        title=_("Conference centre (会议中心) in {year}", year=year),
        meetings_held=len(held),
        large_meetings=large,
        large_threshold=settings.conference_large_meeting,
        cancelled=sum(1 for b in bookings if b.status == BookingStatus.cancelled),
        no_shows=sum(1 for b in bookings if b.status == BookingStatus.no_show),
        attendees=sum(b.attendees for b in held),
        rooms=rooms,
        booked_hours=hours,
        utilisation=use,
        feedback={Grade(g).label_zh: n for g, n in grades.items()},
        savings_cny=total,
        savings=[
            SavingLine(
                size_class=line.size_class,
                meetings=line.meetings,
                hotel_price_cny=line.hotel_price,
                centre_cost_cny=line.centre_cost,
                saving_cny=line.saving,
            )
            for line in lines
        ],
        statement=statement,
        period_start=start,
        period_end=end,
    )
