"""When official use is permitted: working hours, sealed holidays (封存日) and extra working days (调休).
Fleet judges trips by it, energy judges loads by it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Protocol
from zoneinfo import ZoneInfo


class StoredCalendar(Protocol):
    """A calendar as stored (the ORM row, or the row energy's SQL reads): lists where the rule keeps sets."""

    @property
    def work_start(self) -> time: ...
    @property
    def work_end(self) -> time: ...
    @property
    def working_weekdays(self) -> Iterable[int]: ...
    @property
    def holidays(self) -> Iterable[date]: ...
    @property
    def extra_workdays(self) -> Iterable[date]: ...


@dataclass(frozen=True)
class UseCalendar:
    """Permitted use: working weekdays (ISO 1-7) between work_start and work_end; sealed holidays
    (封存日) forbid any use; extra working days (调休) are working days whatever their weekday."""

    work_start: time = time(7, 30)
    work_end: time = time(18, 30)
    working_weekdays: tuple[int, ...] = (1, 2, 3, 4, 5)
    holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()

    @classmethod
    def of(cls, stored: StoredCalendar | None) -> UseCalendar:
        """The rule of a stored calendar; the default rule when there is none (fleet and energy alike)."""
        if stored is None:
            return cls()
        return cls(
            work_start=stored.work_start,
            work_end=stored.work_end,
            working_weekdays=tuple(stored.working_weekdays),
            holidays=frozenset(stored.holidays),
            extra_workdays=frozenset(stored.extra_workdays),
        )

    def classify(self, ts: datetime, tz: ZoneInfo) -> str:
        """``permitted``, ``off_hours`` or ``sealed_holiday`` for one instant."""
        local = ts.astimezone(tz)
        day = local.date()
        if day in self.holidays:
            return "sealed_holiday"
        working_day = day in self.extra_workdays or local.isoweekday() in self.working_weekdays
        if working_day and self.work_start <= local.time() < self.work_end:
            return "permitted"
        return "off_hours"
