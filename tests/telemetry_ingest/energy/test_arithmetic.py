"""Register arithmetic and bucketing as pure functions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from telemetry_ingest.energy.arithmetic import (
    IntervalKind,
    OfficeInstants,
    Sample,
    bucket_sums,
    intervals,
    register_delta,
)
from telemetry_ingest.energy.degree_days import degree_days, fit_ols

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 0, 0, tzinfo=TZ)


def test_register_delta_normal_rollover_and_reset() -> None:
    assert register_delta(100.0, 130.0, rollover=None, band=0.1) == (30.0, IntervalKind.normal)
    # a 5-digit register wraps from 99 990 to 15: 10 + 15 consumed
    assert register_delta(99_990.0, 15.0, rollover=100_000.0, band=0.1) == (25.0, IntervalKind.rollover)
    # a fall from the middle of the range is a reset (meter replaced): it counts from zero again
    assert register_delta(50_000.0, 12.0, rollover=100_000.0, band=0.1) == (12.0, IntervalKind.reset)
    assert register_delta(500.0, 3.0, rollover=None, band=0.1) == (3.0, IntervalKind.reset)


def test_intervals_across_reset_rollover_and_gap_with_multiplier() -> None:
    q = timedelta(minutes=15)
    samples = [
        Sample(T0, 99_980.0),
        Sample(T0 + q, 99_995.0),  # +15
        Sample(T0 + 2 * q, 5.0),  # rollover: +10
        Sample(T0 + 3 * q, 25.0),  # +20
        Sample(T0 + 3 * q, 25.0),  # duplicate: ignored
        Sample(T0 + 4 * q, 7.0),  # reset: +7
        Sample(T0 + 4 * q + timedelta(hours=3), 37.0),  # gap of 3 h: +30, flagged
    ]
    out = intervals(samples, multiplier=40.0, rollover=100_000.0, band=0.1, max_interval=timedelta(minutes=40))
    assert [i.kwh for i in out] == [600.0, 400.0, 800.0, 280.0, 1200.0]
    assert [i.kind for i in out] == [
        IntervalKind.normal,
        IntervalKind.rollover,
        IntervalKind.normal,
        IntervalKind.reset,
        IntervalKind.normal,
    ]
    assert [i.gap for i in out] == [False, False, False, False, True]
    assert sum(i.kwh for i in out) == 3280.0


def test_bucket_sums_add_up_across_granularities() -> None:
    step = timedelta(minutes=15)
    samples = [Sample(T0 + k * step, k * 1.5 + (k % 7) * 0.01) for k in range(4 * 24 * 40)]
    out = intervals(samples, multiplier=2.0)
    fine = bucket_sums(out, "15min", TZ)
    hourly = bucket_sums(out, "hour", TZ)
    daily = bucket_sums(out, "day", TZ)
    monthly = bucket_sums(out, "month", TZ)
    total = sum(i.kwh for i in out)
    for coarse in (fine, hourly, daily, monthly):
        assert sum(coarse.values()) == pytest.approx(total)
    for day, kwh in daily.items():
        assert sum(v for k, v in hourly.items() if k.date() == day.date()) == pytest.approx(kwh)
    assert list(monthly) == [datetime(2026, 3, 1, tzinfo=TZ), datetime(2026, 4, 1, tzinfo=TZ)]
    # local-time buckets: the first hour bucket is local midnight, not UTC midnight
    assert min(hourly).astimezone(UTC).hour == 16


def test_degree_day_regression_recovers_known_coefficients() -> None:
    temps = [(-5 + 40 * ((d * 37) % 100) / 100) for d in range(200)]
    xs = [degree_days(t, heating_base_c=18, cooling_base_c=26) for t in temps]
    ys = [1000 + 50 * h + 80 * c for h, c in xs]
    fit = fit_ols(xs, ys)
    assert fit.intercept == pytest.approx(1000)
    assert fit.coefficients == pytest.approx((50, 80))
    assert fit.r2 == pytest.approx(1.0)
    # no cooling days at all: the CDD regressor is dropped instead of making the system singular
    cold = [(h, 0.0) for h, _ in xs if h > 0]
    fit2 = fit_ols(cold, [700 + 20 * h for h, _ in cold])
    assert fit2.coefficients == pytest.approx((20, 0))


def test_office_instants_are_the_local_wall_clock_with_each_instants_offset() -> None:
    october = datetime(2026, 9, 30, 16, tzinfo=UTC)
    local = OfficeInstants(TZ)
    assert local(october).isoformat() == "2026-10-01T00:00:00+08:00"
    assert local(october) == october  # the same instant, only written in the office's zone
    # a zone with summer time: each instant carries its own offset, runs and repeated lists alike
    berlin = OfficeInstants(ZoneInfo("Europe/Berlin"))
    hours = [datetime(2026, 3, 29, 0, tzinfo=UTC) + timedelta(hours=h) for h in range(3)]
    want = ["2026-03-29T01:00:00+01:00", "2026-03-29T03:00:00+02:00", "2026-03-29T04:00:00+02:00"]
    assert [b.isoformat() for b in berlin.ascending([hours[0], hours[0], hours[1], hours[2]])] == [want[0], *want]
    assert [[b.isoformat() for b in bs] for bs in berlin.lists([hours, list(hours), hours[1:]])] == [
        want,
        want,
        want[1:],
    ]
