"""Queries of the conference centre."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.models import Booking, ConferenceRoom


async def get_room(session: AsyncSession, room_id: str) -> ConferenceRoom | None:
    return await session.get(ConferenceRoom, room_id)


async def lock_room(session: AsyncSession, room_id: str) -> None:
    """Hold the room (``FOR NO KEY UPDATE``, until the transaction ends) while a booking of it is inserted:
    bookings of one room are inserted one after the other. Two concurrent overlapping inserts would
    otherwise each wait on the other's uncommitted row (the exclusion constraint checks after inserting) and
    PostgreSQL would abort one as a deadlock, before the other had committed to be named. The key-share locks
    of the bookings' foreign keys do not conflict with it."""
    await session.execute(select(ConferenceRoom.id).where(ConferenceRoom.id == room_id).with_for_update(key_share=True))


async def list_rooms(session: AsyncSession) -> list[ConferenceRoom]:
    return list((await session.execute(select(ConferenceRoom).order_by(ConferenceRoom.name))).scalars())


async def room_names(session: AsyncSession) -> dict[str, str]:
    return {r.id: r.name for r in await list_rooms(session)}


async def get_booking(session: AsyncSession, booking_id: str, *, lock: bool = False) -> Booking | None:
    stmt = select(Booking).where(Booking.id == booking_id)
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def overlapping(session: AsyncSession, room_id: str, starts_at: datetime, ends_at: datetime) -> Booking | None:
    """A live booking of the room overlapping [starts_at, ends_at) (the one the exclusion constraint met)."""
    stmt = (
        select(Booking)
        .where(
            Booking.room_id == room_id,
            Booking.status != "cancelled",
            Booking.starts_at < ends_at,
            Booking.ends_at > starts_at,
        )
        .order_by(Booking.starts_at)
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def list_bookings(
    session: AsyncSession,
    *,
    department: str | None,
    vendor_id: str | None,
    room_id: str | None,
    starts_from: datetime | None,
    starts_to: datetime | None,
    limit: int,
    offset: int,
) -> tuple[list[Booking], int]:
    stmt = select(Booking)
    if department is not None:
        stmt = stmt.where(Booking.department == department)
    if vendor_id is not None:
        stmt = stmt.where((Booking.service_vendor_id == vendor_id) | Booking.service_vendor_id.is_(None))
    if room_id is not None:
        stmt = stmt.where(Booking.room_id == room_id)
    if starts_from is not None:
        stmt = stmt.where(Booking.starts_at >= starts_from)
    if starts_to is not None:
        stmt = stmt.where(Booking.starts_at < starts_to)
    total = (await session.execute(select(func.count()).select_from(stmt.subquery()))).scalar_one()
    rows = await session.execute(stmt.order_by(Booking.starts_at, Booking.id).limit(limit).offset(offset))
    return list(rows.scalars()), int(total)


async def in_range(session: AsyncSession, start: datetime, end: datetime) -> list[Booking]:
    stmt = select(Booking).where(Booking.starts_at >= start, Booking.starts_at < end).order_by(Booking.starts_at)
    return list((await session.execute(stmt)).scalars())


async def room_count(session: AsyncSession) -> int:
    stmt = select(func.count()).select_from(ConferenceRoom).where(ConferenceRoom.active.is_(True))
    return int((await session.execute(stmt)).scalar_one())
