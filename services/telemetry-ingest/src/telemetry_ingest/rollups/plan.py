"""Pure planning of the rollups: which local days a touched hour dirties, and how a query window splits
into monthly, daily and hourly rollup pieces (coarsest first) so it reads as few rows as possible."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

HOUR = timedelta(hours=1)


def touched_days(hours: Iterable[datetime], tz: ZoneInfo) -> set[date]:
    """Local days overlapping the given one-hour ranges (an hour may straddle two local days in a zone
    whose offset is not a whole number of hours)."""
    out: set[date] = set()
    for h in hours:
        out.add(h.astimezone(tz).date())
        out.add((h + HOUR - timedelta(microseconds=1)).astimezone(tz).date())
    return out


def day_ranges(days: Iterable[date], *, join_gap_days: int = 2) -> list[tuple[date, date]]:
    """Sorted days merged into ``[first, after)`` ranges; ranges closer than ``join_gap_days`` merge too
    (fewer, longer ranges: the refresh partitions its window functions by range, so overlap is harmless)."""
    out: list[tuple[date, date]] = []
    for d in sorted(set(days)):
        if out and (d - out[-1][1]).days < join_gap_days:
            out[-1] = (out[-1][0], d + timedelta(days=1))
        else:
            out.append((d, d + timedelta(days=1)))
    return out


def midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tz)


@dataclass(frozen=True)
class Piece:
    """``[start, end)`` answered by the rollup table ``grain`` (hour, day or month)."""

    grain: str
    start: datetime
    end: datetime


def _next_day(ts: datetime, tz: ZoneInfo) -> datetime:
    local = ts.astimezone(tz)
    first = midnight(local.date(), tz)
    return first if first >= ts else midnight(local.date() + timedelta(days=1), tz)


def _next_month(ts: datetime, tz: ZoneInfo) -> datetime:
    local = ts.astimezone(tz)
    first = midnight(local.date().replace(day=1), tz)
    if first >= ts:
        return first
    d = local.date().replace(day=1)
    return midnight(d.replace(year=d.year + 1, month=1) if d.month == 12 else d.replace(month=d.month + 1), tz)


def _prev_day(ts: datetime, tz: ZoneInfo) -> datetime:
    return midnight(ts.astimezone(tz).date(), tz)


def _prev_month(ts: datetime, tz: ZoneInfo) -> datetime:
    return midnight(ts.astimezone(tz).date().replace(day=1), tz)


def is_whole_hour(ts: datetime, tz: ZoneInfo) -> bool:
    local = ts.astimezone(tz)
    return local.minute == 0 and local.second == 0 and local.microsecond == 0


def pieces(start: datetime, end: datetime, tz: ZoneInfo, granularity: str | None) -> list[Piece]:
    """Split ``[start, end)`` (whole local hours) into rollup pieces no coarser than ``granularity``
    (``None``: a total, any grain). Buckets of the answer are then sums of whole rollup rows."""
    if end <= start:
        return []
    if granularity == "hour":
        return [Piece("hour", start, end)]
    d0, d1 = _next_day(start, tz), _prev_day(end, tz)
    if d0 >= d1:
        return [Piece("hour", start, end)]
    out = [Piece("hour", start, d0)] if start < d0 else []
    if granularity == "day":
        out.append(Piece("day", d0, d1))
    else:
        m0, m1 = _next_month(d0, tz), _prev_month(d1, tz)
        if m0 < m1:
            if d0 < m0:
                out.append(Piece("day", d0, m0))
            out.append(Piece("month", m0, m1))
            if m1 < d1:
                out.append(Piece("day", m1, d1))
        else:
            out.append(Piece("day", d0, d1))
    if d1 < end:
        out.append(Piece("hour", d1, end))
    return out
