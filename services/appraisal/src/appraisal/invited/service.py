"""Invited services: providers and their schedules, the calendar staff read, sessions recorded as held or
missed, staff ratings, and the providers flagged for the next selection."""

from __future__ import annotations

from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from appraisal.invited import repository, rules
from appraisal.invited.rules import Outcome, ProviderKind, Recurrence
from appraisal.invited.schemas import (
    CalendarEntry,
    ProviderCreate,
    ProviderFlag,
    RatingCreate,
    ScheduleCreate,
    SessionCreate,
)
from appraisal.models import InvitedProvider, InvitedRating, InvitedSchedule, InvitedSession
from appraisal.settings import Settings
from houqin_common.errors import Conflict, NotFound, UnprocessableEntity
from houqin_common.i18n import _


async def _add(session: AsyncSession, row: object, conflict: str) -> None:
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(conflict) from exc


async def create_provider(session: AsyncSession, *, provider_in: ProviderCreate) -> InvitedProvider:
    row = InvitedProvider(**provider_in.model_dump() | {"kind": provider_in.kind.value})
    await _add(session, row, _("provider {name} already exists", name=provider_in.name))
    return row


async def list_providers(session: AsyncSession) -> list[InvitedProvider]:
    return await repository.list_providers(session)


def _pattern(s: InvitedSchedule | ScheduleCreate) -> rules.Pattern:
    return rules.Pattern(Recurrence(s.recurrence), s.starts_on, s.ends_on, s.weekday, s.day_of_month)


async def create_schedule(session: AsyncSession, *, schedule_in: ScheduleCreate) -> InvitedSchedule:
    if await session.get(InvitedProvider, schedule_in.provider_id) is None:
        raise UnprocessableEntity(_("provider {provider_id} not found", provider_id=schedule_in.provider_id))
    if schedule_in.end_time <= schedule_in.start_time:
        raise UnprocessableEntity(_("the session ends before it starts"))
    try:
        rules.check_pattern(_pattern(schedule_in))
    except rules.ScheduleError as exc:
        raise UnprocessableEntity(str(exc)) from exc
    row = InvitedSchedule(**schedule_in.model_dump() | {"recurrence": schedule_in.recurrence.value}, active=True)
    session.add(row)
    await session.flush()
    return row


async def calendar(session: AsyncSession, *, start: date, end: date, max_days: int = 400) -> list[CalendarEntry]:
    """Every occurrence in [start, end), with its recorded outcome and average rating."""
    if end <= start or (end - start).days > max_days:
        raise UnprocessableEntity(_("the range must be 1 to {days} days", days=max_days))
    recorded = {(s.schedule_id, s.held_on): s for s in await repository.sessions(session, start, end)}
    stars = await repository.ratings(session, [s.id for s in recorded.values()])
    out: list[CalendarEntry] = []
    for sched, provider in await repository.schedules(session, start, end):
        kind = ProviderKind(provider.kind)
        for day in rules.occurrences(_pattern(sched), start, end):
            held = recorded.get((sched.id, day))
            rated = stars.get(held.id, []) if held else []
            out.append(
                CalendarEntry(
                    schedule_id=sched.id,
                    provider_id=provider.id,
                    provider_name=provider.name,
                    kind=kind,
                    kind_zh=kind.label_zh,
                    service=sched.service,
                    place=sched.place,
                    day=day,
                    start_time=sched.start_time,
                    end_time=sched.end_time,
                    recurrence_zh=Recurrence(sched.recurrence).label_zh,
                    session_id=held.id if held else None,
                    outcome=Outcome(held.outcome) if held else None,
                    average_rating=round(sum(rated) / len(rated), 2) if rated else None,
                )
            )
    return sorted(out, key=lambda e: (e.day, e.start_time, e.provider_name))


async def record_session(session: AsyncSession, *, session_in: SessionCreate, recorder: str) -> InvitedSession:
    """The outcome of one occurrence: 422 when the day is not an occurrence, 409 when already recorded."""
    sched = await session.get(InvitedSchedule, session_in.schedule_id)
    if sched is None:
        raise NotFound(_("schedule {schedule_id} not found", schedule_id=session_in.schedule_id))
    day = session_in.held_on
    if day not in rules.occurrences(_pattern(sched), day, date.fromordinal(day.toordinal() + 1)):
        raise UnprocessableEntity(_("{day} is not a day of this schedule", day=day))
    row = InvitedSession(
        schedule_id=sched.id,
        provider_id=sched.provider_id,
        held_on=day,
        outcome=session_in.outcome.value,
        note=session_in.note,
        recorded_by=recorder,
    )
    await _add(session, row, _("the session of {day} is already recorded", day=day))
    return row


async def rate(session: AsyncSession, *, session_id: str, rating_in: RatingCreate, rater: str) -> InvitedRating:
    """One rating per staff member and session; only a session held can be rated."""
    held = await session.get(InvitedSession, session_id)
    if held is None:
        raise NotFound(_("session {session_id} not found", session_id=session_id))
    if held.outcome != Outcome.held:
        raise Conflict(_("only a session that was held can be rated"))
    row = InvitedRating(session_id=held.id, rater=rater, stars=rating_in.stars, comment=rating_in.comment)
    await _add(session, row, _("you have already rated this session"))
    return row


async def flags(session: AsyncSession, *, start: date, end: date, settings: Settings) -> list[ProviderFlag]:
    """Each provider's sessions, no-shows and ratings in [start, end), flagged per the settings' thresholds."""
    if end <= start:
        raise UnprocessableEntity(_("the end must be after the start"))
    policy = rules.FlagPolicy(settings.invited_no_show_limit, settings.invited_min_rating, settings.invited_min_ratings)
    recorded = [s for s in await repository.sessions(session, start, end) if s.outcome != Outcome.cancelled]
    stars = await repository.ratings(session, [s.id for s in recorded])
    out: list[ProviderFlag] = []
    for provider in await repository.list_providers(session):
        mine = [s for s in recorded if s.provider_id == provider.id]
        ratings = [r for s in mine for r in stars.get(s.id, [])]
        record = rules.flag(len(mine), sum(1 for s in mine if s.outcome == Outcome.no_show), ratings, policy)
        out.append(
            ProviderFlag(
                provider_id=provider.id,
                provider_name=provider.name,
                sessions=record.sessions,
                no_shows=record.no_shows,
                ratings=len(ratings),
                average_rating=record.average,
                flagged=record.flagged,
                reasons=record.reasons,
            )
        )
    return sorted(out, key=lambda f: (not f.flagged, f.provider_name))
