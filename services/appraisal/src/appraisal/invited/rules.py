"""Pure invited-service rules: the occurrences of a schedule, and whether a provider is flagged."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from houqin_common.i18n import _


class ProviderKind(StrEnum):
    invited_service = "invited_service"
    public_consultation = "public_consultation"

    @property
    def label_zh(self) -> str:
        return {"invited_service": "邀请服务", "public_consultation": "公益咨询"}[self.value]


class Recurrence(StrEnum):
    weekly = "weekly"
    monthly = "monthly"
    once = "once"

    @property
    def label_zh(self) -> str:
        return {"weekly": "每周", "monthly": "每月", "once": "单次"}[self.value]


class Outcome(StrEnum):
    held = "held"
    no_show = "no_show"
    cancelled = "cancelled"

    @property
    def label_zh(self) -> str:
        return {"held": "已到场", "no_show": "未到场", "cancelled": "取消"}[self.value]


class ScheduleError(ValueError):
    """A schedule that cannot recur as asked."""


@dataclass(frozen=True)
class Pattern:
    recurrence: Recurrence
    starts_on: date
    ends_on: date | None = None
    weekday: int | None = None
    day_of_month: int | None = None


def check_pattern(p: Pattern) -> None:
    if p.recurrence == Recurrence.weekly and (p.weekday is None or not 0 <= p.weekday <= 6):
        raise ScheduleError(_("a weekly schedule needs a weekday 0 (Monday) to 6 (Sunday)"))
    if p.recurrence == Recurrence.monthly and (p.day_of_month is None or not 1 <= p.day_of_month <= 28):
        raise ScheduleError(_("a monthly schedule needs a day of the month from 1 to 28"))
    if p.ends_on is not None and p.ends_on < p.starts_on:
        raise ScheduleError(_("the schedule ends before it starts"))


def occurrences(p: Pattern, start: date, end: date) -> list[date]:
    """Days of the schedule in [start, end): once on ``starts_on``; weekly on ``weekday``; monthly on
    ``day_of_month``; never before ``starts_on`` nor after ``ends_on``."""
    lo = max(start, p.starts_on)
    hi = end if p.ends_on is None else min(end, p.ends_on + timedelta(days=1))
    if lo >= hi:
        return []
    if p.recurrence == Recurrence.once:
        return [p.starts_on] if lo <= p.starts_on < hi else []
    if p.recurrence == Recurrence.weekly:
        assert p.weekday is not None
        day = lo + timedelta(days=(p.weekday - lo.weekday()) % 7)
        weekly: list[date] = []
        while day < hi:
            weekly.append(day)
            day += timedelta(weeks=1)
        return weekly
    assert p.day_of_month is not None
    out: list[date] = []
    y, m = lo.year, lo.month
    while date(y, m, 1) < hi:
        day = date(y, m, p.day_of_month)
        if lo <= day < hi:
            out.append(day)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


@dataclass(frozen=True)
class FlagPolicy:
    no_show_limit: int
    min_rating: float
    min_ratings: int


@dataclass
class ProviderRecord:
    sessions: int
    no_shows: int
    ratings: Sequence[int]
    flagged: bool = False
    reasons: list[str] = field(default_factory=list)

    @property
    def average(self) -> float | None:
        return round(sum(self.ratings) / len(self.ratings), 2) if self.ratings else None


def flag(sessions: int, no_shows: int, ratings: Sequence[int], policy: FlagPolicy) -> ProviderRecord:
    """Flag a provider for the next selection: ``no_show_limit`` no-shows or more, or an average rating below
    ``min_rating`` over at least ``min_ratings`` ratings."""
    record = ProviderRecord(sessions, no_shows, list(ratings))
    if no_shows >= policy.no_show_limit:
        record.reasons.append(_("{count} no-shows (limit {limit})", count=no_shows, limit=policy.no_show_limit))
    average = record.average
    if average is not None and len(ratings) >= policy.min_ratings and average < policy.min_rating:
        record.reasons.append(
            _(
                "average rating {average} below {minimum} over {count} ratings",
                average=average,
                minimum=policy.min_rating,
                count=len(ratings),
            )
        )
    record.flagged = bool(record.reasons)
    return record
