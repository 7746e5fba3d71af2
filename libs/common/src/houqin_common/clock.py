"""The platform's one clock: code asks it, tests and demos set it.

``HOUQIN_CLOCK_AT`` (an ISO 8601 instant) starts the clock of a process, and of every process it
starts, at that instant; it then runs at the real pace. The suite runs its date-sensitive tests a
second time with the clock moved to a later year, which proves nothing in them depends on the day
they run. Unset, the clock is the system clock.

"Today" is the office's calendar day (``HOUQIN_TIMEZONE``, default Asia/Shanghai), not the host's:
a contract ending on 31 December has ended at 00:00 Beijing time, whatever zone the server is in.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

ENV_AT = "HOUQIN_CLOCK_AT"
ENV_OFFSET = "HOUQIN_CLOCK_OFFSET_S"
ENV_TZ = "HOUQIN_TIMEZONE"
DEFAULT_TZ = "Asia/Shanghai"


@lru_cache(maxsize=1)
def _offset() -> timedelta:
    # The first process turns the instant into an offset and leaves it in the environment, so the
    # processes it starts later keep the same clock instead of restarting it at the same instant.
    inherited = os.environ.get(ENV_OFFSET)
    if inherited:
        return timedelta(seconds=float(inherited))
    at = os.environ.get(ENV_AT)
    if not at:
        return timedelta(0)
    start = datetime.fromisoformat(at)
    if start.tzinfo is None:
        start = start.replace(tzinfo=office_tz())
    offset = start - datetime.now(UTC)
    os.environ[ENV_OFFSET] = str(offset.total_seconds())
    return offset


@lru_cache(maxsize=1)
def office_tz() -> ZoneInfo:
    """The office's time zone: calendar days, working hours and holidays are counted in it."""
    return ZoneInfo(os.environ.get(ENV_TZ) or DEFAULT_TZ)


def now() -> datetime:
    """The current instant (timezone-aware, UTC)."""
    return datetime.now(UTC) + _offset()


def today() -> date:
    """The office's current calendar day."""
    return now().astimezone(office_tz()).date()


def day_start(day: date) -> datetime:
    """The instant the office's calendar day ``day`` begins (00:00 office time): a period of days
    [start, end) holds the instants from ``day_start(start)`` up to ``day_start(end)``."""
    return datetime.combine(day, time.min, tzinfo=office_tz())


def reset() -> None:
    """Forget the cached offset and zone (tests that change the environment call this)."""
    os.environ.pop(ENV_OFFSET, None)
    _offset.cache_clear()
    office_tz.cache_clear()
