"""Consumption from cumulative registers: pure functions, mirrored by the SQL of the repository.

A reading carries the register value at ``ts``; the consumption of the interval (previous ts, ts]
is attributed to the bucket of the interval's START, so bucket sums add up across granularities.
Buckets are the office's calendar (local midnight, the 1st of the month) and are answered as its wall clock
with its UTC offset (:class:`OfficeInstants`), never as UTC instants.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import StrEnum
from zoneinfo import ZoneInfo


class IntervalKind(StrEnum):
    normal = "normal"
    rollover = "rollover"
    reset = "reset"


@dataclass(frozen=True)
class Sample:
    ts: datetime
    value: float


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime
    kwh: float
    kind: IntervalKind
    gap: bool


def register_delta(prev: float, cur: float, *, rollover: float | None, band: float) -> tuple[float, IntervalKind]:
    """Raw register advance from ``prev`` to ``cur`` (before the multiplier).

    A fall is a rollover when the register wrapped (previous value near the top of the range and the
    new one near zero), otherwise a reset (meter replaced or cleared: it counts again from 0).
    """
    if cur >= prev:
        return cur - prev, IntervalKind.normal
    if rollover is not None and prev >= rollover * (1 - band) and cur <= rollover * band:
        return rollover - prev + cur, IntervalKind.rollover
    return cur, IntervalKind.reset


def intervals(
    samples: Iterable[Sample],
    *,
    multiplier: float = 1.0,
    rollover: float | None = None,
    band: float = 0.1,
    max_interval: timedelta | None = None,
) -> list[Interval]:
    """Consumption per interval between consecutive samples (sorted by ts; duplicates dropped)."""
    out: list[Interval] = []
    prev: Sample | None = None
    for s in sorted(samples, key=lambda x: x.ts):
        if prev is not None and s.ts > prev.ts:
            raw, kind = register_delta(prev.value, s.value, rollover=rollover, band=band)
            gap = max_interval is not None and s.ts - prev.ts > max_interval
            out.append(Interval(prev.ts, s.ts, raw * multiplier, kind, gap))
        if prev is None or s.ts > prev.ts:
            prev = s
    return out


def bucket_start(ts: datetime, granularity: str, tz: ZoneInfo) -> datetime:
    """Start of the local-time bucket holding ``ts`` (aware, in ``tz``)."""
    local = ts.astimezone(tz)
    if granularity == "15min":
        local = local.replace(minute=local.minute - local.minute % 15, second=0, microsecond=0)
    elif granularity == "hour":
        local = local.replace(minute=0, second=0, microsecond=0)
    elif granularity == "day":
        local = local.replace(hour=0, minute=0, second=0, microsecond=0)
    elif granularity == "month":
        local = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    else:
        raise ValueError(f"unknown granularity {granularity!r}")
    return local


def bucket_sums(items: Sequence[Interval], granularity: str, tz: ZoneInfo) -> dict[datetime, float]:
    """Sum of interval consumption per bucket of the interval start."""
    sums: dict[datetime, float] = defaultdict(float)
    for it in items:
        sums[bucket_start(it.start, granularity, tz)] += it.kwh
    return dict(sorted(sums.items()))


class OfficeInstants:
    """Bucket starts as the office's wall clock with its UTC offset: October's month bucket is
    ``2026-10-01T00:00:00+08:00``, not ``2026-09-30T16:00:00Z`` (the same instant, read in the office's zone).

    The database hands back UTC instants. Each distinct one is converted once (an hourly chart of 40 meters
    repeats 720 buckets 40 times): :meth:`ascending` converts a sorted sequence run by run, :meth:`lists`
    reuses the converted list of an equal earlier list (a chart's series mostly share their buckets); both
    compare UTC datetimes of one ``tzinfo``, which needs no offset lookups. The result carries a fixed-offset
    ``timezone`` of its own offset (per instant, so a zone with summer time stays right), which pydantic
    serialises natively (a ``ZoneInfo`` is asked for its offset in Python per value)."""

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz
        self._seen: dict[datetime, datetime] = {}
        self._offsets: dict[timedelta | None, timezone] = {}

    def __call__(self, ts: datetime) -> datetime:
        local = self._seen.get(ts)
        if local is None:
            wall = ts.astimezone(self.tz)
            offset = wall.utcoffset()
            fixed = self._offsets.get(offset)
            if fixed is None:
                fixed = self._offsets[offset] = timezone(offset or timedelta(0))
            local = self._seen[ts] = wall.replace(tzinfo=fixed)
        return local

    def ascending(self, values: Iterable[datetime]) -> list[datetime]:
        """``values`` (sorted, repeats adjacent) in the office's zone."""
        out: list[datetime] = []
        prev: datetime | None = None
        local: datetime | None = None
        for ts in values:
            if local is None or ts != prev:
                prev, local = ts, self(ts)
            out.append(local)
        return out

    def lists(self, lists: Iterable[Sequence[datetime]]) -> list[list[datetime]]:
        """Each list in the office's zone; a list equal to the one before shares its conversion."""
        out: list[list[datetime]] = []
        prev: Sequence[datetime] | None = None
        for values in lists:
            if prev is None or values != prev:
                prev, converted = values, [self(ts) for ts in values]
            out.append(converted)
        return out
