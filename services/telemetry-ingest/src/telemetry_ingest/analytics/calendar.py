"""When official use is permitted: working hours, sealed holidays (封存日) and extra working days (调休).
Fleet judges trips by it, energy judges loads by it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class UseCalendar:
    """Permitted use: working weekdays (ISO 1-7) between work_start and work_end; sealed holidays
    (封存日) forbid any use; extra working days (调休) are working days whatever their weekday."""

    work_start: time = time(7, 30)
    work_end: time = time(18, 30)
    working_weekdays: tuple[int, ...] = (1, 2, 3, 4, 5)
    holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()

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
