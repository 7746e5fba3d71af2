"""Synthetic cumulative registers for tests, benchmarks and demos."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta


def register(
    start: datetime,
    end: datetime,
    step: timedelta,
    load_kw: Callable[[datetime], float],
    *,
    initial: float = 0.0,
    rollover: float | None = None,
) -> Iterator[tuple[datetime, float]]:
    """(ts, register) from ``start`` to ``end`` inclusive; the interval starting at t consumes
    ``load_kw(t) * step`` kWh; the register wraps at ``rollover`` when given."""
    value = initial
    ts = start
    hours = step.total_seconds() / 3600
    while ts <= end:
        yield ts, value
        value += load_kw(ts) * hours
        if rollover is not None and value >= rollover:
            value -= rollover
        ts += step
