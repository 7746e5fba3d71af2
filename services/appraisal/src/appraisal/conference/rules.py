"""Pure rules of the conference centre: booking states, size classes, utilisation, the savings estimate, the
score of a meeting."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum


class BookingStatus(StrEnum):
    booked = "booked"
    held = "held"
    cancelled = "cancelled"
    no_show = "no_show"

    @property
    def label_zh(self) -> str:
        return {"booked": "已预订", "held": "已召开", "cancelled": "已取消", "no_show": "未使用"}[self.value]


class MeetingService(StrEnum):
    tea = "tea"
    sound = "sound"
    interpreting = "interpreting"
    banners = "banners"

    @property
    def label_zh(self) -> str:
        return {"tea": "茶水", "sound": "音响", "interpreting": "同声传译", "banners": "横幅"}[self.value]


class Attendance(StrEnum):
    held = "held"
    no_show = "no_show"


def size_class(attendees: int, classes: Mapping[str, int]) -> str:
    """The largest class whose smallest size the meeting reaches."""
    fitting = [(low, name) for name, low in classes.items() if attendees >= low]
    return max(fitting)[1] if fitting else min((low, name) for name, low in classes.items())[1]


def working_days(start: date, end: date) -> int:
    """Monday-Friday days in [start, end)."""
    days, d = 0, start
    while d < end:
        days += d.weekday() < 5
        d += timedelta(days=1)
    return days


def utilisation(booked_hours: float, rooms: int, days: int, hours_per_day: float) -> float | None:
    capacity = rooms * days * hours_per_day
    return round(booked_hours / capacity, 4) if capacity > 0 else None


@dataclass(frozen=True)
class Saving:
    size_class: str
    meetings: int
    hotel_price: Decimal
    centre_cost: Decimal

    @property
    def saving(self) -> Decimal:
        return (self.hotel_price - self.centre_cost) * self.meetings


def savings(
    held_by_class: Mapping[str, int], hotel_prices: Mapping[str, Decimal], centre_costs: Mapping[str, Decimal]
) -> list[Saving]:
    """Per size class: meetings held × (hotel hall reference price − the centre's cost). An estimate."""
    return [
        Saving(name, held_by_class.get(name, 0), hotel_prices.get(name, Decimal(0)), centre_costs.get(name, Decimal(0)))
        for name in hotel_prices
    ]


def meeting_score(
    grade_points: float | None, issues: int | None, *, issue_penalty: float, feedback_share: float
) -> float | None:
    """One meeting: the organiser's grade and the service record (100 less the issues noted), weighed by
    ``feedback_share``; either alone when the other is missing."""
    record = None if issues is None else max(0.0, 100.0 - issue_penalty * issues)
    if grade_points is None:
        return record
    if record is None:
        return grade_points
    return feedback_share * grade_points + (1 - feedback_share) * record


def conference_score(meetings: Iterable[float | None]) -> float | None:
    scored = [m for m in meetings if m is not None]
    return round(sum(scored) / len(scored), 2) if scored else None
